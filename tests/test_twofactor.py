"""Two-factor authentication (issue 14): enrollment with a QR code drawn by the portal,
the second step of the web login (a TOTP code or a single-use recovery code), wrong
codes counted by the login throttle, roles that must enroll, API tokens refused to a
session without the second factor, and the walidata's audited reset.

Real PostgreSQL and Redis through CKAN's test client (cookies kept, CSRF tokens read
from the forms); codes computed with pyotp like an authenticator app would.
"""
from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action

PASSWORD = "Gunung-Bromo-Kawah-4821"  # long and strong: the password policy accepts it
_CSRF = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')
_SECRET = re.compile(r'class="satudata-twofactor-secret">([A-Z2-7]+)<')
_CODES = re.compile(r"<li><code>([A-Z2-9]{5}-[A-Z2-9]{5})</code></li>")

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_login_counters")


@pytest.fixture
def clean_login_counters():
    redis = connect_to_redis()
    for key in redis.scan_iter("satudata:*:login:*"):
        redis.delete(key)
    yield


class Web:
    """A browser on CKAN's test client: cookies kept, the form's CSRF token sent."""

    def __init__(self, app):
        self.client = app.test_client(use_cookies=True)

    def get(self, url: str, **kw):
        return self.client.get(url, follow_redirects=False, **kw)

    def post(self, url: str, form_url: str, data: dict):
        page = self.client.get(form_url).get_data(as_text=True)
        token = _CSRF.search(page)
        assert token, f"no CSRF token on {form_url}"
        return self.client.post(url, data={**data, "_csrf_token": token.group(1)},
                                follow_redirects=False)

    def login(self, user: dict, password: str = PASSWORD):
        return self.post("/user/login", "/user/login",
                         {"login": user["name"], "password": password})

    def code(self, code: str):
        return self.post("/pengguna/2fa/verifikasi", "/pengguna/2fa/verifikasi",
                         {"code": code})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _audit(action: str) -> list[tuple]:
    rows = model.Session.execute(sa.text(
        "SELECT actor, object_id, detail FROM verifikasi_audit WHERE action = :a ORDER BY id"),
        {"a": action}).all()
    model.Session.rollback()
    return [tuple(r) for r in rows]


def _enable(user: dict) -> tuple[pyotp.TOTP, list[str]]:
    """Enroll a user through the actions (as their own page does)."""
    context = {"user": user["name"], "ignore_auth": False}
    secret = call_action("satudata_twofactor_enroll", dict(context))["secret"]
    totp = pyotp.TOTP(secret)
    codes = call_action("satudata_twofactor_confirm", dict(context), code=totp.now())
    return totp, codes["recovery_codes"]


def _next_code(totp: pyotp.TOTP) -> str:
    """The next time step's code (accepted within the window, and later than the
    step used to confirm the enrollment)."""
    return totp.at(time.time() + 30)


def _signed_in(web: Web) -> bool:
    return web.get("/dashboard/datasets").status_code == 200


def test_enrollment_shows_qr_confirms_and_gives_recovery_codes_once(app):
    user = factories.User(password=PASSWORD)
    web = Web(app)
    assert web.login(user).status_code == 302
    page = web.get("/pengguna/2fa")
    assert page.status_code == 200 and "<svg" in _text(page)
    assert "no-store" in page.headers["Cache-Control"]
    secret = _SECRET.search(_text(page)).group(1)
    assert secret == _SECRET.search(_text(web.get("/pengguna/2fa"))).group(1)  # stable
    wrong = web.post("/pengguna/2fa", "/pengguna/2fa", {"code": "000000"})
    assert wrong.status_code == 400
    totp = pyotp.TOTP(secret)
    done = web.post("/pengguna/2fa", "/pengguna/2fa", {"code": totp.now()})
    assert done.status_code == 200
    codes = _CODES.findall(_text(done))
    assert len(codes) == 10 and len(set(codes)) == 10
    # Only hashes are stored, and the codes are not shown again.
    stored = model.Session.execute(sa.text(
        "SELECT code_hash FROM satudata_twofactor_recovery WHERE user_id = :u"),
        {"u": user["id"]}).scalars().all()
    model.Session.rollback()
    assert len(stored) == 10 and not set(stored) & set(codes)
    assert not _CODES.findall(_text(web.get("/pengguna/2fa")))
    assert [row[1] for row in _audit("twofactor_enabled")] == [user["id"]]
    status = call_action("satudata_twofactor_status_show", {"user": user["name"]})
    assert status["enabled"] and status["recovery_codes_left"] == 10


def test_login_needs_the_code_and_a_code_works_once(app):
    user = factories.User(password=PASSWORD)
    totp, _ = _enable(user)
    web = Web(app)
    first = web.login(user)
    assert first.status_code == 302 and "/pengguna/2fa/verifikasi" in first.headers["Location"]
    assert not _signed_in(web)  # the password alone signs nobody in
    wrong = web.code("123456" if _next_code(totp) != "123456" else "654321")
    assert wrong.status_code == 200 and not _signed_in(web)
    code = _next_code(totp)
    assert web.code(code).status_code == 302
    assert _signed_in(web)
    # The same code, replayed in another browser, is refused.
    other = Web(app)
    assert other.login(user).status_code == 302
    assert other.code(code).status_code == 200 and not _signed_in(other)
    # A wrong password never reaches the second step.
    third = Web(app)
    refused = third.login(user, "salah-sekali-bukan-ini")
    assert refused.status_code == 200 and not _signed_in(third)
    assert third.get("/pengguna/2fa/verifikasi").status_code == 302  # nothing pending


def test_a_recovery_code_works_once(app):
    user = factories.User(password=PASSWORD)
    _, codes = _enable(user)
    web = Web(app)
    web.login(user)
    ok = web.code(codes[3].lower())  # typed in lower case, still accepted
    assert ok.status_code == 302 and _signed_in(web)
    status = call_action("satudata_twofactor_status_show", {"user": user["name"]})
    assert status["recovery_codes_left"] == 9
    again = Web(app)
    again.login(user)
    assert again.code(codes[3]).status_code == 200 and not _signed_in(again)


@pytest.mark.ckan_config("ckanext.satudata.login.max_failures", "3")
def test_wrong_codes_lock_the_account_like_wrong_passwords(app):
    user = factories.User(password=PASSWORD)
    totp, _ = _enable(user)
    web = Web(app)
    web.login(user)
    assert [web.code(c).status_code for c in ("111111", "222222", "333333")] == [200] * 3
    locked = web.code(_next_code(totp))
    assert locked.status_code == 429 and not _signed_in(web)
    status = call_action("satudata_login_status_show", {"ignore_auth": True}, id=user["id"])
    assert status["locked"] is True
    assert [row[1] for row in _audit("login_locked")][:1] == [user["id"]]
    # The password step is refused too while the account is locked.
    assert Web(app).login(user).status_code == 429


@pytest.mark.ckan_config("ckanext.satudata.twofactor.required_roles", "walidata sysadmin")
def test_a_required_role_must_enroll_before_anything_else(app):
    admin = factories.Sysadmin(password=PASSWORD)
    walidata = factories.User(password=PASSWORD)
    call_action("verifikasi_role_assign", {"user": admin["name"]}, user=walidata["name"],
                role="walidata")
    web = Web(app)
    assert web.login(walidata).status_code == 302
    for url in ("/dataset/", "/dashboard/datasets", f"/user/{walidata['name']}/api-tokens"):
        response = web.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith("/pengguna/2fa"), url
    assert web.get("/api/3/action/package_search").status_code == 403
    # No API token either, whatever the form sends.
    refused = web.post(f"/user/{walidata['name']}/api-tokens", "/pengguna/2fa",
                       {"name": "skrip"})
    assert refused.status_code in (302, 403)
    assert call_action("api_token_list", {"ignore_auth": True},
                       user_id=walidata["id"]) == []
    page = web.get("/pengguna/2fa")
    assert page.status_code == 200
    totp = pyotp.TOTP(_SECRET.search(_text(page)).group(1))
    assert web.post("/pengguna/2fa", "/pengguna/2fa", {"code": totp.now()}).status_code == 200
    assert web.get("/dataset/").status_code == 200  # enrolled: the portal is open
    # Required: it cannot be turned off by its owner.
    with pytest.raises(Exception, match="cannot be turned off"):
        call_action("satudata_twofactor_disable", {"user": walidata["name"]},
                    code=_next_code(totp))
    # Logging out works before enrolling too.
    other_admin = factories.Sysadmin(password=PASSWORD)
    fresh = Web(app)
    fresh.login(other_admin)
    assert fresh.get("/dataset/").headers["Location"].endswith("/pengguna/2fa")
    assert fresh.get("/user/_logout").status_code == 302
    assert fresh.get("/dataset/").status_code == 200  # anonymous again


def test_api_tokens_need_a_session_that_passed_the_second_factor(app):
    user = factories.User(password=PASSWORD)
    totp, _ = _enable(user)
    web = Web(app)
    web.login(user)
    web.code(_next_code(totp))
    url = f"/user/{user['name']}/api-tokens"
    assert web.post(url, url, {"name": "skrip"}).status_code == 302
    assert len(call_action("api_token_list", {"ignore_auth": True}, user_id=user["id"])) == 1
    # The chained action itself: a browser session of this user without the second
    # factor is refused, a verified one and API-token requests are not.
    from flask import g
    from flask_login import login_user

    from ckanext.satudata.keamanan import twofactor_session

    with app.flask_app.test_request_context("/"):
        login_user(model.User.get(user["id"]))
        g.login_via_auth_header = False
        with pytest.raises(Exception, match="dua faktor|two-factor"):
            call_action("api_token_create", {"user": user["name"]},
                        user=user["name"], name="x")
        twofactor_session.mark_verified(user["id"])
        assert call_action("api_token_create", {"user": user["name"]},
                           user=user["name"], name="y")["token"]


def test_walidata_resets_a_lost_second_factor_audited(app):
    admin = factories.Sysadmin(password=PASSWORD)
    walidata = factories.UserWithToken(password=PASSWORD)
    call_action("verifikasi_role_assign", {"user": admin["name"]}, user=walidata["name"],
                role="walidata")
    user = factories.User(password=PASSWORD)
    _enable(user)
    response = app.post("/api/3/action/satudata_twofactor_reset", json={"id": user["name"]},
                        headers={"Authorization": walidata["token"]})
    assert response.status_code == 200
    assert response.json["result"]["was_enabled"] is True
    assert _audit("twofactor_reset")[-1][:2] == (walidata["id"], user["id"])
    web = Web(app)
    assert web.login(user).status_code == 302 and _signed_in(web)  # password only again
    # Bad input is named; a sysadmin's second factor is not the walidata's to reset.
    bad = app.post("/api/3/action/satudata_twofactor_reset", json={},
                   headers={"Authorization": walidata["token"]})
    assert bad.status_code == 409 and "id" in bad.json["error"]
    forbidden = app.post("/api/3/action/satudata_twofactor_reset", json={"id": admin["name"]},
                         headers={"Authorization": walidata["token"]})
    assert forbidden.status_code == 403


def test_an_optional_user_turns_it_off_with_a_code(app):
    user = factories.User(password=PASSWORD)
    totp, codes = _enable(user)
    context = {"user": user["name"], "ignore_auth": False}
    with pytest.raises(Exception, match="code"):
        call_action("satudata_twofactor_disable", dict(context), code="000000")
    call_action("satudata_twofactor_disable", dict(context), code=codes[0])
    assert not call_action("satudata_twofactor_status_show", dict(context))["enabled"]
    assert [row[1] for row in _audit("twofactor_disabled")] == [user["id"]]


def test_a_session_from_before_enabling_it_must_sign_in_again(app):
    user = factories.User(password=PASSWORD)
    anonymous = Web(app).get("/pengguna/2fa")
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]
    older = Web(app)
    older.login(user)
    assert _signed_in(older)
    account = older.get(f"/user/{user['name']}")
    assert "/pengguna/2fa" in _text(account)  # the account page links to it
    _enable(user)  # in another browser, or through the API
    moved = older.get("/dashboard/datasets")
    assert moved.status_code == 302 and "/user/login" in moved.headers["Location"]
    assert not _signed_in(older)
