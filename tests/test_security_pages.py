"""The walidata's web pages of login security and of personal data (issue 14).

`/pengguna/keamanan/<id>` (an account's failed logins, lock and second factor; unlock and
reset forms) and `/dataset/<id>/data-pribadi` (the findings of the personal data scan,
the accepted exceptions; the walidata records and deletes exceptions), each route tried
by a sysadmin, the walidata, the owning OPD's operator and verifikator, a foreign OPD's
operator and an anonymous visitor. Real PostgreSQL, DataStore, Solr and Redis.

Web requests go to `web`, an app of its own: the world's users send their API tokens,
the sysadmin gets one too (an API token exempts a post from the CSRF check).
Nothing here asserts translated text: structure, ids, numbers and states only.
"""
from __future__ import annotations

import re

import ckan.plugins.toolkit as tk
import pyotp
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.satudata.keamanan import config as login_config
from ckanext.satudata.keamanan import throttle, twofactor
from ckanext.verifikasi.tests.world import PASSWORD, make_world

ROLES = ("sysadmin", "walidata", "operator", "verifikator", "other_operator", None)
MANAGERS = ("sysadmin", "walidata")
#: Who reads a dataset's personal data page (its OPD, walidata, sysadmins).
READERS = ("sysadmin", "walidata", "operator", "verifikator")
ROWS = 20
_CSRF = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')


def nik(i: int) -> str:
    """A valid NIK (python-stdnum `id.nik`): Kabupaten Pasuruan, a woman born 12-04-1990."""
    return f"35140152049{i:05d}"


ALL_NIKS = [nik(i) for i in range(1, ROWS + 1)]


@pytest.fixture
def world(with_plugins, clean_db, clean_index, with_request_context):
    redis = connect_to_redis()
    for key in redis.scan_iter("satudata:*:login:*"):
        redis.delete(key)
    return make_world()


@pytest.fixture
def web(make_app):
    return make_app()


def _environ(world, who):
    if who == "sysadmin" and "token" not in world.users[who]:
        world.users[who]["token"] = call_action(
            "api_token_create", {"user": world.users[who]["name"]},
            user=world.users[who]["name"], name="test")["token"]
    return {"headers": {"Authorization": world.users[who]["token"]}} if who else {}


def _audits(action: str, object_id: str) -> list[str | None]:
    """The actors of the audit entries of this action on this object."""
    rows = model.Session.execute(sa.text(
        "SELECT actor FROM verifikasi_audit WHERE action = :a AND object_id = :o "
        "ORDER BY id"), {"a": action, "o": object_id}).all()
    model.Session.rollback()
    return [r[0] for r in rows]


def _to_login(res) -> bool:
    return res.status_code == 302 and "/user/login" in res.headers["Location"]


# Account sign-in security: /pengguna/keamanan/<id>


def _lock(user_id: str) -> None:
    for _ in range(login_config.max_failures()):
        throttle.record_failure(user_id, None)
    assert throttle.status(user_id)["locked"]


def _twofactor_on(user_name: str) -> None:
    context = {"user": user_name, "ignore_auth": False}
    secret = call_action("satudata_twofactor_enroll", dict(context))["secret"]
    call_action("satudata_twofactor_confirm", dict(context), code=pyotp.TOTP(secret).now())
    assert twofactor.is_enabled(model.User.get(user_name).id)


def _enabled(user_id: str) -> bool:
    model.Session.expire_all()
    return twofactor.is_enabled(user_id)


@pytest.mark.parametrize("who", (*ROLES, "pembina", "walidata_pendukung"))
def test_account_page_by_role(world, web, who):
    victim = world.users["stranger"]
    _lock(victim["id"])
    for _ in range(3):  # counted again while locked (the lock cleared the counter)
        throttle.record_failure(victim["id"], None)
    _twofactor_on(victim["name"])
    res = web.get(f"/pengguna/keamanan/{victim['name']}", follow_redirects=False,
                  **_environ(world, who))
    if who in MANAGERS:
        assert res.status_code == 200
        body = res.get_data(as_text=True)
        assert 'id="satudata-account-locked" data-locked="yes"' in body
        assert 'id="satudata-account-failures">3<' in body
        assert 'data-state="enabled"' in body
        assert 'id="satudata-account-recovery-left">10<' in body
        assert 'id="satudata-account-unlock"' in body and 'id="satudata-account-reset"' in body
        assert 'name="_csrf_token"' in body
        assert "no-store" in res.headers["Cache-Control"]
    elif who is None:
        assert _to_login(res)
    else:
        assert res.status_code == 403
    # An unknown account: 404 for those who may see accounts, 403 for the others.
    res = web.get("/pengguna/keamanan/tidak-ada-orangnya", follow_redirects=False,
                  **_environ(world, who))
    assert res.status_code == (404 if who in MANAGERS else 302 if who is None else 403)


@pytest.mark.parametrize("who", ROLES)
def test_unlock_form(world, web, who):
    victim = world.users["stranger"]
    _lock(victim["id"])
    res = web.post(f"/pengguna/keamanan/{victim['name']}/buka-kunci", data={},
                   follow_redirects=False, **_environ(world, who))
    status = throttle.status(victim["id"])
    actors = _audits("login_unlocked", victim["id"])
    if who in MANAGERS:
        assert res.status_code == 302
        assert res.headers["Location"].endswith(f"/pengguna/keamanan/{victim['name']}")
        assert not status["locked"] and status["failures"] == 0
        assert actors == [world.users[who]["id"]]
        page = web.get(f"/pengguna/keamanan/{victim['name']}", **_environ(world, who))
        assert 'data-locked="no"' in page.get_data(as_text=True)
    else:
        assert _to_login(res) if who is None else res.status_code == 403
        assert status["locked"] and actors == []


@pytest.mark.parametrize("who", ROLES)
def test_reset_form(world, web, who):
    victim = world.users["other_verifikator"]
    _twofactor_on(victim["name"])
    url = f"/pengguna/keamanan/{victim['name']}/reset-2fa"
    # Without the confirmation box nothing happens, for anybody.
    res = web.post(url, data={}, follow_redirects=False, **_environ(world, who))
    assert res.status_code in (302, 403)
    assert _enabled(victim["id"]) and _audits("twofactor_reset", victim["id"]) == []
    res = web.post(url, data={"confirm": "yes"}, follow_redirects=False,
                   **_environ(world, who))
    if who in MANAGERS:
        assert res.status_code == 302
        assert not _enabled(victim["id"])
        assert _audits("twofactor_reset", victim["id"]) == [world.users[who]["id"]]
        page = web.get(f"/pengguna/keamanan/{victim['name']}",
                       **_environ(world, who)).get_data(as_text=True)
        assert 'data-state="off"' in page and 'id="satudata-account-reset"' not in page
        assert 'id="satudata-account-twofactor-required"' in page
    else:
        assert _to_login(res) if who is None else res.status_code == 403
        assert _enabled(victim["id"]) and _audits("twofactor_reset", victim["id"]) == []


def test_walidata_cannot_reset_a_sysadmins_second_factor(world, web):
    other_admin = factories.Sysadmin()
    _twofactor_on(other_admin["name"])
    url = f"/pengguna/keamanan/{other_admin['name']}"
    # The walidata sees the page; the reset is refused by the action, flashed on the page.
    assert web.get(url, **_environ(world, "walidata")).status_code == 200
    res = web.post(f"{url}/reset-2fa", data={"confirm": "yes"}, follow_redirects=False,
                   **_environ(world, "walidata"))
    assert res.status_code == 302 and res.headers["Location"].endswith(url)
    assert _enabled(other_admin["id"]) and _audits("twofactor_reset", other_admin["id"]) == []
    # A sysadmin may.
    res = web.post(f"{url}/reset-2fa", data={"confirm": "yes"}, follow_redirects=False,
                   **_environ(world, "sysadmin"))
    assert res.status_code == 302 and not _enabled(other_admin["id"])
    assert _audits("twofactor_reset", other_admin["id"]) == [world.users["sysadmin"]["id"]]


def _browser_login(app, name: str):
    """A browser session (cookie) of this user, through the login form."""
    client = app.test_client(use_cookies=True)
    page = client.get("/user/login").get_data(as_text=True)
    token = _CSRF.search(page).group(1)
    res = client.post("/user/login", data={"login": name, "password": PASSWORD,
                                           "_csrf_token": token}, follow_redirects=False)
    assert res.status_code == 302, res.get_data(as_text=True)[:500]
    return client


def test_browser_session_needs_the_csrf_token_and_sees_refusals(world, make_app):
    """The walidata's browser: a post without the form's token is refused (400), with it
    the account is unlocked; the action's refusal of a sysadmin's reset is flashed."""
    victim = world.users["stranger"]
    _lock(victim["id"])
    client = _browser_login(make_app(), world.users["walidata"]["name"])
    url = f"/pengguna/keamanan/{victim['name']}"
    page = client.get(url)
    assert page.status_code == 200
    token = _CSRF.search(page.get_data(as_text=True)).group(1)
    res = client.post(f"{url}/buka-kunci", data={}, follow_redirects=False)
    assert res.status_code == 400 and throttle.status(victim["id"])["locked"]
    res = client.post(f"{url}/buka-kunci", data={"_csrf_token": token},
                      follow_redirects=False)
    assert res.status_code == 302 and not throttle.status(victim["id"])["locked"]

    other_admin = factories.Sysadmin()
    _twofactor_on(other_admin["name"])
    url = f"/pengguna/keamanan/{other_admin['name']}"
    token = _CSRF.search(client.get(url).get_data(as_text=True)).group(1)
    res = client.post(f"{url}/reset-2fa", data={"confirm": "yes", "_csrf_token": token},
                      follow_redirects=True)
    body = res.get_data(as_text=True)
    assert res.status_code == 200 and 'id="satudata-account-twofactor"' in body
    assert 'alert-danger' in body or 'alert-error' in body, body[:3000]
    assert _enabled(other_admin["id"])


@pytest.mark.parametrize("who", ROLES)
def test_profile_links_to_the_page_for_walidata_only(world, web, who):
    victim = world.users["stranger"]
    res = web.get(f"/user/{victim['name']}", **_environ(world, who))
    assert res.status_code == (200 if who else 403)
    link = f"/pengguna/keamanan/{victim['name']}"
    assert (link in res.get_data(as_text=True)) == (who in MANAGERS)
    if who in MANAGERS:
        own = web.get(f"/user/{world.users[who]['name']}", **_environ(world, who))
        assert "/pengguna/keamanan/" not in own.get_data(as_text=True)


# Personal data: /dataset/<id>/data-pribadi


def _penerima(world, ds) -> str:
    """A DataStore table of aid recipients with valid NIKs."""
    return call_action(
        "datastore_create", {"user": world.users["sysadmin"]["name"]},
        resource={"package_id": ds["id"], "name": "Penerima Bantuan", "format": "CSV"},
        fields=[{"id": "nik", "type": "text"}, {"id": "jumlah", "type": "int4"}],
        records=[{"nik": nik(i), "jumlah": i * 1000} for i in range(1, ROWS + 1)],
    )["resource_id"]


def _exceptions(ds) -> list[dict]:
    model.Session.expire_all()
    return call_action("satudata_pii_exception_list", {"ignore_auth": True},
                       package_id=ds["id"])


@pytest.mark.parametrize("who", ROLES)
def test_personal_data_page_by_role(world, web, who):
    ds = world.dataset()
    rid = _penerima(world, ds)
    [finding] = call_action("satudata_pii_check", world.context("walidata"),
                            package_id=ds["id"])["findings"]
    url = f"/dataset/{ds['name']}/data-pribadi"
    res = web.get(url, follow_redirects=False, **_environ(world, who))
    if who in READERS:
        assert res.status_code == 200
        body = res.get_data(as_text=True)
        assert f'data-resource="{rid}" data-column="nik"' in body
        assert f'class="satudata-pii-count">{finding["count"]}<' in body
        assert finding["rows"] and (
            f'class="satudata-pii-rows">{", ".join(str(r) for r in finding["rows"])}' in body)
        assert 'data-blocked="yes"' in body
        assert not any(value in body for value in ALL_NIKS)
        assert ("satudata-pii-exception-form" in body) == (who in MANAGERS)
    elif who is None:
        assert _to_login(res)
    else:
        assert res.status_code == 403
    # An unknown dataset: 404 for walidata and sysadmins; others cannot tell.
    res = web.get("/dataset/tidak-ada-datanya/data-pribadi", follow_redirects=False,
                  **_environ(world, who))
    assert res.status_code == (404 if who in MANAGERS else 302 if who is None else 403)


@pytest.mark.parametrize("who", ROLES)
def test_exception_form_by_role(world, web, who):
    ds = world.dataset()
    rid = _penerima(world, ds)
    res = web.post(f"/dataset/{ds['name']}/data-pribadi/pengecualian",
                   data={"resource_id": rid, "column": "nik",
                         "reason": "Dibutuhkan Dinas Sosial (Perbup 12/2026)"},
                   follow_redirects=False, **_environ(world, who))
    made = _exceptions(ds)
    if who in MANAGERS:
        assert res.status_code == 302
        assert [(e["resource_id"], e["column"]) for e in made] == [(rid, "nik")]
        assert _audits("pii_exception_create", ds["id"]) == [world.users[who]["id"]]
    else:
        assert _to_login(res) if who is None else res.status_code == 403
        assert made == []


def test_exception_recorded_on_the_page_lets_the_gate_pass(world, web):
    ds = world.dataset()
    rid = _penerima(world, ds)
    with pytest.raises(tk.ValidationError) as err:
        call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    assert "data_pribadi" in err.value.error_dict
    url = f"/dataset/{ds['name']}/data-pribadi"
    walidata = _environ(world, "walidata")
    # An empty reason: 400, the page again with the error, nothing recorded.
    res = web.post(f"{url}/pengecualian", data={"resource_id": rid, "column": "nik",
                                                "reason": "  "}, **walidata)
    assert res.status_code == 400
    assert 'id="satudata-pii-errors"' in res.get_data(as_text=True)
    # A column the resource does not have: 400 as well.
    res = web.post(f"{url}/pengecualian", data={"resource_id": rid, "column": "alamat",
                                                "reason": "Perlu"}, **walidata)
    assert res.status_code == 400 and _exceptions(ds) == []

    res = web.post(f"{url}/pengecualian", data={
        "resource_id": rid, "column": "nik",
        "reason": "Dibutuhkan Dinas Sosial (Perbup 12/2026)"},
        follow_redirects=False, **walidata)
    assert res.status_code == 302
    page = web.get(url, **walidata).get_data(as_text=True)
    assert 'data-blocked="no"' in page and 'id="satudata-pii-exceptions"' in page
    assert "Dibutuhkan Dinas Sosial (Perbup 12/2026)" in page
    assert not any(value in page for value in ALL_NIKS)
    # The operator's submission now passes the gate.
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    assert call_action("verifikasi_status_show", world.context("walidata"),
                       id=ds["id"])["state"] == "submitted"


@pytest.mark.parametrize("who", ROLES)
def test_exception_delete_by_role(world, web, who):
    ds = world.dataset()
    rid = _penerima(world, ds)
    exception = call_action("satudata_pii_exception_create", world.context("walidata"),
                            package_id=ds["id"], resource_id=rid, column="nik",
                            reason="Dibutuhkan Dinas Sosial")
    res = web.post(f"/dataset/{ds['name']}/data-pribadi/pengecualian/{exception['id']}/hapus",
                   data={}, follow_redirects=False, **_environ(world, who))
    left = _exceptions(ds)
    if who in MANAGERS:
        assert res.status_code == 302 and left == []
        assert _audits("pii_exception_delete", ds["id"]) == [world.users[who]["id"]]
    else:
        assert _to_login(res) if who is None else res.status_code == 403
        assert [e["id"] for e in left] == [exception["id"]]


def test_exception_delete_under_another_datasets_url_is_404(world, web):
    ds, other = world.dataset(), world.dataset()
    rid = _penerima(world, ds)
    exception = call_action("satudata_pii_exception_create", world.context("walidata"),
                            package_id=ds["id"], resource_id=rid, column="nik",
                            reason="Dibutuhkan Dinas Sosial")
    res = web.post(f"/dataset/{other['name']}/data-pribadi/pengecualian/{exception['id']}/hapus",
                   data={}, **_environ(world, "walidata"))
    assert res.status_code == 404 and len(_exceptions(ds)) == 1


@pytest.mark.parametrize("who", ("walidata", "operator", "verifikator", "other_operator"))
def test_dataset_page_links_to_the_personal_data_page(world, web, who):
    ds = world.dataset()
    res = web.get(f"/dataset/{ds['name']}", **_environ(world, who))
    link = f"/dataset/{ds['name']}/data-pribadi"
    if who == "other_operator":
        assert res.status_code in (403, 404) or link not in res.get_data(as_text=True)
    else:
        assert res.status_code == 200 and link in res.get_data(as_text=True)


def test_published_dataset_page_has_no_link_for_the_public(world, web):
    ds = world.dataset()
    world.publish(ds["id"])
    body = web.get(f"/dataset/{ds['name']}").get_data(as_text=True)
    assert "/data-pribadi" not in body
