"""Login throttling and lockout (issue 14, "Login security"), over a live server and
through the test client: failures counted per account and per IP in Redis, the account
locked after the configured number of failures with one Indonesian message for existing
and unknown logins alike, unlocked by walidata (audited), failures reset on success."""
from __future__ import annotations

import re

import pytest
import requests
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

PASSWORD = "Lumpia.Bandeng.Sate-48"  # given to the users made here (the policy accepts it)
_CSRF = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')
#: The lock message (Indonesian once i18n-pending/aman.tsv is merged into the catalogue).
LOCKED = re.compile(r"(Terlalu banyak percobaan masuk yang gagal|Too many failed login attempts)"
                    r"[^<]*")

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db",
                                     "clean_login_counters")


@pytest.fixture
def clean_login_counters():
    redis = connect_to_redis()
    for key in redis.scan_iter("satudata:*:login:*"):
        redis.delete(key)
    yield


def _audit(action: str) -> list[tuple[str | None, str, str, dict]]:
    rows = model.Session.execute(sa.text(
        "SELECT actor, object_type, object_id, detail FROM verifikasi_audit "
        "WHERE action = :action ORDER BY id"), {"action": action}).all()
    model.Session.rollback()
    return [tuple(r) for r in rows]


class Browser:
    """A browser session against the live server: gets the form's CSRF token first."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "id"

    def login(self, login: str, password: str) -> requests.Response:
        page = self.session.get(f"{self.base_url}/user/login", timeout=60)
        token = _CSRF.search(page.text)
        data = {"login": login, "password": password}
        if token:
            data["_csrf_token"] = token.group(1)
        return self.session.post(f"{self.base_url}/user/login", data=data,
                                 allow_redirects=False, timeout=60)


def _logged_in(response: requests.Response) -> bool:
    return response.status_code == 302 and "/user/login" not in response.headers["Location"]


@pytest.mark.live_server
def test_thirty_wrong_passwords_lock_the_account_until_walidata_unlocks(live_ckan):
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    victim = factories.User(email="korban@contoh.go.id", password=PASSWORD)
    codes = []
    for _ in range(30):
        codes.append(Browser(base_url).login(victim["name"], "salah-sekali-bukan-ini").status_code)
    assert codes[:10] == [200] * 10  # "login failed", the form again
    assert set(codes[10:]) == {429}, codes  # locked from the 11th attempt on

    refused = Browser(base_url).login(victim["name"], PASSWORD)
    assert refused.status_code == 429 and LOCKED.search(refused.text)
    # By e-mail too: the lock belongs to the account, not to what was typed.
    assert Browser(base_url).login(victim["email"], PASSWORD).status_code == 429
    locks = _audit("login_locked")
    assert [(r[1], r[2]) for r in locks] == [("user", victim["id"])]

    # An operator cannot unlock; the walidata can, and it is audited.
    unlock = f"{base_url}/api/3/action/satudata_login_unlock"
    denied = requests.post(unlock, json={"id": victim["name"]}, timeout=60,
                           headers={"Authorization": world.users["operator"]["token"]})
    assert denied.status_code == 403
    ok = requests.post(unlock, json={"id": victim["name"]}, timeout=60,
                       headers={"Authorization": world.users["walidata"]["token"]})
    assert ok.status_code == 200 and ok.json()["result"]["was_locked"] is True
    assert _audit("login_unlocked") == [
        (world.users["walidata"]["id"], "user", victim["id"], {"was_locked": True})]
    assert _logged_in(Browser(base_url).login(victim["name"], PASSWORD))


@pytest.mark.live_server
def test_unknown_logins_get_the_same_lock_and_message(live_ckan):
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    real = factories.User(password=PASSWORD)
    for login in (real["name"], "tidak-ada-orangnya"):
        for _ in range(10):
            Browser(base_url).login(login, "salah-sekali-bukan-ini")
    answers = [Browser(base_url).login(login, "apa saja") for login in
               (real["name"], "tidak-ada-orangnya")]
    assert [a.status_code for a in answers] == [429, 429]
    messages = [LOCKED.findall(a.text) for a in answers]
    assert messages[0] == messages[1] and messages[0]


def test_a_successful_login_resets_the_failures(app):
    user = factories.User(password=PASSWORD)
    client = app.test_client(use_cookies=True)

    def attempt(password: str):
        page = client.get("/user/login")
        token = _CSRF.search(page.get_data(as_text=True))
        assert token
        return client.post("/user/login", data={"login": user["name"], "password": password,
                                                "_csrf_token": token.group(1)},
                           follow_redirects=False)

    for _ in range(9):
        assert attempt("salah-sekali-bukan-ini").status_code == 200
    status = call_action("satudata_login_status_show", {"ignore_auth": True}, id=user["id"])
    assert status["failures"] == 9 and status["locked"] is False
    assert attempt(PASSWORD).status_code == 302
    status = call_action("satudata_login_status_show", {"ignore_auth": True}, id=user["id"])
    assert status == {"id": user["id"], "name": user["name"], "failures": 0, "locked": False,
                      "locked_seconds": 0}


@pytest.mark.ckan_config("ckanext.satudata.login.max_failures", "3")
@pytest.mark.ckan_config("ckanext.satudata.login.lockout_seconds", "120")
def test_threshold_and_lockout_are_configurable(app):
    user = factories.User(password=PASSWORD)
    client = app.test_client(use_cookies=True)
    codes = []
    for password in ["x1", "x2", "x3", PASSWORD]:
        page = client.get("/user/login")
        token = _CSRF.search(page.get_data(as_text=True)).group(1)
        codes.append(client.post("/user/login", data={
            "login": user["name"], "password": password, "_csrf_token": token}).status_code)
    assert codes == [200, 200, 200, 429]
    status = call_action("satudata_login_status_show", {"ignore_auth": True}, id=user["id"])
    assert status["locked"] is True and 0 < status["locked_seconds"] <= 120


def test_unlock_validates_its_input(app):
    world = make_world()
    headers = {"Authorization": world.users["walidata"]["token"]}
    missing = app.post("/api/3/action/satudata_login_unlock", json={}, headers=headers,
                       status=409)
    assert "id" in missing.json["error"]
    unknown = app.post("/api/3/action/satudata_login_unlock", json={"id": "tidak-ada"},
                       headers=headers)
    assert unknown.status_code == 404, unknown.body
