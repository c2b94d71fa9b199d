"""Bad input to the verifikasi actions answers 409 with the field named, never 500."""
from __future__ import annotations

import pytest


@pytest.fixture
def web(make_app):
    return make_app()


def api(web, world, who, action, status, **params):
    res = web.get(f"/api/3/action/{action}", query_string=params,
                  headers={"Authorization": world.users[who]["token"]})
    assert res.status_code == status, (res.status_code, res.body[:2000])
    return res.json


@pytest.mark.parametrize("field,value", [("limit", "abc"), ("limit", "-1"), ("offset", "x")])
def test_a_bad_audit_list_paging_value_is_a_field_error(web, world, field, value):
    body = api(web, world, "walidata", "verifikasi_audit_list", 409, **{field: value})
    assert body["success"] is False
    assert field in body["error"]


@pytest.mark.ckan_config("ckan.search.rows_max", "2")
def test_audit_list_limit_is_capped_at_the_configured_maximum(web, world):
    # The world's role assignments alone are more than two entries.
    body = api(web, world, "walidata", "verifikasi_audit_list", 200, limit="50")
    assert len(body["result"]) == 2


@pytest.mark.parametrize("action", ["package_create", "package_update", "package_patch"])
def test_anonymous_writes_are_refused_not_a_server_error(web, world, action):
    # Anonymous callers carry flask-login's AnonymousUser, which has no `sysadmin`.
    dataset = world.dataset()
    params = {"name": "anon-dataset", "owner_org": world.opd["id"]}
    if action != "package_create":
        params = {"id": dataset["id"], "title": "Diubah anonim"}
    res = web.post(f"/api/3/action/{action}", json=params)
    assert res.status_code == 403, (res.status_code, res.body[:2000])
    assert res.json["success"] is False


@pytest.mark.parametrize("action", ["verifikasi_queue_list", "verifikasi_notification_list",
                                    "verifikasi_audit_list"])
def test_anonymous_reads_of_staff_lists_are_refused_not_a_server_error(web, world, action):
    res = web.get(f"/api/3/action/{action}")
    assert res.status_code == 403, (res.status_code, res.body[:2000])
