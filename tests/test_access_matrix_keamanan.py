"""Access matrix of the login-security actions (issue 14): every caller of verifikasi's
world x `satudata_login_status_show` / `satudata_login_unlock`, through CKAN's test
client (API tokens in the `Authorization` header, none for anonymous callers).

Expected: walidata and sysadmins only; the account named (a foreign OPD's user, the
caller themself) changes nothing. A refused unlock leaves the lock in place and writes
no audit entry."""
from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.satudata.keamanan import throttle
from ckanext.verifikasi.tests.world import make_world
from tests.matrix import CALLERS, MANAGERS

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

ALLOWED = MANAGERS


def _lock(user_id: str) -> None:
    for _ in range(10):
        throttle.record_failure(user_id, None)


def _audit_count() -> int:
    count = model.Session.scalar(sa.text(
        "SELECT count(*) FROM verifikasi_audit WHERE action = 'login_unlocked'"))
    model.Session.rollback()
    return int(count or 0)


def test_only_walidata_and_sysadmin_see_and_unlock_accounts(app):
    redis = connect_to_redis()
    for key in redis.scan_iter("satudata:*:login:*"):
        redis.delete(key)
    world = make_world()
    world.users["sysadmin"]["token"] = factories.APIToken(
        user=world.users["sysadmin"]["name"])["token"]
    mismatches = []
    for caller in CALLERS:
        headers = {} if caller == "anonymous" else {"Authorization": world.users[caller]["token"]}
        for target in ("other_operator", "stranger"):
            victim = world.users[target]
            _lock(victim["id"])
            before = _audit_count()
            shown = app.get("/api/3/action/satudata_login_status_show",
                            query_string={"id": victim["name"]}, headers=headers)
            unlocked = app.post("/api/3/action/satudata_login_unlock",
                                json={"id": victim["name"]}, headers=headers)
            expected = caller in ALLOWED
            for name, response in (("status_show", shown), ("unlock", unlocked)):
                if (response.status_code == 200) != expected:
                    mismatches.append(f"{caller} {name} {target}: {response.status_code}")
                if not expected and response.status_code != 403:
                    mismatches.append(f"{caller} {name} {target}: {response.status_code} != 403")
            still_locked = throttle.status(victim["id"])["locked"]
            if expected:
                assert shown.json["result"]["locked"] is True
                assert not still_locked and _audit_count() == before + 1
            else:
                assert still_locked and _audit_count() == before, (caller, target)
            throttle.unlock(victim["id"])
    assert not mismatches, "\n".join(mismatches)


# Two-factor authentication: `satudata_twofactor_status_show` and `satudata_twofactor_reset`
# name a user and are authorized against that user (walidata and sysadmins; a sysadmin's
# second factor only by a sysadmin; the status also by the user themself);
# `satudata_twofactor_enroll` / `_confirm` / `_disable` take no user at all: they act on
# the caller's own account, and anonymous callers are refused.
TWOFACTOR_TARGETS = {"other_operator": ALLOWED, "sysadmin": frozenset({"sysadmin"})}


def _twofactor_on(user_name: str) -> None:
    context = {"user": user_name, "ignore_auth": False}
    secret = call_action("satudata_twofactor_enroll", dict(context))["secret"]
    call_action("satudata_twofactor_confirm", dict(context), code=pyotp.TOTP(secret).now())


def _twofactor_rows(user_id: str) -> int:
    count = model.Session.scalar(sa.text(
        "SELECT count(*) FROM satudata_twofactor WHERE user_id = :u"), {"u": user_id})
    model.Session.rollback()
    return int(count or 0)


def _reset_audits() -> int:
    count = model.Session.scalar(sa.text(
        "SELECT count(*) FROM verifikasi_audit WHERE action = 'twofactor_reset'"))
    model.Session.rollback()
    return int(count or 0)


def test_twofactor_actions_follow_the_user_acted_on(app):
    world = make_world()
    world.users["sysadmin"]["token"] = factories.APIToken(
        user=world.users["sysadmin"]["name"])["token"]
    mismatches = []
    for caller in CALLERS:
        headers = {} if caller == "anonymous" else {"Authorization": world.users[caller]["token"]}
        for target, allowed in TWOFACTOR_TARGETS.items():
            victim = world.users[target]
            _twofactor_on(victim["name"])
            before = _reset_audits()
            shown = app.get("/api/3/action/satudata_twofactor_status_show",
                            query_string={"id": victim["name"]}, headers=headers)
            reset = app.post("/api/3/action/satudata_twofactor_reset",
                             json={"id": victim["name"]}, headers=headers)
            may_see = caller in allowed or caller in ALLOWED or caller == target
            for name, response, expected in (("status_show", shown, may_see),
                                             ("reset", reset, caller in allowed)):
                wanted = 200 if expected else 403
                if response.status_code != wanted:
                    mismatches.append(f"{caller} {name} {target}: {response.status_code} "
                                      f"!= {wanted}")
            if caller in allowed:
                assert _twofactor_rows(victim["id"]) == 0 and _reset_audits() == before + 1
            else:
                assert _twofactor_rows(victim["id"]) == 1 and _reset_audits() == before
                call_action("satudata_twofactor_reset", {"ignore_auth": True},
                            id=victim["name"])
        # Own-account actions: no user to name; anonymous refused, anyone else acts on
        # themself only (a user id sent along is rejected by the schema, not obeyed).
        enrolled = app.post("/api/3/action/satudata_twofactor_enroll", json={},
                            headers=headers)
        confirm = app.post("/api/3/action/satudata_twofactor_confirm",
                           json={"code": "000000"}, headers=headers)
        disable = app.post("/api/3/action/satudata_twofactor_disable",
                           json={"code": "000000"}, headers=headers)
        # Logged in: a pending enrollment of their own; a wrong code is named (409).
        expected_codes = [403, 403, 403] if caller == "anonymous" else [200, 409, 409]
        got = [enrolled.status_code, confirm.status_code, disable.status_code]
        if got != expected_codes:
            mismatches.append(f"{caller} own actions: {got} != {expected_codes}")
        if caller != "anonymous":
            assert _twofactor_rows(world.users[caller]["id"]) == 1  # pending, their own
    assert not mismatches, "\n".join(mismatches)
