"""The walidata's tools: the access grants page and its actions, the roles page's user
search, the readable audit log, dates in WIB.

Requests go to `web`, an app of its own (see test_pages.py); the world's users send
their API tokens, the sysadmin is the test server's REMOTE_USER.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.verifikasi import localtime
from ckanext.verifikasi.model import AccessGrant, AuditEntry
from ckanext.verifikasi.tests.queries import queries_of, statements
from ckanext.verifikasi.tests.world import _complete_fields

TODAY = localtime.today()
IN_A_MONTH = (TODAY + dt.timedelta(days=30)).isoformat()
IN_TWO_MONTHS = (TODAY + dt.timedelta(days=60)).isoformat()
#: Everyone who must be refused, besides anonymous visitors.
REFUSED = ("operator", "verifikator", "other_operator", "other_verifikator", "stranger")
ALLOWED = ("walidata", "sysadmin")


@pytest.fixture
def web(make_app):
    return make_app()


def _environ(world, who):
    if who == "sysadmin":
        return {"extra_environ": {"REMOTE_USER": world.users[who]["name"]}}
    return {"headers": {"Authorization": world.users[who]["token"]}} if who else {}


def get(web, world, who, url, status=200):
    res = web.get(url, follow_redirects=False, **_environ(world, who))
    assert res.status_code == status, (who, url, res.status_code, res.body[:1500])
    return res.body


def post(web, world, who, url, data, status=200):
    res = web.post(url, data=data, follow_redirects=status != 302, **_environ(world, who))
    assert res.status_code == status, (who, url, res.status_code, res.body[:1500])
    return res.body


def context(world, who):
    return world.context(who) if who else {"user": "", "ignore_auth": False}


def restricted(world, **fields):
    ds = world.dataset(klasifikasi="terbatas", **fields)
    world.publish(ds["id"])
    return ds


def grant(world, ds, who="grantee", expires=IN_A_MONTH):
    call_action("verifikasi_access_grant", world.context("walidata"), id=ds["id"],
                user=world.users[who]["name"], expires=expires, reason="Penelitian")
    return model.Session.scalars(sa.select(AccessGrant).where(
        AccessGrant.package_id == ds["id"], AccessGrant.user_id == world.users[who]["id"])
        .order_by(AccessGrant.id.desc())).first()


def row(grant_id):
    model.Session.expire_all()
    return model.Session.get(AccessGrant, grant_id)


# Dates

def test_dates_are_shown_in_one_indonesian_format_in_wib():
    assert localtime.format_datetime(dt.datetime(2026, 12, 5, 3, 36)) == \
        "5 Desember 2026, 10.36 WIB"
    # 20 Dec 23:59 WIB is 16:59 UTC; 17:00 UTC is already the next WIB day.
    assert localtime.format_datetime("2026-12-20T16:59:00") == "20 Desember 2026, 23.59 WIB"
    assert localtime.format_date(dt.datetime(2026, 12, 20, 17, 0)) == "21 Desember 2026"
    assert localtime.format_date("2027-01-03") == "3 Januari 2027"
    assert localtime.day_start_utc(dt.date(2026, 12, 5)) == dt.datetime(2026, 12, 4, 17, 0)


# The list and extend actions

@pytest.mark.parametrize("action", ["verifikasi_access_grant_list",
                                    "verifikasi_access_grant_extend"])
def test_grant_actions_are_for_walidata_and_sysadmin(world, action):
    ds = restricted(world)
    g = grant(world, ds)
    data = {} if action.endswith("list") else {"grant_id": g.id, "expires": IN_TWO_MONTHS}
    for who in (*REFUSED, None):
        with pytest.raises(Exception) as refused:
            call_action(action, context(world, who), **data)
        assert type(refused.value).__name__ == "NotAuthorized", (who, refused.value)
    assert row(g.id).expires.isoformat() == IN_A_MONTH
    for who in ALLOWED:
        call_action(action, world.context(who), **data)
    assert row(g.id).expires.isoformat() == (IN_A_MONTH if action.endswith("list")
                                             else IN_TWO_MONTHS)


def test_grant_list_has_names_status_and_filters(world):
    ds = restricted(world, title="Data Pasien TB")
    other = restricted(world, title="Data Balita Gizi Buruk")
    first = grant(world, ds)
    grant(world, other, who="expired_grantee")
    call_action("verifikasi_access_revoke", world.context("walidata"), id=other["id"],
                user=world.users["expired_grantee"]["name"])
    found = call_action("verifikasi_access_grant_list", world.context("walidata"))
    assert found["count"] == 2
    newest, oldest = found["results"]
    assert newest["status"] == "revoked" and oldest["status"] == "active"
    assert oldest["id"] == first.id and oldest["package_title"] == "Data Pasien TB"
    assert oldest["user_name"] == world.users["grantee"]["name"]
    assert oldest["created_by_title"] == "Walidata"
    by_dataset = call_action("verifikasi_access_grant_list", world.context("walidata"),
                             id=ds["name"])
    assert [g["id"] for g in by_dataset["results"]] == [first.id]
    by_user = call_action("verifikasi_access_grant_list", world.context("walidata"),
                          user=world.users["expired_grantee"]["name"])
    assert [g["status"] for g in by_user["results"]] == ["revoked"]
    active = call_action("verifikasi_access_grant_list", world.context("walidata"),
                         status="active")
    assert [g["id"] for g in active["results"]] == [first.id]
    with pytest.raises(Exception) as bad:
        call_action("verifikasi_access_grant_list", world.context("walidata"), limit="abc")
    assert type(bad.value).__name__ == "ValidationError"


def test_extend_refuses_past_dates_and_revoked_grants(world):
    ds = restricted(world)
    g = grant(world, ds)
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    with pytest.raises(Exception) as past:
        call_action("verifikasi_access_grant_extend", world.context("walidata"),
                    grant_id=g.id, expires=yesterday)
    assert "expires" in past.value.error_dict
    call_action("verifikasi_access_revoke", world.context("walidata"), id=ds["id"],
                user=world.users["grantee"]["name"])
    with pytest.raises(Exception) as revoked:
        call_action("verifikasi_access_grant_extend", world.context("walidata"),
                    grant_id=g.id, expires=IN_TWO_MONTHS)
    assert "grant_id" in revoked.value.error_dict
    assert row(g.id).expires.isoformat() == IN_A_MONTH


# The grants page

def test_grants_page_is_for_walidata_and_sysadmin(web, world):
    ds = restricted(world, title="Data Pasien TB")
    g = grant(world, ds)
    for who in ALLOWED:
        body = get(web, world, who, "/verifikasi/akses")
        assert f'id="grant-{g.id}"' in body and "Data Pasien TB" in body
        assert 'id="verifikasi-grant-create"' in body
    for who in REFUSED:
        get(web, world, who, "/verifikasi/akses", status=403)
        get(web, world, who, f"/verifikasi/akses/{g.id}/cabut", status=403)
        post(web, world, who, "/verifikasi/akses/baru", {
            "dataset": ds["name"], "user": world.users[who]["name"],
            "expires": IN_A_MONTH}, status=403)
        post(web, world, who, f"/verifikasi/akses/{g.id}/perpanjang",
             {"expires": IN_TWO_MONTHS}, status=403)
        post(web, world, who, f"/verifikasi/akses/{g.id}/cabut", {}, status=403)
    for url in ("/verifikasi/akses", f"/verifikasi/akses/{g.id}/cabut"):
        assert "/user/login" in web.get(url, follow_redirects=False).headers["Location"]
    anonymous = web.post("/verifikasi/akses/baru", data={"dataset": ds["name"]},
                         follow_redirects=False)
    # Refused before anything runs: no CSRF token (400) or sent to the login form.
    assert anonymous.status_code in (302, 400), anonymous.status_code
    after = row(g.id)
    assert after.revoked is None and after.expires.isoformat() == IN_A_MONTH
    assert model.Session.scalar(sa.select(sa.func.count()).select_from(AccessGrant)) == 1


def test_grants_page_lists_names_dates_and_filters(web, world):
    ds = restricted(world, title="Data Pasien TB")
    other = restricted(world, title="Data Balita Gizi Buruk")
    g = grant(world, ds)
    grant(world, other, who="expired_grantee")
    body = get(web, world, "walidata", "/verifikasi/akses")
    line = body.split(f'id="grant-{g.id}"')[1].split("</tr>")[0]
    assert "Data Pasien TB" in line and world.users["grantee"]["fullname"] in line
    assert "Walidata" in line
    assert localtime.format_date(IN_A_MONTH) in line
    assert re.search(r"\d{1,2} \w+ \d{4}, \d{2}\.\d{2} WIB", line), line
    assert world.users["grantee"]["id"] not in line
    filtered = get(web, world, "walidata", f"/verifikasi/akses?dataset={other['name']}")
    assert "Data Balita Gizi Buruk" in filtered and f'id="grant-{g.id}"' not in filtered
    by_user = get(web, world, "walidata",
                  f"/verifikasi/akses?user={world.users['grantee']['name']}")
    assert f'id="grant-{g.id}"' in by_user and "Data Balita Gizi Buruk" not in \
        by_user.split('id="verifikasi-grant-list"')[1]
    unknown = get(web, world, "walidata", "/verifikasi/akses?user=tidak-ada", status=400)
    assert "verifikasi-form-errors" in unknown


def test_create_extend_and_revoke_through_the_page_change_the_row(web, world):
    ds = restricted(world, title="Data Pasien TB")
    grantee = world.users["grantee"]
    post(web, world, "walidata", "/verifikasi/akses/baru", {
        "dataset": ds["name"], "user": grantee["name"], "expires": IN_A_MONTH,
        "reason": "Permohonan 12/2026"})
    g = model.Session.scalars(sa.select(AccessGrant)).one()
    assert (g.package_id, g.user_id, g.expires.isoformat(), g.reason, g.revoked) == \
        (ds["id"], grantee["id"], IN_A_MONTH, "Permohonan 12/2026", None)
    assert g.created_by == world.users["walidata"]["id"]

    post(web, world, "walidata", f"/verifikasi/akses/{g.id}/perpanjang",
         {"expires": IN_TWO_MONTHS})
    assert row(g.id).expires.isoformat() == IN_TWO_MONTHS

    confirm = get(web, world, "walidata", f"/verifikasi/akses/{g.id}/cabut")
    assert 'id="verifikasi-grant-revoke-confirm"' in confirm and "_csrf_token" in confirm
    assert row(g.id).revoked is None  # showing the confirmation changes nothing
    post(web, world, "walidata", f"/verifikasi/akses/{g.id}/cabut", {})
    after = row(g.id)
    assert after.revoked is not None and after.revoked_by == world.users["walidata"]["id"]
    actions = model.Session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_id == ds["id"], AuditEntry.action.like("access_%"))
        .order_by(AuditEntry.id)).all()
    assert actions == ["access_grant", "access_extend", "access_revoke"]


@pytest.mark.parametrize(("form", "field"), [
    ({"expires": "2020-01-01"}, "expires"),
    ({"expires": "31-12-2026"}, "expires"),
    ({"user": "tidak-ada"}, "user"),
    ({"dataset": ""}, "dataset"),
    ({"dataset": "dataset-tidak-ada"}, "dataset"),
])
def test_create_errors_are_named_by_field_and_nothing_is_stored(web, world, form, field):
    ds = restricted(world)
    data = {"dataset": ds["name"], "user": world.users["grantee"]["name"],
            "expires": IN_A_MONTH, **form}
    body = post(web, world, "walidata", "/verifikasi/akses/baru", data, status=400)
    block = body.split(f'for="field-grant-{field}"')[1].split('class="form-group')[0]
    assert "error-block" in block or "text-danger" in block or "invalid" in block, block
    assert model.Session.scalar(sa.select(sa.func.count()).select_from(AccessGrant)) == 0


def test_extend_with_a_past_date_is_refused_on_the_page(web, world):
    g = grant(world, restricted(world))
    body = post(web, world, "walidata", f"/verifikasi/akses/{g.id}/perpanjang",
                {"expires": "2020-01-01"}, status=400)
    assert "verifikasi-extend-error" in body
    assert row(g.id).expires.isoformat() == IN_A_MONTH
    get(web, world, "walidata", "/verifikasi/akses/999999/cabut", status=404)


def test_grant_forms_need_the_csrf_token_of_the_page(web, world):
    ds = restricted(world)
    g = grant(world, ds)
    client = web.test_client()
    environ = {"REMOTE_USER": world.users["walidata"]["name"]}
    page = client.get(f"/verifikasi/akses/{g.id}/cabut", extra_environ=environ)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.body).group(1)
    refused = client.post(f"/verifikasi/akses/{g.id}/cabut", data={}, extra_environ=environ)
    assert refused.status_code == 400 and row(g.id).revoked is None
    done = client.post(f"/verifikasi/akses/{g.id}/cabut", data={"_csrf_token": token},
                       extra_environ=environ)
    assert done.status_code == 200 and row(g.id).revoked is not None


def test_walidata_menu_links_roles_grants_and_audit(web, world):
    for who in ALLOWED:
        body = get(web, world, who, "/verifikasi/inbox")
        for url in ("/verifikasi/roles", "/verifikasi/akses", "/verifikasi/audit"):
            assert f'href="{url}"' in body, (who, url)
    for who in ("operator", "verifikator"):
        body = get(web, world, who, "/verifikasi/inbox")
        for url in ("/verifikasi/akses", "/verifikasi/audit"):
            assert f'href="{url}"' not in body


# The roles page's user search

def test_roles_page_finds_users_with_core_autocomplete(web, world):
    body = get(web, world, "walidata", "/verifikasi/roles")
    field = re.search(r'<input[^>]*id="field-role-user"[^>]*>', body).group(0)
    assert 'data-module="autocomplete"' in field
    assert "/api/2/util/user/autocomplete" in field

    def names(who, q):
        res = web.get(f"/api/2/util/user/autocomplete?q={q}", **_environ(world, who))
        assert res.status_code == 200
        return {u["name"] for u in res.json}

    grantee = world.users["grantee"]["name"]
    assert world.users["walidata"]["name"] in names("operator", "Walidata")  # by full name
    assert grantee in names("walidata", "peneliti@contoh")  # walidata: by e-mail too
    assert grantee not in names("operator", "peneliti@contoh")  # others: not by e-mail
    assert names("walidata", "%40") <= names("walidata", "@")


# The audit log

def _audit_world(world):
    ds = restricted(world, title="Angka Kematian Ibu")
    call_action("verifikasi_role_assign", world.context("walidata"),
                user=world.users["stranger"]["name"], role="surveyor",
                organization=world.opd["id"])
    grant(world, ds)
    return ds


def test_audit_page_and_export_are_for_walidata_and_sysadmin(web, world):
    _audit_world(world)
    for who in ALLOWED:
        get(web, world, who, "/verifikasi/audit")
        get(web, world, who, "/verifikasi/audit.csv")
    for who in REFUSED:
        get(web, world, who, "/verifikasi/audit", status=403)
        get(web, world, who, "/verifikasi/audit.csv", status=403)
    for url in ("/verifikasi/audit", "/verifikasi/audit.csv"):
        assert "/user/login" in web.get(url, follow_redirects=False).headers["Location"]
    for who in (*REFUSED, None):
        with pytest.raises(Exception) as refused:
            call_action("verifikasi_audit_list", context(world, who))
        assert type(refused.value).__name__ == "NotAuthorized"


def test_audit_page_shows_names_links_labels_and_summaries(web, world):
    ds = _audit_world(world)
    body = get(web, world, "walidata", "/verifikasi/audit")
    table = body.split('id="verifikasi-audit"')[1].split("</table>")[0]
    walidata, stranger = world.users["walidata"], world.users["stranger"]
    # Names, not UUIDs.
    assert "Walidata" in table and stranger["fullname"] in table
    assert walidata["id"] not in table and stranger["id"] not in table
    assert ds["id"] not in table
    # The dataset by its title, linked.
    assert f'href="/dataset/{ds["name"]}">Angka Kematian Ibu</a>' in table
    # Labels per action code, not the code.
    cells = dict(re.findall(r'data-action="([a-z_]+)">([^<]*)</td>', table))
    assert {"role_assign", "access_grant", "workflow_submit", "workflow_approve"} <= set(cells)
    assert all(label and label != code for code, label in cells.items()), cells
    # A readable summary, not JSON.
    assert "{&#34;" not in table and '{"' not in table
    assert "→" in table and "Penelitian" in table
    assert re.search(r"\d{1,2} \w+ \d{4}, \d{2}\.\d{2} WIB", table)


def test_audit_page_filters_by_user_opd_action_and_wib_days(web, world):
    ds = _audit_world(world)
    other = call_action("package_create", world.context("other_operator"),
                        name="jumlah-sekolah", title="Jumlah Sekolah",
                        owner_org=world.other_opd["id"], kategori="DATA_DASAR",
                        klasifikasi_akses="terbuka", license_id="cc-by",
                        **_complete_fields("Jumlah Sekolah", 2025, world.other_opd["title"]))
    call_action("verifikasi_submit", world.context("other_operator"), id=other["id"])

    def actions(query):
        body = get(web, world, "walidata", f"/verifikasi/audit?{query}")
        return re.findall(r'data-action="([a-z_]+)"', body)

    stranger = world.users["stranger"]
    assert actions(f"user={stranger['name']}") == ["role_assign"]
    assert set(actions("action=access_grant")) == {"access_grant"}
    assert "access_grant" in actions(f"organization={world.opd['name']}")
    assert "workflow_submit" in actions(f"organization={world.other_opd['name']}")
    assert "access_grant" not in actions(f"organization={world.other_opd['name']}")

    # WIB days: 00:30 WIB on 1 March is 17:30 UTC on 28 February.
    model.Session.add_all([
        AuditEntry(actor=stranger["id"], action="download", object_type="resource",
                   object_id="r1", detail={"package_id": ds["id"]},
                   created=dt.datetime(2026, 2, 28, 17, 30)),
        AuditEntry(actor=stranger["id"], action="reminder", object_type="package",
                   object_id=ds["id"], detail={}, created=dt.datetime(2026, 2, 28, 16, 30)),
    ])
    model.Session.commit()
    assert actions("since=2026-03-01&until=2026-03-01") == ["download"]
    assert actions("since=2026-02-28&until=2026-02-28") == ["reminder"]
    body = get(web, world, "walidata", "/verifikasi/audit?since=2026-03-01&until=2026-03-01")
    assert "1 Maret 2026, 00.30 WIB" in body
    bad = get(web, world, "walidata", "/verifikasi/audit?since=kemarin&user=tidak-ada",
              status=400)
    assert "verifikasi-form-errors" in bad


def test_audit_names_cost_one_query_whatever_the_page_holds(web, world):
    ds = _audit_world(world)
    headers = {"Authorization": world.users["walidata"]["token"]}

    queries_of(web, "/verifikasi/audit", headers)  # the first request reads more (once)
    few = queries_of(web, "/verifikasi/audit", headers)
    # Many more entries, each naming other people, datasets and OPDs.
    users = [call_action("user_create", {"ignore_auth": True}, name=f"orang-{i}",
                         email=f"orang{i}@contoh.id", password="Kopi-Tubruk-Bromo-7391",
                         fullname=f"Orang {i}") for i in range(12)]
    model.Session.add_all([
        AuditEntry(actor=u["id"], action="access_grant", object_type="package",
                   object_id=ds["id"], detail={"user_id": users[-1 - i]["id"],
                                               "organization_id": world.other_opd["id"]})
        for i, u in enumerate(users)])
    model.Session.commit()
    many = queries_of(web, "/verifikasi/audit", headers)
    assert many == few, (few, many)
    body = web.get("/verifikasi/audit", headers=headers).body
    assert "Orang 3" in body and users[3]["id"] not in body


def test_audit_csv_keeps_its_columns_and_adds_names(web, world):
    _audit_world(world)
    export = web.get("/verifikasi/audit.csv",
                     headers={"Authorization": world.users["walidata"]["token"]})
    assert export.status_code == 200
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    header = export.get_data(as_text=True).splitlines()[0]
    assert header.startswith("id,created,actor,action,object_type,object_id,remote_addr,detail")
    for column in ("actor_name", "actor_title", "action_label", "object_title", "summary",
                   "created_wib"):
        assert column in rows[0]
    assigned = next(r for r in rows if r["action"] == "role_assign")
    assert assigned["actor_name"] == world.users["walidata"]["name"]
    assert assigned["object_title"] == world.users["stranger"]["fullname"]
    assert assigned["created_wib"].endswith("WIB")
    filtered = web.get(f"/verifikasi/audit.csv?user={world.users['stranger']['name']}",
                       headers={"Authorization": world.users["walidata"]["token"]})
    assert len(filtered.get_data(as_text=True).splitlines()) == 2


def test_audit_names_of_a_page_are_one_statement(world):
    from ckanext.verifikasi import audit

    ds = _audit_world(world)
    entries = call_action("verifikasi_audit_list", world.context("walidata"))
    assert len(entries) > 5
    model.Session.remove()
    with statements() as executed:
        found = audit.names(entries)
    assert len(executed) == 1, executed
    assert found["package"][ds["id"]]["title"] == "Angka Kematian Ibu"
    assert found["user"][world.users["stranger"]["id"]]["name"] == world.users["stranger"]["name"]
    assert found["organization"][world.opd["id"]]["title"] == "Dinas Kesehatan"
