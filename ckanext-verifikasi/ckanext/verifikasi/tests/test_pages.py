"""The web pages of the workflow: inbox, dataset status with its forms, notifications, roles.

Pages are requested as the world's users with their API tokens (CKAN exempts
token-authenticated requests from CSRF, as its own tests rely on); one test
posts a form the way a browser does, with the session cookie and the CSRF
token the page carries.

The `world` fixture keeps a request context of the `app` fixture's Flask app
pushed, and Flask reuses an active app context for requests to the same app:
`g` (with flask-login's cached user and CSRF exemption) would then be shared by
every request of a test. So requests go to `web`, a second instance of the
app, where each request gets its own app context as in production.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from ckan.tests.helpers import call_action

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def web(make_app):
    """A CKAN app of its own (see the module docstring)."""
    return make_app()


def headers(world, who):
    return {"Authorization": world.users[who]["token"]}


def get(web, world, who, url, status=200):
    if who == "sysadmin":  # made without a token: logged in as the test server's REMOTE_USER
        res = web.get(url, extra_environ={"REMOTE_USER": world.users[who]["name"]})
    else:
        res = web.get(url, headers=headers(world, who) if who else {})
    assert res.status_code == status, (res.status_code, res.body[:2000])
    return res.body


def post(web, world, who, url, data, status=200):
    res = web.post(url, data=data, headers=headers(world, who))
    assert res.status_code == status, (res.status_code, res.body[:2000])
    return res.body


def act(world, who, action, **data):
    return call_action(f"verifikasi_{action}", world.context(who), **data)


def status(world, dataset):
    return call_action("verifikasi_status_show", world.context("walidata"), id=dataset["id"])


def forms(body):
    """Ids of the workflow step forms on a dataset's verification page."""
    return set(re.findall(r'<form id="verifikasi-(submit|approve|return|withdraw)"', body))


def published(world, **fields):
    ds = world.dataset(**fields)
    world.publish(ds["id"])
    return ds


# Kotak Masuk

def test_inbox_lists_waiting_returned_and_overdue_in_indonesian(web, world):
    waiting = world.dataset(title="Jumlah Puskesmas")
    act(world, "operator", "submit", id=waiting["id"])
    body = get(web, world, "verifikator", "/verifikasi/inbox")
    for text in ("Kotak Masuk", "Menunggu tindakan saya", "Saya kembalikan", "Lewat tenggat",
                 "Jumlah Puskesmas", "Menunggu verifikator"):
        assert text in body, text
    assert f'href="/verifikasi/dataset/{waiting["name"]}"' in body
    assert f'href="/dataset/{waiting["name"]}"' in body

    act(world, "verifikator", "return", id=waiting["id"], note="Perbaiki", deadline=TOMORROW)
    from ckan import model

    from ckanext.verifikasi.model import WorkflowState
    model.Session.get(WorkflowState, waiting["id"]).deadline = \
        dt.date.today() - dt.timedelta(days=3)
    model.Session.commit()
    operator = get(web, world, "operator", "/verifikasi/inbox")
    overdue = operator.split('id="verifikasi-overdue"')[1]
    assert "Jumlah Puskesmas" in overdue and "verifikasi-overdue" in overdue
    assert "lewat tenggat" in overdue
    mine = get(web, world, "verifikator", "/verifikasi/inbox")
    returned = mine.split('id="verifikasi-returned"')[1].split('id="verifikasi-overdue"')[0]
    assert "Jumlah Puskesmas" in returned
    # Another OPD's verifikator has nothing waiting.
    other = get(web, world, "other_verifikator", "/verifikasi/inbox")
    assert "Jumlah Puskesmas" not in other


@pytest.mark.parametrize("url", ["/verifikasi/inbox", "/verifikasi/notifications",
                                 "/verifikasi/roles"])
def test_pages_send_anonymous_to_the_login_form(web, url):
    res = web.get(url, follow_redirects=False)
    assert res.status_code == 302
    assert "/user/login" in res.headers["Location"] and "came_from" in res.headers["Location"]


def test_header_links_inbox_and_unread_count_for_logged_in_only(web, world):
    ds = world.dataset()
    act(world, "operator", "submit", id=ds["id"])
    body = get(web, world, "verifikator", "/dataset/")
    assert 'href="/verifikasi/inbox"' in body and "Kotak Masuk" in body
    header = body.split('class="notifications verifikasi-notifications')[1].split("</li>")[0]
    assert '<span class="badge">1</span>' in header
    assert "1 notifikasi belum dibaca" in header
    assert "/verifikasi/inbox" not in get(web, world, None, "/dataset/")


def test_header_links_the_dashboard_without_counting_its_activities(web, world, monkeypatch):
    """One count of what is new (the notifications): the activity plugin's count of the
    dashboard's new activities is not asked on every page."""
    import ckan.plugins.toolkit as tk

    counted: list[str] = []
    monkeypatch.setattr(tk.h, "new_activities", lambda: counted.append("asked") or 0)
    body = get(web, world, "operator", "/dataset/")
    dashboard = body.split('<li class="dashboard">')[1].split("</li>")[0]
    assert 'href="/dashboard/"' in dashboard and "Dasbor" in dashboard
    assert counted == []
    assert '<li class="dashboard">' not in get(web, world, None, "/dataset/")


# Status page of a dataset

def test_dataset_page_is_for_the_team_only(web, world):
    ds = world.dataset()
    url = f"/verifikasi/dataset/{ds['name']}"
    for who in ("operator", "verifikator", "surveyor", "walidata", "sysadmin"):
        assert "Riwayat verifikasi" in get(web, world, who, url)
    for who in ("other_operator", "other_verifikator", "stranger"):
        get(web, world, who, url, status=403)
    assert web.get(url, follow_redirects=False).status_code == 302  # to the login form
    get(web, world, "operator", "/verifikasi/dataset/tidak-ada", status=404)


def test_dataset_page_offers_only_the_steps_of_the_viewers_role(web, world):
    ds = world.dataset()
    url = f"/verifikasi/dataset/{ds['name']}"
    assert forms(get(web, world, "operator", url)) == {"submit"}
    assert forms(get(web, world, "verifikator", url)) == set()
    act(world, "operator", "submit", id=ds["id"])
    assert forms(get(web, world, "operator", url)) == set()
    assert forms(get(web, world, "surveyor", url)) == set()
    assert forms(get(web, world, "verifikator", url)) == {"approve", "return"}
    assert forms(get(web, world, "walidata", url)) == {"return"}
    act(world, "verifikator", "approve", id=ds["id"])
    body = get(web, world, "walidata", url)
    assert forms(body) == {"approve", "return"} and "Setujui dan terbitkan" in body
    act(world, "walidata", "approve", id=ds["id"])
    assert forms(get(web, world, "walidata", url)) == {"withdraw"}
    assert forms(get(web, world, "sysadmin", url)) == {"withdraw"}
    assert forms(get(web, world, "verifikator", url)) == set()


def test_no_approve_button_for_ones_own_submission(web, world):
    call_action("verifikasi_role_assign", world.context("walidata"),
                user=world.users["operator"]["name"], role="verifikator",
                organization=world.opd["id"])
    ds = world.dataset()
    act(world, "operator", "submit", id=ds["id"])
    url = f"/verifikasi/dataset/{ds['name']}"
    assert forms(get(web, world, "operator", url)) == {"return"}
    assert forms(get(web, world, "verifikator", url)) == {"approve", "return"}


def test_history_shows_who_role_step_note_and_deadline(web, world):
    ds = world.dataset()
    act(world, "operator", "submit", id=ds["id"])
    act(world, "verifikator", "return", id=ds["id"], note="Lengkapi sumber data",
        deadline=TOMORROW)
    body = get(web, world, "operator", f"/verifikasi/dataset/{ds['id']}")
    history = body.split('id="verifikasi-history"')[1]
    for text in (world.users["verifikator"]["name"], world.users["operator"]["name"],
                 "Verifikator", "Operator", "Dikirim ke verifikator", "Dikembalikan",
                 "Lengkapi sumber data"):
        assert text in history, text
    assert "Dikembalikan untuk perbaikan" in body  # the status badge
    assert "Batas waktu perbaikan" in body


def test_return_without_note_shows_the_error_and_changes_nothing(web, world):
    ds = world.dataset()
    act(world, "operator", "submit", id=ds["id"])
    body = post(web, world, "verifikator", f"/verifikasi/dataset/{ds['name']}/return",
                {"note": "  ", "deadline": TOMORROW}, status=400)
    form = body.split('id="verifikasi-return"')[1].split("</form>")[0]
    assert "Catatan wajib diisi" in form
    assert TOMORROW in form  # what was typed is kept
    assert "Traceback" not in body
    assert status(world, ds)["state"] == "submitted"
    assert len(status(world, ds)["history"]) == 1


def test_return_with_a_past_deadline_names_the_field(web, world):
    ds = world.dataset()
    act(world, "operator", "submit", id=ds["id"])
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    body = post(web, world, "verifikator", f"/verifikasi/dataset/{ds['name']}/return",
                {"note": "Perbaiki satuan", "deadline": yesterday}, status=400)
    form = body.split('id="verifikasi-return"')[1].split("</form>")[0]
    assert "Batas waktu tidak boleh di masa lalu" in form
    assert "Perbaiki satuan" in form
    assert status(world, ds)["state"] == "submitted"


def test_approve_by_the_verifikator_moves_the_state(web, world):
    ds = world.dataset()
    act(world, "operator", "submit", id=ds["id"])
    body = post(web, world, "verifikator", f"/verifikasi/dataset/{ds['name']}/approve",
                {"note": "Sudah sesuai"})
    assert "Dataset disetujui dan diteruskan ke walidata." in body  # flashed after redirect
    shown = status(world, ds)
    assert shown["state"] == "verified"
    assert shown["history"][-1]["note"] == "Sudah sesuai"


def test_steps_refused_by_the_workflow_are_explained_on_the_page(web, world):
    ds = world.dataset()
    # Approving a draft is not possible in this status.
    body = post(web, world, "verifikator", f"/verifikasi/dataset/{ds['name']}/approve", {},
                status=400)
    assert "Langkah ini tidak dapat dilakukan saat status dataset adalah Draf" in body
    # Another OPD cannot even see the dataset.
    act(world, "operator", "submit", id=ds["id"])
    post(web, world, "other_verifikator", f"/verifikasi/dataset/{ds['name']}/approve", {},
         status=403)
    assert status(world, ds)["state"] == "submitted"
    post(web, world, "verifikator", f"/verifikasi/dataset/{ds['name']}/publish", {},
         status=404)


def test_submit_of_incomplete_metadata_lists_what_is_missing(web, world):
    ds = world.dataset(alamat_instansi="")
    body = post(web, world, "operator", f"/verifikasi/dataset/{ds['name']}/submit", {},
                status=400)
    form = body.split('id="verifikasi-submit"')[1].split("</form>")[0]
    assert "Alamat Instansi wajib diisi" in form
    assert status(world, ds)["state"] == "draft"


def test_withdraw_needs_a_reason(web, world):
    ds = published(world)
    url = f"/verifikasi/dataset/{ds['name']}/withdraw"
    body = post(web, world, "walidata", url, {"reason": ""}, status=400)
    assert "Catatan wajib diisi" in body.split('id="verifikasi-withdraw"')[1]
    assert status(world, ds)["state"] == "published"
    body = post(web, world, "walidata", url, {"reason": "Data pribadi belum dianonimkan"})
    assert "Dataset ditarik dari publikasi." in body
    assert status(world, ds)["state"] == "withdrawn"


def test_forms_post_with_the_csrf_token_of_the_page(web, world):
    """A browser session (cookie login) must send the page's CSRF token."""
    ds = world.dataset()
    act(world, "operator", "submit", id=ds["id"])
    client = web.test_client()
    environ = {"REMOTE_USER": world.users["verifikator"]["name"]}
    url = f"/verifikasi/dataset/{ds['name']}"
    page = client.get(url, extra_environ=environ)
    assert page.status_code == 200
    approve_form = page.body.split('id="verifikasi-approve"')[1].split("</form>")[0]
    token = re.search(r'name="_csrf_token" value="([^"]+)"', approve_form).group(1)

    refused = client.post(f"{url}/approve", data={}, extra_environ=environ)
    assert refused.status_code == 400 and "CSRF" in refused.body
    assert status(world, ds)["state"] == "submitted"

    done = client.post(f"{url}/approve", data={"_csrf_token": token}, extra_environ=environ)
    assert done.status_code == 200
    assert status(world, ds)["state"] == "verified"


# Dataset page of CKAN

def test_dataset_page_shows_status_and_history_link_to_the_team_only(web, world):
    ds = published(world, title="Angka Kematian Bayi")
    url = f"/dataset/{ds['name']}"
    team = get(web, world, "operator", url)
    assert "Status verifikasi" in team and "Terbit" in team
    assert f'href="/verifikasi/dataset/{ds["name"]}"' in team
    for who in ("stranger", "other_operator", None):
        body = get(web, world, who, url)
        assert "Angka Kematian Bayi" in body
        assert "/verifikasi/dataset/" not in body and "Status verifikasi" not in body


# Notifications

def test_notifications_list_and_mark_read(web, world):
    ds = world.dataset(title="Jumlah Bidan Desa")
    act(world, "operator", "submit", id=ds["id"])
    body = get(web, world, "verifikator", "/verifikasi/notifications")
    assert "Notifikasi" in body and "Tandai sudah dibaca" in body
    assert "Menunggu verifikasi Anda: Jumlah Bidan Desa" in body
    assert "verifikasi-unread" in body
    body = post(web, world, "verifikator", "/verifikasi/notifications/read", {})
    assert "Semua notifikasi ditandai sudah dibaca." in body
    assert "verifikasi-unread" not in body and "Tandai sudah dibaca" not in body
    unread = call_action("verifikasi_notification_list", world.context("verifikator"))["unread"]
    assert unread == 0
    # Nobody else's notifications are touched or shown.
    assert "Jumlah Bidan Desa" not in get(web, world, "operator", "/verifikasi/notifications")


# Roles

def test_roles_page_is_for_walidata(web, world):
    assert "Tetapkan peran" in get(web, world, "sysadmin", "/verifikasi/roles")
    body = get(web, world, "walidata", "/verifikasi/roles")
    for text in ("Peran", "Tetapkan peran", "Dinas Kesehatan", "Dinas Pendidikan",
                 world.users["operator"]["name"], "Verifikator", "Walidata"):
        assert text in body, text
    for who in ("operator", "verifikator", "stranger"):
        get(web, world, who, "/verifikasi/roles", status=403)
    post(web, world, "operator", "/verifikasi/roles/assign",
         {"user": world.users["operator"]["name"], "role": "walidata"}, status=403)
    roles = call_action("verifikasi_role_list", world.context("walidata"),
                        user=world.users["operator"]["name"])
    assert [r["role"] for r in roles] == ["operator"]


def test_roles_page_filters_by_opd(web, world):
    body = get(web, world, "walidata",
               f"/verifikasi/roles?organization={world.other_opd['id']}")
    listing = body.split('id="verifikasi-role-list"')[1]
    assert world.users["other_operator"]["name"] in listing
    assert world.users["verifikator2"]["name"] not in listing


def test_assign_and_revoke_a_role_from_the_page(web, world):
    stranger = world.users["stranger"]["name"]
    body = post(web, world, "walidata", "/verifikasi/roles/assign",
                {"user": stranger, "role": "surveyor", "organization": world.opd["id"]})
    assert f"{stranger} sekarang Surveyor" in body
    roles = call_action("verifikasi_role_list", world.context("walidata"), user=stranger)
    assert [(r["role"], r["organization_id"]) for r in roles] == [("surveyor", world.opd["id"])]

    body = post(web, world, "walidata", "/verifikasi/roles/revoke",
                {"user": stranger, "role": "surveyor", "organization": world.opd["id"]})
    assert "dicabut" in body
    assert call_action("verifikasi_role_list", world.context("walidata"), user=stranger) == []


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"user": "tidak-ada", "role": "operator"}, "user", "Tidak ditemukan"),
    ({"role": "operator"}, "organization", "Peran ini memerlukan OPD"),
    ({"role": "operator", "organization": "opd-tidak-ada"}, "organization", "tidak ada"),
])
def test_role_errors_are_shown_in_indonesian(web, world, data, field, message):
    data = {"user": world.users["stranger"]["name"], **data}
    if "organization" not in data and field != "organization":
        data["organization"] = world.opd["id"]
    body = post(web, world, "walidata", "/verifikasi/roles/assign", data, status=400)
    block = body.split(f'for="field-role-{field}"')[1].split('class="form-group')[0]
    assert message in block, block
    assert call_action("verifikasi_role_list", world.context("walidata"),
                       user=world.users["stranger"]["name"]) == []


def test_audit_log_page_and_csv_export_are_for_walidata_only(world, web):
    call_action("verifikasi_role_assign", world.context("walidata"),
                user=world.users["stranger"]["name"], role="surveyor",
                organization=world.opd["id"])
    walidata = {"Authorization": world.users["walidata"]["token"]}
    page = web.get("/verifikasi/audit", headers=walidata)
    assert page.status_code == 200
    assert "role_assign" in page.get_data(as_text=True)
    export = web.get("/verifikasi/audit.csv", headers=walidata)
    assert export.status_code == 200
    rows = export.get_data(as_text=True).splitlines()
    assert rows[0].startswith("id,created,actor,action")
    assert any("role_assign" in r for r in rows[1:])
    for who in ("operator", "verifikator"):
        headers = {"Authorization": world.users[who]["token"]}
        assert web.get("/verifikasi/audit", headers=headers).status_code == 403
        assert web.get("/verifikasi/audit.csv", headers=headers).status_code == 403
    assert web.get("/verifikasi/audit", follow_redirects=False).status_code == 302
