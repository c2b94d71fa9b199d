"""Permohonan Data (issue 14): requests for data, access and complaints through the
action API and the pages, for every role; the deadline arithmetic; the access grant
made on approval (verifikasi's grant, audited there); e-mails over real SMTP; spam
limits (Redis) and the CSRF token of the anonymous form."""
from __future__ import annotations

import datetime as dt
import re

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.satudata.permohonan import deadline, ratelimit
from ckanext.verifikasi import shared
from ckanext.verifikasi.tests.world import make_world

_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


# Deadline arithmetic (no services needed) -------------------------------------------

def test_ten_working_days_skip_weekends():
    # Monday 2026-12-07: the 10th working day after it is Monday 2026-12-21.
    assert deadline.add_working_days(dt.date(2026, 12, 7), 10, ()) == dt.date(2026, 12, 21)
    # Received on a Friday: the day itself does not count.
    assert deadline.add_working_days(dt.date(2026, 12, 11), 10, ()) == dt.date(2026, 12, 25)
    # Received on a Saturday: counting starts on Monday.
    assert deadline.add_working_days(dt.date(2026, 12, 12), 1, ()) == dt.date(2026, 12, 14)
    assert deadline.add_working_days(dt.date(2026, 12, 12), 10, ()) == dt.date(2026, 12, 25)


def test_holidays_do_not_count_and_extension_is_seven_working_days():
    off = {dt.date(2026, 12, 25), dt.date(2027, 1, 1)}
    assert deadline.add_working_days(dt.date(2026, 12, 11), 10, off) == dt.date(2026, 12, 28)
    # 7 working days after Monday 2026-12-28, with 1 January off: Thursday 2027-01-07.
    assert deadline.add_working_days(dt.date(2026, 12, 28), 7, off) == dt.date(2027, 1, 7)
    assert deadline.working_days_between(dt.date(2026, 12, 11), dt.date(2026, 12, 28),
                                         off) == 10
    assert deadline.working_days_between(dt.date(2026, 12, 28), dt.date(2026, 12, 11),
                                         off) == -10


@pytest.mark.ckan_config("ckanext.satudata.permohonan.holidays", "2026-12-25 2027-01-01")
@pytest.mark.usefixtures("with_plugins")
def test_holidays_from_configuration():
    assert deadline.holidays() == {dt.date(2026, 12, 25), dt.date(2027, 1, 1)}
    assert deadline.first_due(dt.date(2026, 12, 11)) == dt.date(2026, 12, 28)
    assert deadline.extended_due(dt.date(2026, 12, 28)) == dt.date(2027, 1, 7)


# The actions --------------------------------------------------------------------------

@pytest.fixture
def world(with_plugins, clean_db, clean_index, with_request_context):
    ratelimit.reset()
    made = make_world()
    yield made
    ratelimit.reset()


def _ctx(world, who, **kw):
    return {"user": world.users[who]["name"], "ignore_auth": False, **kw}


ANON = {"user": "", "ignore_auth": False}


def _published(world, klass="terbatas", **kw):
    ds = world.dataset(klass, **kw)
    world.publish(ds["id"])
    return ds


def _anonymous_request(email="warga@contoh.id", **kw):
    data = {"kind": "data", "description": "Jumlah UMKM per desa 2025",
            "name": "Siti", "email": email, "institution": "Universitas Merdeka", **kw}
    return call_action("satudata_request_create", dict(ANON), **data)


def _confirm(mailbox, created):
    message = mailbox.to(created["requester"]["email"])[-1]
    link = re.search(r"(http\S+/konfirmasi\?token=\S+)", message.get_content()).group(1)
    token = link.split("token=")[1]
    return call_action("satudata_request_confirm", dict(ANON), id=created["number"],
                       token=token)


def test_anonymous_request_waits_for_the_confirmed_address(world, smtp_server):
    created = _anonymous_request()
    assert re.fullmatch(r"PD-\d{4}-\d{6}", created["number"])
    assert created["state"] == "menunggu_konfirmasi" and created["due"] is None
    # Only the confirmation link is e-mailed.
    assert len(smtp_server.to("warga@contoh.id")) == 1
    # Walidata's queue does not carry it yet, nor may anyone act on it.
    listed = call_action("satudata_request_list", _ctx(world, "walidata"))
    assert listed["count"] == 0
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_update", _ctx(world, "walidata"),
                    id=created["id"], action="forward")
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_confirm", dict(ANON), id=created["number"],
                    token="salah")
    _confirm(smtp_server, created)
    shown = call_action("satudata_request_show", dict(ANON), id=created["number"],
                        token=created["token"])
    assert shown["state"] == "diterima"
    assert shown["due"] == deadline.first_due(dt.date.fromisoformat(
        shown["received"])).isoformat()
    assert [s["action"] for s in shown["steps"]] == ["create", "confirm"]
    assert len(smtp_server.to("warga@contoh.id")) == 2  # now: received, with its number
    received = smtp_server.to("warga@contoh.id")[-1]
    assert created["number"] in received["Subject"]
    # Its link opens the status page without an account (the same secret as at first).
    token = re.search(r"token=([\w-]+)", received.get_content()).group(1)
    assert token == created["token"]
    assert call_action("satudata_request_list", _ctx(world, "walidata"))["count"] == 1


def test_requester_sees_only_their_own(world, smtp_server):
    mine = _anonymous_request()
    other = _anonymous_request(email="lain@contoh.id")
    # Another anonymous requester's token opens nothing of mine.
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_show", dict(ANON), id=mine["id"], token=other["token"])
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_show", dict(ANON), id=mine["id"])
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_list", dict(ANON))
    own = call_action("satudata_request_create", _ctx(world, "grantee"), kind="data",
                      description="Data curah hujan")
    assert own["state"] == "diterima"  # an account's address counts as confirmed
    listed = call_action("satudata_request_list", _ctx(world, "grantee"))
    assert [r["number"] for r in listed["results"]] == [own["number"]]
    assert call_action("satudata_request_list", _ctx(world, "stranger"))["count"] == 0
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_show", _ctx(world, "stranger"), id=own["id"])
    # Not forwarded yet: the OPD does not see it either.
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_show", _ctx(world, "operator"), id=own["id"])


def test_access_request_forwarded_approved_creates_the_grant(world, smtp_server):
    ds = _published(world, "terbatas")
    grantee = world.users["grantee"]
    assert not shared.can_use_data(grantee["name"], ds["id"])
    # An anonymous visitor cannot ask for access: it is granted to an account.
    with pytest.raises(tk.ValidationError) as refused:
        _anonymous_request(kind="akses", package_id=ds["id"], purpose="Penelitian")
    assert "kind" in refused.value.error_dict
    with pytest.raises(tk.ValidationError) as missing:
        call_action("satudata_request_create", _ctx(world, "grantee"), kind="akses",
                    package_id=ds["id"], description="Data mentah")
    assert "purpose" in missing.value.error_dict
    req = call_action("satudata_request_create", _ctx(world, "grantee"), kind="akses",
                      package_id=ds["id"], description="Data mentah per posyandu",
                      purpose="Skripsi tentang gizi balita")
    assert req["organization"]["title"] == world.opd["title"]
    assert req["dataset"]["title"] == ds["title"]
    # Walidata was notified in-app.
    notes = call_action("verifikasi_notification_list", _ctx(world, "walidata"))
    assert any(req["number"] in str(n) for n in notes["notifications"])
    # The OPD may not act before walidata forwards; walidata forwards.
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_update", _ctx(world, "verifikator"), id=req["id"],
                    action="approve")
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_update", _ctx(world, "operator"), id=req["id"],
                    action="forward")
    call_action("satudata_request_update", _ctx(world, "walidata"), id=req["id"],
                action="forward", note="Mohon ditindaklanjuti")
    # A foreign OPD still sees and does nothing.
    for who in ("other_operator", "other_verifikator"):
        with pytest.raises(tk.NotAuthorized):
            call_action("satudata_request_show", _ctx(world, who), id=req["id"])
        with pytest.raises(tk.NotAuthorized):
            call_action("satudata_request_update", _ctx(world, who), id=req["id"],
                        action="approve")
        assert call_action("satudata_request_list", _ctx(world, who))["count"] == 0
    assert call_action("satudata_request_list", _ctx(world, "operator"))["count"] == 1
    # The requester may not move their own request.
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_update", _ctx(world, "grantee"), id=req["id"],
                    action="approve")
    call_action("satudata_request_update", _ctx(world, "operator"), id=req["id"],
                action="process")
    with pytest.raises(tk.ValidationError):  # access requests are approved, not answered
        call_action("satudata_request_update", _ctx(world, "verifikator"), id=req["id"],
                    action="answer", note="Silakan")
    expires = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    done = call_action("satudata_request_update", _ctx(world, "verifikator"), id=req["id"],
                       action="approve", expires=expires, note="Gunakan sesuai tujuan")
    assert done["state"] == "selesai" and done["grant_expires"] == expires
    assert [s["action"] for s in done["steps"]] == ["create", "forward", "process", "approve"]
    assert done["steps"][-1]["actor"] == world.opd["title"]
    # The grant, through verifikasi's mechanism: the data opens, the grant is listed
    # and audited with the verifikator as actor.
    assert shared.can_use_data(grantee["name"], ds["id"])
    grants = shared.access_grants([ds["id"]], current_only=True)
    assert [(g["user_id"], g["expires"].isoformat()) for g in grants] == [
        (grantee["id"], expires)]
    audit = call_action("verifikasi_audit_list", _ctx(world, "walidata"), object_id=ds["id"])
    grant_entries = [a for a in audit if a["action"] == "access_grant"]
    assert grant_entries and grant_entries[0]["actor"] == world.users["verifikator"]["id"]
    # The requester was told by e-mail (real SMTP).
    mails = smtp_server.to(grantee["email"])
    assert any(req["number"] in m["Subject"] and expires[:4] in m.get_content()
               for m in mails)
    # A finished request takes no more steps.
    with pytest.raises(tk.ValidationError):
        call_action("satudata_request_update", _ctx(world, "walidata"), id=req["id"],
                    action="reject", note="Terlambat")


def test_walidata_answers_rejects_extends_once(world, smtp_server):
    data = call_action("satudata_request_create", _ctx(world, "grantee"), kind="data",
                       description="Data stunting per desa", organization=world.opd["name"])
    with pytest.raises(tk.ValidationError) as no_reason:
        call_action("satudata_request_update", _ctx(world, "walidata"), id=data["id"],
                    action="extend")
    assert "note" in no_reason.value.error_dict
    extended = call_action("satudata_request_update", _ctx(world, "walidata"),
                           id=data["id"], action="extend", note="Data sedang dihimpun")
    assert extended["due"] == deadline.extended_due(
        deadline.first_due(dt.date.fromisoformat(data["received"]))).isoformat()
    assert extended["extended"] and extended["extension_reason"] == "Data sedang dihimpun"
    with pytest.raises(tk.ValidationError):
        call_action("satudata_request_update", _ctx(world, "walidata"), id=data["id"],
                    action="extend", note="Lagi")
    answered = call_action("satudata_request_update", _ctx(world, "walidata"),
                           id=data["id"], action="answer", note="Lihat dataset X")
    assert answered["state"] == "selesai" and answered["answer"] == "Lihat dataset X"
    complaint = call_action("satudata_request_create", _ctx(world, "grantee"),
                            kind="pengaduan", package_id=_published(world, "terbuka")["id"],
                            description="Angka tahun 2024 tidak cocok")
    with pytest.raises(tk.ValidationError):
        call_action("satudata_request_update", _ctx(world, "walidata"), id=complaint["id"],
                    action="reject")
    rejected = call_action("satudata_request_update", _ctx(world, "walidata"),
                           id=complaint["id"], action="reject", note="Data sudah benar")
    assert rejected["state"] == "ditolak" and rejected["answer"] == "Data sudah benar"
    stats = call_action("satudata_request_statistics", dict(ANON))
    assert stats["total"]["received"] == 2 and stats["total"]["answered"] == 2
    assert stats["total"]["on_time"] == 2


def test_sysadmin_does_every_step(world, smtp_server):
    req = call_action("satudata_request_create", _ctx(world, "grantee"), kind="data",
                      description="Data X")
    with pytest.raises(tk.ValidationError) as no_opd:
        call_action("satudata_request_update", _ctx(world, "sysadmin"), id=req["id"],
                    action="forward")
    assert "organization" in no_opd.value.error_dict
    call_action("satudata_request_update", _ctx(world, "sysadmin"), id=req["id"],
                action="forward", organization=world.other_opd["id"])
    # Forwarded to the other OPD: its verifikator answers, the first OPD cannot.
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_request_update", _ctx(world, "verifikator"), id=req["id"],
                    action="answer", note="x")
    done = call_action("satudata_request_update", _ctx(world, "other_verifikator"),
                       id=req["id"], action="answer", note="Terlampir tautan data")
    assert done["state"] == "selesai"


def test_overdue_is_flagged_for_walidata(world, smtp_server):
    from ckanext.satudata.permohonan.model import Permohonan

    req = call_action("satudata_request_create", _ctx(world, "grantee"), kind="data",
                      description="Data Y")
    row = model.Session.get(Permohonan, req["id"])
    row.received, row.due = dt.date(2026, 1, 5), dt.date(2026, 1, 19)
    model.Session.commit()
    listed = call_action("satudata_request_list", _ctx(world, "walidata"), overdue=True)
    assert [r["number"] for r in listed["results"]] == [req["number"]]
    assert listed["results"][0]["overdue"] is True
    assert call_action("satudata_request_statistics", dict(ANON))["total"]["overdue"] == 1


def test_unpublished_or_rahasia_titles_never_leak(world, smtp_server):
    draft = world.dataset("terbatas", title="Rahasia Draf Zqx")
    secret = world.dataset("rahasia", title="Data Rahasia Zqy")
    for ds in (draft, secret):
        for kind in ("akses", "pengaduan"):
            with pytest.raises(tk.ValidationError) as refused:
                call_action("satudata_request_create", _ctx(world, "grantee"), kind=kind,
                            package_id=ds["id"], description="x", purpose="y")
            assert "Zq" not in str(refused.value.error_dict)
    # A complaint about a dataset later withdrawn: its title is no longer shown.
    public = _published(world, "terbuka", title="Data Ditarik Zqz")
    req = call_action("satudata_request_create", _ctx(world, "grantee"), kind="pengaduan",
                      package_id=public["id"], description="Salah")
    call_action("verifikasi_withdraw", _ctx(world, "walidata"), id=public["id"],
                reason="Diperbaiki")
    shown = call_action("satudata_request_show", _ctx(world, "grantee"), id=req["id"])
    assert shown["dataset"] is None and "Zqz" not in str(shown)


@pytest.mark.ckan_config("ckanext.satudata.permohonan.rate_limit_email", "2")
@pytest.mark.ckan_config("ckanext.satudata.permohonan.rate_limit_ip", "3")
def test_rate_limits_per_email_and_ip(world, smtp_server, make_app):
    app = make_app()
    _anonymous_request(email="a@contoh.id")
    _anonymous_request(email="a@contoh.id")
    with pytest.raises(tk.ValidationError) as limited:
        _anonymous_request(email="a@contoh.id")
    assert "limit" in limited.value.error_dict
    # Per IP, through the pages (the form posts from one address).
    ratelimit.reset()
    client = app.test_client(use_cookies=True)
    token = _CSRF.search(client.get("/permohonan-data").body).group(1)
    allowed = ratelimit.limits()["ip"]
    codes = []
    for i in range(allowed + 1):
        response = client.post("/permohonan-data", data={
            "_csrf_token": token, "kind": "data", "description": f"Data {i}",
            "name": "B", "email": f"b{i}@contoh.id", "institution": "X"},
            follow_redirects=False, environ_base={"REMOTE_ADDR": "127.0.0.9"})
        codes.append(response.status_code)
    assert codes == [302] * allowed + [200]
    assert "Terlalu banyak" in response.body or "Too many" in response.body


def test_size_limits(world):
    with pytest.raises(tk.ValidationError) as too_long:
        _anonymous_request(description="x" * 4001, name="n" * 201)
    assert set(too_long.value.error_dict) == {"description", "name"}


def test_form_checks_csrf_without_a_session_cookie(world, make_app, smtp_server):
    app = make_app()
    bare = app.test_client(use_cookies=False)
    response = bare.post("/permohonan-data", data={
        "kind": "data", "description": "Tanpa token", "name": "C", "email": "c@contoh.id",
        "institution": "X"}, follow_redirects=False)
    assert response.status_code == 400
    response = bare.post("/permohonan-data", data={
        "_csrf_token": "palsu", "kind": "data", "description": "Token palsu", "name": "C",
        "email": "c@contoh.id", "institution": "X"}, follow_redirects=False)
    assert response.status_code == 400
    assert call_action("satudata_request_statistics", dict(ANON))["total"]["received"] == 0
    assert not smtp_server.to("c@contoh.id")
    # Too large a body.
    client = app.test_client(use_cookies=True)
    token = _CSRF.search(client.get("/permohonan-data").body).group(1)
    response = client.post("/permohonan-data", data={"_csrf_token": token,
                                                      "description": "x" * 70000})
    assert response.status_code == 413


def test_pages_form_status_and_steps(world, make_app, smtp_server):
    app = make_app()
    ds = _published(world, "terbatas", title="Data Terbatas Zqa")
    client = app.test_client(use_cookies=True)
    form = client.get(f"/permohonan-data?dataset={ds['name']}&jenis=pengaduan")
    assert "Data Terbatas Zqa" in form.body
    token = _CSRF.search(form.body).group(1)
    sent = client.post("/permohonan-data", data={
        "_csrf_token": token, "kind": "pengaduan", "package_id": ds["id"],
        "description": "Judul kolom salah", "name": "Dewi", "email": "dewi@contoh.id",
        "institution": "LSM Data"}, follow_redirects=False)
    assert sent.status_code == 302, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", sent.body))[-800:]
    status_url = sent.headers["Location"]
    status = client.get(status_url)
    assert "PD-" in status.body
    assert _confirm(smtp_server, {"number": re.search(r"(PD-\d{4}-\d{6})", status.body)
                                  .group(1), "requester": {"email": "dewi@contoh.id"}})
    # The public page: figures only, never the title or the requester.
    public = app.get("/permohonan-data")
    assert 'data-stat="received">1<' in public.body
    assert "Dewi" not in public.body and "Judul kolom salah" not in public.body
    # Walidata's status page offers the steps; a stranger gets 404.
    number = re.search(r"(PD-\d{4}-\d{6})", status.body).group(1)
    walidata = {"REMOTE_USER": world.users["walidata"]["name"]}
    staff_page = app.get(f"/permohonan-data/{number}", extra_environ=walidata)
    assert 'name="action"' in staff_page.body and "Dewi" in staff_page.body
    stranger = {"REMOTE_USER": world.users["stranger"]["name"]}
    assert app.get(f"/permohonan-data/{number}", extra_environ=stranger,
                   status=404).status_code == 404
    queue = app.get("/permohonan-data/kelola", extra_environ=walidata)
    assert number in queue.body
    # The restricted dataset's notice leads to the access form for that dataset.
    page = app.get(f"/dataset/{ds['name']}")
    assert f"/permohonan-data?dataset={ds['name']}&jenis=akses" in page.body.replace(
        "&amp;", "&")


def test_grants_page(world, make_app):
    app = make_app()
    ds = _published(world, "terbatas")
    walidata = {"REMOTE_USER": world.users["walidata"]["name"]}
    for who in ("operator", "verifikator", "stranger"):
        app.get("/permohonan-data/akses",
                extra_environ={"REMOTE_USER": world.users[who]["name"]}, status=403)
    client = app.test_client(use_cookies=True)
    page = client.get("/permohonan-data/akses", extra_environ=walidata)
    token = _CSRF.search(page.body).group(1)
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    grantee = world.users["grantee"]
    client.post("/permohonan-data/akses", extra_environ=walidata, data={
        "_csrf_token": token, "do": "create", "package": ds["name"],
        "user": grantee["name"], "expires": expires, "reason": "Kerja sama"})
    assert shared.can_use_data(grantee["name"], ds["id"])
    later = (dt.date.today() + dt.timedelta(days=120)).isoformat()
    client.post("/permohonan-data/akses", extra_environ=walidata, data={
        "_csrf_token": token, "do": "extend", "package": ds["id"], "user": grantee["name"],
        "expires": later})
    listed = client.get("/permohonan-data/akses", extra_environ=walidata)
    assert ds["title"] in listed.body
    assert max(g["expires"] for g in shared.access_grants([ds["id"]])).isoformat() == later
    client.post("/permohonan-data/akses", extra_environ=walidata, data={
        "_csrf_token": token, "do": "revoke", "package": ds["id"], "user": grantee["name"]})
    assert not shared.can_use_data(grantee["name"], ds["id"])
    actions = [a["action"] for a in call_action(
        "verifikasi_audit_list", _ctx(world, "walidata"), object_id=ds["id"])]
    assert actions.count("access_grant") == 2 and "access_revoke" in actions
