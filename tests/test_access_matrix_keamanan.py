"""Access matrix of the login-security actions (issue 14): every caller of verifikasi's
world x `satudata_login_status_show` / `satudata_login_unlock`, through CKAN's test
client (API tokens in the `Authorization` header, none for anonymous callers).

Expected: walidata and sysadmins only; the account named (a foreign OPD's user, the
caller themself) changes nothing. A refused unlock leaves the lock in place and writes
no audit entry."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories

from ckanext.satudata.keamanan import throttle
from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

CALLERS = ("anonymous", "stranger", "surveyor", "operator", "verifikator", "other_operator",
           "other_verifikator", "walidata", "sysadmin")
ALLOWED = frozenset({"walidata", "sysadmin"})


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
