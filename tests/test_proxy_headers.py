"""Behind the proxies named by SATUDATA_TRUSTED_PROXIES (nginx in docker/), the client
address comes from X-Forwarded-For; without them the header is not believed."""
from __future__ import annotations

import pytest
import requests
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.mark.parametrize("trusted,recorded", [("1", "203.0.113.7"), ("0", "127.0.0.1")])
def test_audit_records_the_forwarded_client_only_behind_trusted_proxies(
        live_ckan, trusted, recorded):
    world = make_world()
    walidata = world.users["walidata"]
    base = live_ckan(walidata["token"], SATUDATA_TRUSTED_PROXIES=trusted)

    res = requests.post(
        f"{base}/api/3/action/verifikasi_role_assign",
        json={"user": world.users["stranger"]["name"], "role": "surveyor",
              "organization": world.opd["id"]},
        headers={"Authorization": walidata["token"], "X-Forwarded-For": "203.0.113.7"},
        timeout=60)

    assert res.status_code == 200, res.text
    (entry,) = call_action("verifikasi_audit_list", world.context("walidata"),
                           object_id=world.users["stranger"]["id"])
    assert (entry["action"], entry["remote_addr"]) == ("role_assign", recorded)
