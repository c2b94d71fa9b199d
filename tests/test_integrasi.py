"""Integrations of OPD systems (issue 15, SOP 002): request, decision, service account
and token, pushes by token that reach the verifikator's inbox, documents, monitoring,
alerts and the KPIs. Scheduled pulls through a real worker: tests/test_integrasi_live.py.
"""
from __future__ import annotations

import io

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action
from werkzeug.datastructures import FileStorage

from ckanext.satudata.integrasi import kpi
from ckanext.satudata.integrasi.model import Integrasi, IntegrasiEvent, IntegrasiRun
from ckanext.verifikasi.model import AuditEntry
from ckanext.verifikasi.model.notification import Notification
from ckanext.verifikasi.tests import world as world_module
from ckanext.verifikasi.tests.world import make_world

# Pages are requested without a request context around the test (a pushed one would
# share its anonymous user with the test client's requests); the data is made inside one.
pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

COLUMNS = [
    {"id": "kode", "label": "Kode Desa", "tipe_data": "CHARACTER", "key": True},
    {"id": "nama", "label": "Nama Desa", "tipe_data": "CHARACTER", "required": True},
    {"id": "jumlah", "label": "Jumlah Penduduk", "tipe_data": "INTEGER", "required": True},
]
REQUEST = {"system_name": "SIMPUS Dinas Kesehatan", "contact": "Budi, budi@contoh.go.id",
           "api_description": "REST, JSON, token di header Authorization",
           "data_structure": "kode desa, nama desa, jumlah penduduk"}
WHO = ("sysadmin", "walidata", "operator", "verifikator", "other_operator",
       "other_verifikator", "stranger", "service", "anonymous")


@pytest.fixture
def world(app):
    with app.flask_app.test_request_context():
        return make_world()


@pytest.fixture
def ctx(app):
    """A request context for action calls that build links (notifications)."""
    with app.flask_app.test_request_context():
        yield


def _input(world, org="opd"):
    if org == "opd":
        dataset = world.dataset()
        ctx = world.context("operator")
    else:
        dataset = call_action("package_create", world.context("other_operator"), **{
            "name": "data-dinas-pendidikan", "title": "Data Dinas Pendidikan",
            "owner_org": world.other_opd["id"], "kategori": "DATA_DASAR",
            "klasifikasi_akses": "terbuka", "license_id": "cc-by",
            **world_module.complete_fields("Data", 2025, world.other_opd["title"])})
        ctx = world.context("other_operator")
    created = call_action("satudata_input_package_create", ctx, package_id=dataset["id"],
                          title="Penduduk per desa", frequency="tahunan", columns=COLUMNS)
    return dataset, created


def _approved(world, **extra):
    created = call_action("satudata_integration_create", world.context("operator"),
                          organization_id=world.opd["id"], **REQUEST, **extra)
    decided = call_action("satudata_integration_decide", world.context("walidata"),
                          id=created["id"], decision="approve")
    return decided


def _context(world, who, service=None):
    if who == "anonymous":
        return {"user": "", "ignore_auth": False}
    if who == "service":
        return {"user": service, "ignore_auth": False}
    return world.context(who)


def _allowed(action, context, data):
    try:
        tk.check_access(action, dict(context), data)
    except tk.NotAuthorized:
        return False
    return True


def test_request_approval_makes_a_service_account_with_a_token_shown_once(world, app):
    created = call_action("satudata_integration_create", world.context("operator"),
                          organization_id=world.opd["name"], **REQUEST,
                          upload=FileStorage(io.BytesIO(b"%PDF-1.4 dokumen"),
                                             "dokumen-integrasi.pdf"))
    assert created["status"] == "requested"
    assert created["organization_id"] == world.opd["id"]
    # walidata is told of the request
    walidata_id = world.users["walidata"]["id"]
    assert model.Session.scalars(sa.select(Notification).where(
        Notification.user_id == walidata_id)).first() is not None

    decided = call_action("satudata_integration_decide", world.context("walidata"),
                          id=created["id"], decision="approve")
    assert decided["status"] == "approved" and decided["token"]
    account = model.User.get(decided["service_account"])
    assert account.name.startswith("integrasi-simpus-dinas-kesehatan")
    assert not account.sysadmin
    # not a person with a role: no OPD membership, no portal role
    assert not model.Session.scalars(sa.select(model.Member).where(
        model.Member.table_id == account.id, model.Member.state == "active")).all()
    # shown once: the show action never returns it
    shown = call_action("satudata_integration_show", world.context("walidata"),
                        id=created["id"])
    assert "token" not in shown
    assert [e["action"] for e in shown["events"]] == ["requested", "approved"]
    assert [d["filename"] for d in shown["documents"]] == ["dokumen-integrasi.pdf"]
    # a second decision is refused
    with pytest.raises(tk.ValidationError):
        call_action("satudata_integration_decide", world.context("walidata"),
                    id=created["id"], decision="reject", note="x")
    # the token authenticates as the service account
    me = app.post("/api/action/satudata_integration_list", json={},
                  headers={"Authorization": decided["token"]})
    assert me.status_code == 403  # a service account sees no monitoring


def test_reject_needs_a_note_and_is_audited(world):
    created = call_action("satudata_integration_create", world.context("operator"),
                          organization_id=world.opd["id"], **REQUEST)
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_integration_decide", world.context("walidata"),
                    id=created["id"], decision="reject")
    assert "note" in err.value.error_dict
    done = call_action("satudata_integration_decide", world.context("walidata"),
                       id=created["id"], decision="reject", note="Struktur data belum ada")
    assert done["status"] == "rejected" and done["token"] is None
    events = model.Session.scalars(sa.select(IntegrasiEvent.action).where(
        IntegrasiEvent.integrasi_id == created["id"])).all()
    assert sorted(events) == ["rejected", "requested"]
    logged = model.Session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_id == created["id"])).all()
    assert set(logged) == {"integrasi_requested", "integrasi_rejected"}


def test_bad_request_fields_are_named(world):
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_integration_create", world.context("operator"),
                    organization_id="tidak-ada", system_name="", contact="x",
                    api_description="x", data_structure="x")
    assert {"organization_id", "system_name"} <= set(err.value.error_dict)
    created = call_action("satudata_integration_create", world.context("operator"),
                          organization_id=world.opd["id"], **REQUEST)
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_integration_decide", world.context("walidata"),
                    id=created["id"], decision="ya")
    assert "decision" in err.value.error_dict


def _push(app, token, input_id, rows, period="2025", status=200):
    res = app.post("/api/action/satudata_integration_push",
                   json={"input_id": input_id, "period": period, "rows": rows},
                   headers={"Authorization": token}, expect_errors=True)
    assert res.status_code == status, res.get_data(as_text=True)
    return res.json


def _working_rows(world, input_id, period="2025"):
    listing = call_action("satudata_input_rows_list", world.context("operator"), id=input_id,
                          period=period)
    return sorted((r["kode"], r["nama"], r["jumlah"]) for r in listing["rows"])


def test_push_by_token_upserts_by_key_and_reaches_the_verifikator_inbox(world, app):
    dataset, inp = _input(world)
    token = _approved(world)["token"]
    first = _push(app, token, inp["id"], [
        {"kode": "01", "nama": "Sukorejo", "jumlah": "10"},
        {"kode": "02", "nama": "Pandaan", "jumlah": "20"}])["result"]
    assert (first["added"], first["updated"]) == (2, 0)
    assert first["run"]["state"] == "success" and first["run"]["rows_accepted"] == 2
    # the same push again changes nothing; a changed value updates its row
    again = _push(app, token, inp["id"], [
        {"kode": "01", "nama": "Sukorejo", "jumlah": "10"},
        {"kode": "02", "nama": "Pandaan", "jumlah": "25"},
        {"kode": "03", "nama": "Bangil", "jumlah": "5"}])["result"]
    assert (again["added"], again["updated"]) == (1, 2)
    assert _working_rows(world, inp["id"]) == [
        ("01", "Sukorejo", "10"), ("02", "Pandaan", "25"), ("03", "Bangil", "5")]

    # every wrong row is reported, nothing written, the run failed, OPD and walidata told
    bad = _push(app, token, inp["id"], [
        {"kode": "04", "nama": "", "jumlah": "sepuluh"},
        {"kode": "05", "nama": "Beji", "jumlah": "x"},
        {"kode": "06", "nama": "Gempol", "jumlah": "1"}], status=409)
    assert len(bad["error"]["rows"]) == 3
    assert len(_working_rows(world, inp["id"])) == 3
    run = model.Session.scalars(sa.select(IntegrasiRun).where(
        IntegrasiRun.state == "failed")).one()
    assert (run.rows_received, run.rows_accepted, run.rows_rejected) == (3, 0, 2)
    assert run.alerted is not None
    told = set(model.Session.scalars(sa.select(Notification.user_id).where(
        Notification.package_id == dataset["id"])))
    assert {world.users["operator"]["id"], world.users["walidata"]["id"]} <= told
    # a system retrying the bad push: recorded each time, told once in six hours
    notes = model.Session.query(Notification).count()
    _push(app, token, inp["id"], [{"kode": "07", "nama": "", "jumlah": "1"}], status=409)
    assert model.Session.query(Notification).count() == notes
    assert model.Session.scalars(sa.select(sa.func.count()).select_from(IntegrasiRun).where(
        IntegrasiRun.state == "failed")).one() == 2

    # the rows go through verification: the operator submits, the verifikator's inbox
    call_action("verifikasi_submit", world.context("operator"), id=dataset["id"])
    inbox = call_action("verifikasi_queue_list", world.context("verifikator"))
    assert dataset["id"] in [i["id"] for i in inbox["waiting"]]


def test_push_into_a_published_dataset_starts_an_update_not_a_silent_change(world, app):
    dataset, inp = _input(world)
    token = _approved(world)["token"]
    _push(app, token, inp["id"], [{"kode": "01", "nama": "Sukorejo", "jumlah": "10"}])
    world.publish(dataset["id"])
    public = call_action("datastore_search", {"user": ""}, resource_id=inp["resource_id"])
    assert [r["jumlah"] for r in public["records"]] == [10]

    result = _push(app, token, inp["id"], [{"kode": "01", "nama": "Sukorejo",
                                            "jumlah": "99"}])["result"]
    assert result["published"] is False and result["updated"] == 1
    status = call_action("verifikasi_status_show", world.context("operator"), id=dataset["id"])
    assert status["state"] == "draft"
    public = call_action("datastore_search", {"user": ""}, resource_id=inp["resource_id"])
    assert [r["jumlah"] for r in public["records"]] == [10]  # still the published value
    call_action("verifikasi_submit", world.context("operator"), id=dataset["id"])
    inbox = call_action("verifikasi_queue_list", world.context("verifikator"))
    assert dataset["id"] in [i["id"] for i in inbox["waiting"]]


def test_a_token_pushes_only_into_its_own_opd_and_stops_when_revoked(world, app):
    _dataset, inp = _input(world)
    _other, foreign = _input(world, org="other")
    approved = _approved(world)
    token = approved["token"]
    res = _push(app, token, foreign["id"], [{"kode": "01", "nama": "A", "jumlah": "1"}],
                status=403)
    assert res["success"] is False
    # the account may not use the data-entry actions of people either
    app.post("/api/action/satudata_input_rows_save", json={
        "id": inp["id"], "period": "2025",
        "rows": [{"values": {"kode": "01", "nama": "A", "jumlah": "1"}}]},
        headers={"Authorization": token}, status=403)
    app.post("/api/action/package_patch", json={"id": _dataset["id"], "title": "x"},
             headers={"Authorization": token}, status=403)
    # nor change itself or make more tokens
    account = approved["service_account"]
    app.post("/api/action/api_token_create", json={"user": account, "name": "lagi"},
             headers={"Authorization": token}, status=403)
    app.post("/api/action/user_patch", json={"id": account, "about": "x"},
             headers={"Authorization": token}, status=403)
    # an operator's own token cannot push (push is for systems)
    _push(app, world.users["operator"]["token"], inp["id"],
          [{"kode": "01", "nama": "A", "jumlah": "1"}], status=403)
    call_action("satudata_integration_revoke", world.context("walidata"),
                id=approved["id"], reason="Sistem dihentikan")
    _push(app, token, inp["id"], [{"kode": "01", "nama": "A", "jumlah": "1"}], status=403)
    assert model.Session.get(Integrasi, approved["id"]).status == "revoked"


def test_auth_of_every_action_per_role(world):
    _dataset, inp = _input(world)
    approved = _approved(world)
    service = approved["service_account"]
    requested = call_action("satudata_integration_create", world.context("operator"),
                            organization_id=world.opd["id"], **REQUEST)
    call_action("satudata_integration_pull_set", world.context("operator"),
                input_id=inp["id"], url="https://contoh.go.id/data.csv", format="csv",
                schedule="daily", period="2025")
    staff = {"sysadmin", "walidata", "operator", "verifikator"}
    managers = {"sysadmin", "walidata", "operator"}
    matrix = {
        "satudata_integration_create": ({"organization_id": world.opd["id"]}, managers),
        "satudata_integration_show": ({"id": approved["id"]}, staff),
        "satudata_integration_document_show": ({"id": approved["id"]}, staff),
        "satudata_integration_document_add": ({"id": approved["id"]}, managers),
        "satudata_integration_list": ({}, staff | {"other_operator", "other_verifikator"}),
        "satudata_integration_decide": ({"id": requested["id"]}, {"sysadmin", "walidata"}),
        "satudata_integration_revoke": ({"id": approved["id"]}, {"sysadmin", "walidata"}),
        "satudata_integration_pull_set": ({"input_id": inp["id"]}, managers),
        "satudata_integration_pull_run": ({"input_id": inp["id"]}, managers),
        "satudata_integration_pull_delete": ({"input_id": inp["id"]}, managers),
        "satudata_integration_push": ({"input_id": inp["id"]}, {"sysadmin", "service"}),
        "satudata_integration_kpi": ({}, set(WHO)),
    }
    found = {}
    for action, (data, _allowed_roles) in matrix.items():
        found[action] = {who for who in WHO
                         if _allowed(action, _context(world, who, service), data)}
    assert found == {action: allowed for action, (_d, allowed) in matrix.items()}


def test_pages_per_role(world, app):
    _dataset, inp = _input(world)
    approved = _approved(world)
    service_token = approved["token"]
    index = "/integrasi/"
    show = f"/integrasi/{approved['id']}"

    def get(url, who):
        headers = {}
        if who == "service":
            headers = {"Authorization": service_token}
        elif who != "anonymous":
            headers = {"Authorization": world.users[who]["token"]} if who != "sysadmin" \
                else {}
        if who == "sysadmin":
            from ckan.tests import factories  # noqa: PLC0415
            headers = {"Authorization": factories.SysadminWithToken()["token"]}
        return app.get(url, headers=headers, follow_redirects=False)

    expected_index = {"sysadmin": 200, "walidata": 200, "operator": 200, "verifikator": 200,
                      "other_operator": 200, "other_verifikator": 200, "stranger": 403,
                      "service": 403, "anonymous": 302}
    expected_show = {**expected_index, "other_operator": 403, "other_verifikator": 403}
    assert {w: get(index, w).status_code for w in WHO} == expected_index
    assert {w: get(show, w).status_code for w in WHO} == expected_show
    # the foreign OPD's monitoring page does not list the integration
    other = get(index, "other_operator").get_data(as_text=True)
    assert approved["id"] not in other and REQUEST["system_name"] not in other
    mine = get(index, "operator").get_data(as_text=True)
    assert approved["id"] in mine
    assert get(f"/integrasi/{'0' * 8}", "walidata").status_code == 404


def test_documents_are_size_limited_and_only_the_opd_and_walidata_download_them(world, app):
    approved = _approved(world)
    doc = call_action("satudata_integration_document_add", world.context("operator"),
                      id=approved["id"],
                      upload=FileStorage(io.BytesIO(b"struktur basis data"), "struktur.txt"))
    url = f"/integrasi/{approved['id']}/dokumen/{doc['id']}"
    res = app.get(url, headers={"Authorization": world.users["verifikator"]["token"]})
    assert res.status_code == 200 and res.data == b"struktur basis data"
    assert app.get(url, headers={"Authorization": world.users["other_operator"]["token"]}
                   ).status_code == 403
    big = FileStorage(io.BytesIO(b"x" * (11 * 2**20)), "besar.pdf")
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_integration_document_add", world.context("operator"),
                    id=approved["id"], upload=big)
    assert "upload" in err.value.error_dict
    shown = call_action("satudata_integration_show", world.context("walidata"),
                        id=approved["id"])
    assert [d["filename"] for d in shown["documents"]] == ["struktur.txt"]


def test_kpis_in_one_query(world, app):
    _dataset, inp = _input(world)
    _input(world)  # a second dataset with an input package, never synced
    token = _approved(world)["token"]
    call_action("satudata_integration_create", world.context("operator"),
                organization_id=world.opd["id"], **REQUEST)  # requested, not integrated
    before = kpi.compute()
    assert before["applications_integrated"]["numerator"] == 0
    assert before["applications_integrated"]["denominator"] == 2
    _push(app, token, inp["id"], [{"kode": "01", "nama": "A", "jumlah": "1"}])
    after = kpi.compute()
    assert after["applications_integrated"] == {"value": 50.0, "numerator": 1,
                                                "denominator": 2}
    assert after["datasets_synced"] == {"value": 50.0, "numerator": 1, "denominator": 2}
    shown = call_action("satudata_integration_kpi", {"user": ""})
    assert shown["datasets_synced"]["value"] == 50.0


def test_kpis_on_the_kinerja_sdi_page(world, app):
    page = app.get("/kinerja-sdi")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'id="integrasi"' in body
    assert 'data-kpi="applications_integrated"' in body
    assert 'data-kpi="datasets_synced"' in body


def _token(world, who):
    if who == "sysadmin":
        from ckan.tests import factories  # noqa: PLC0415

        return factories.APIToken(user=world.users["sysadmin"]["id"])["token"]
    return world.users[who]["token"]


def test_form_routes_per_role(world, app):
    """Every POST route as each role (API token; anonymous is sent to the login page)."""
    with app.flask_app.test_request_context():
        _dataset, inp = _input(world)
        approved = _approved(world)
    people = ("walidata", "operator", "verifikator", "other_operator", "stranger")

    def post(url, who, data=None):
        headers = {"Authorization": _token(world, who)} if who != "anonymous" else {}
        return app.post(url, data=data or {}, headers=headers, follow_redirects=False,
                        expect_errors=True).status_code

    # register: operator of the OPD and walidata; the others 403
    form = {**REQUEST, "organization_id": world.opd["id"]}
    got = {who: post("/integrasi/baru", who, form) for who in (*people, "anonymous")}
    assert got == {"walidata": 302, "operator": 302, "verifikator": 403,
                   "other_operator": 403, "stranger": 403, "anonymous": 302}
    # a missing field: the form again with the field named, 400
    assert post("/integrasi/baru", "operator", {**form, "system_name": ""}) == 400
    requested = model.Session.scalars(sa.select(Integrasi).where(
        Integrasi.status == "requested")).first()

    # decide: walidata only; the token is shown once, on the answer to the approval
    for who in ("operator", "verifikator", "other_operator", "stranger"):
        assert post(f"/integrasi/{requested.id}/putuskan", who,
                    {"decision": "approve"}) == 403
    res = app.post(f"/integrasi/{requested.id}/putuskan", data={"decision": "approve"},
                   headers={"Authorization": _token(world, "walidata")})
    body = res.get_data(as_text=True)
    assert res.status_code == 200 and 'id="integrasi-token"' in body
    again = app.get(f"/integrasi/{requested.id}",
                    headers={"Authorization": _token(world, "walidata")})
    assert 'id="integrasi-token"' not in again.get_data(as_text=True)

    pull = {"input_id": inp["id"], "url": "https://contoh.go.id/data.csv", "format": "csv",
            "schedule": "weekly", "period": "2025"}
    base = f"/integrasi/{approved['id']}"
    assert {who: post(f"{base}/tarik", who, pull) for who in people} == {
        "walidata": 302, "operator": 302, "verifikator": 403, "other_operator": 403,
        "stranger": 403}
    assert post(f"{base}/tarik", "operator", {**pull, "period": "2025-07"}) == 400
    assert post(f"{base}/tarik", "operator", {**pull, "url": "file:///etc/passwd"}) == 400
    for who in ("verifikator", "other_operator", "stranger"):
        assert post(f"{base}/tarik/{inp['id']}/jalankan", who) == 403
        assert post(f"{base}/tarik/{inp['id']}/hapus", who) == 403
        assert post(f"{base}/cabut", who, {"reason": "x"}) == 403
        assert post(f"{base}/dokumen", who) == 403
    assert post(f"{base}/tarik/{inp['id']}/jalankan", "operator") == 302
    assert post(f"{base}/tarik/{inp['id']}/hapus", "operator") == 302
    assert post(f"{base}/cabut", "operator", {"reason": "x"}) == 403
    assert post(f"{base}/cabut", "walidata", {"reason": ""}) == 400
    assert post(f"{base}/cabut", "walidata", {"reason": "Sistem diganti"}) == 302
    for url in (f"{base}/cabut", f"{base}/tarik", "/integrasi/baru"):
        assert post(url, "anonymous") in (302, 403)


def test_a_pull_that_stops_running_is_recorded_as_missed_and_alerted(world, ctx,
                                                                      smtp_server):
    import datetime as dt  # noqa: PLC0415

    from ckanext.satudata.integrasi import jobs  # noqa: PLC0415
    from ckanext.satudata.integrasi.model import IntegrasiPull  # noqa: PLC0415

    dataset, inp = _input(world)
    call_action("satudata_integration_pull_set", world.context("operator"),
                input_id=inp["id"], url="https://contoh.go.id/data.csv", format="csv",
                schedule="daily", period="2025")
    pull = model.Session.scalars(sa.select(IntegrasiPull)).one()
    pull.created = pull.next_due = dt.datetime.utcnow() - dt.timedelta(days=3)
    model.Session.commit()
    assert jobs.record_missed() == 1
    assert jobs.record_missed() == 0  # once per gap
    run = model.Session.scalars(sa.select(IntegrasiRun)).one()
    assert run.state == "missed" and run.alerted is not None
    told = set(model.Session.scalars(sa.select(Notification.user_id).where(
        Notification.package_id == dataset["id"])))
    assert {world.users["operator"]["id"], world.users["walidata"]["id"]} <= told
    assert smtp_server.to("operator@contoh.go.id") and smtp_server.to("walidata@contoh.go.id")
    overview = call_action("satudata_integration_list", world.context("verifikator"))
    assert [f["state"] for f in overview["failures"]] == ["missed"]
    assert overview["monthly"][0]["failed"] == 1
    foreign = call_action("satudata_integration_list", world.context("other_verifikator"))
    assert foreign["failures"] == [] and foreign["pulls"] == []


def test_pull_settings_are_checked(world, ctx):
    _dataset, inp = _input(world)
    op = world.context("operator")
    base = {"input_id": inp["id"], "url": "https://contoh.go.id/a.csv", "format": "csv",
            "schedule": "daily", "period": "2025"}
    for bad, field in (({"format": "pdf"}, "format"), ({"schedule": "hourly"}, "schedule"),
                       ({"url": "ftp://contoh.go.id/a.csv"}, "url"),
                       ({"period": "2025-T1"}, "period")):
        with pytest.raises(tk.ValidationError) as err:
            call_action("satudata_integration_pull_set", op, **{**base, **bad})
        assert field in err.value.error_dict, (bad, err.value.error_dict)
    # an integration of another OPD, or not approved, cannot serve this package
    other = call_action("satudata_integration_create", world.context("other_operator"),
                        organization_id=world.other_opd["id"], **REQUEST)
    call_action("satudata_integration_decide", world.context("walidata"), id=other["id"],
                decision="approve")
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_integration_pull_set", op, integration_id=other["id"], **base)
    assert "integration_id" in err.value.error_dict


def test_a_run_left_running_by_a_stopped_worker_ends_as_failed(world, ctx, smtp_server):
    import datetime as dt  # noqa: PLC0415

    from ckanext.satudata.integrasi import jobs  # noqa: PLC0415

    _dataset, inp = _input(world)
    run = IntegrasiRun(input_id=inp["id"], organization_id=world.opd["id"], mode="pull",
                       period="2025", state="running", errors=[],
                       started=dt.datetime.utcnow() - dt.timedelta(hours=2))
    model.Session.add(run)
    model.Session.commit()
    assert jobs.record_missed() == 1
    model.Session.refresh(run)
    assert run.state == "failed" and run.finished is not None and run.alerted is not None
    assert jobs.record_missed() == 0


@pytest.mark.live_server
def test_pushes_into_one_input_package_wait_for_each_other(world, live_ckan):
    """Two systems pushing the same new key at once must not both add it: a push reads
    which keys are stored before it writes, so pushes of one input package take turns
    (an advisory lock). Held here by the test, a push through the live server waits;
    released, both pushes finish and the key is stored once."""
    import threading

    import requests

    from ckanext.satudata.integrasi import sync

    _, inp = _input(world)
    token = _approved(world)["token"]
    base = live_ckan(world.users["walidata"]["token"])
    answers: list[int] = []

    def push(value: str) -> None:
        answers.append(requests.post(
            f"{base}/api/action/satudata_integration_push", timeout=120,
            headers={"Authorization": token},
            json={"input_id": inp["id"], "period": "2025",
                  "rows": [{"kode": "09", "nama": "Kraton", "jumlah": value}]}).status_code)

    with sync.one_sync_at_a_time(inp["id"]):
        pushes = [threading.Thread(target=push, args=(v,)) for v in ("1", "2")]
        for thread in pushes:
            thread.start()
        pushes[0].join(timeout=3)
        assert pushes[0].is_alive() and not answers  # waiting for the lock
    for thread in pushes:
        thread.join(timeout=120)
    assert answers == [200, 200]
    rows = _working_rows(world, inp["id"])
    assert [r[:2] for r in rows] == [("09", "Kraton")] and rows[0][2] in ("1", "2")
