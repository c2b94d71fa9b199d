"""The loader fetches a resource URL only when it leads to an allowed address (issue #10, SSRF).

The load job runs in this process (`jobs.load_resource`), against real servers on
127.0.0.1 and ::1 standing in for the portal's own Solr and other internal services.
"""
from __future__ import annotations

from typing import Any

import pytest
from ckan.tests.helpers import call_action

from ckanext.satudata import safe_fetch
from ckanext.satudata.loader import jobs, status
from ckanext.satudata.tests import factories
from ckanext.satudata.tests.fetch_servers import closed_port, connects, http_server

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_queue")

ALLOWED = "ckanext.satudata.fetch.allowed_networks"


def _load(context: dict[str, Any], url: str, fmt: str = "CSV") -> dict[str, Any]:
    """Create a resource pointing at `url`, run its load job here; its loader status."""
    dataset = factories.Dataset()
    resource = call_action("resource_create", dict(context), package_id=dataset["id"],
                           url=url, format=fmt)
    jobs.load_resource(resource["id"])
    return dict(status.read(resource["id"])["value"], resource_id=resource["id"])


def _has_table(resource_id: str) -> bool:
    return bool(call_action("resource_show", id=resource_id).get("datastore_active"))


def _error(value: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    assert value["stage"] == "error", value
    [error] = value["errors"]
    return error["msgid"], error["params"]


def test_internal_addresses_are_never_loaded(sysadmin_context):
    with http_server() as internal, http_server("::1") as internal6, \
            connects.recording() as attempted:
        urls = [f"{internal.url}/solr/select.csv",
                f"http://localhost:{internal.port}/solr/select.csv",
                f"http://0.0.0.0:{internal.port}/solr/select.csv",
                f"{internal6.url}/solr/select.csv",
                "http://169.254.169.254/latest/meta-data/iam.csv",
                "http://10.20.30.40/rahasia.csv"]
        loaded = [_load(sysadmin_context, url) for url in urls]
    for value in loaded:
        assert _error(value) == (safe_fetch.NEUTRAL, {})
        assert not _has_table(value["resource_id"])
    assert internal.seen == [] and internal6.seen == []
    # Refused before any connection (the database and Redis connections are ours).
    hosts = {a[0] for a in attempted if isinstance(a, tuple)}
    assert not hosts & {"169.254.169.254", "10.20.30.40", "::1", "0.0.0.0"}
    assert not [a for a in attempted if isinstance(a, tuple) and a[1] == internal.port]


def test_a_closed_port_reads_the_same_as_a_refused_address(sysadmin_context, ckan_config,
                                                          monkeypatch):
    monkeypatch.setitem(ckan_config, ALLOWED, "127.0.0.1/32")
    with http_server("::1") as refused:
        open_but_refused = _load(sysadmin_context, f"{refused.url}/data.csv")
    closed = _load(sysadmin_context, f"http://127.0.0.1:{closed_port()}/data.csv")
    assert _error(open_but_refused) == _error(closed) == (safe_fetch.NEUTRAL, {})
    assert open_but_refused["message"] == closed["message"]


def test_a_redirect_to_an_internal_address_is_refused(sysadmin_context, ckan_config,
                                                      monkeypatch):
    monkeypatch.setitem(ckan_config, ALLOWED, "127.0.0.1/32")
    with http_server() as allowed, http_server("::1") as internal:
        value = _load(sysadmin_context, f"{allowed.url}/redirect?to={internal.url}/data.csv")
    assert _error(value) == (safe_fetch.NEUTRAL, {})
    assert allowed.seen == ["/redirect"] and internal.seen == []


@pytest.mark.ckan_config(ALLOWED, "127.0.0.1/32")
def test_an_allow_listed_intranet_server_is_loaded_through_redirects(sysadmin_context):
    with http_server() as intranet:
        value = _load(sysadmin_context, f"{intranet.url}/redirect?to=/data.csv")
    assert value["stage"] == "complete", value
    rows = call_action("datastore_search", resource_id=value["resource_id"], sort="_id")
    assert [r["kode"] for r in rows["records"]] == ["0164A", "007"]


@pytest.mark.ckan_config(ALLOWED, "127.0.0.1/32")
@pytest.mark.ckan_config("ckanext.satudata.loader.max_mb", 1)
def test_a_remote_file_over_the_limit_is_not_loaded(sysadmin_context):
    with http_server() as intranet:
        value = _load(sysadmin_context, f"{intranet.url}/stream?bytes={2**20 + 1}&f=x.csv")
    assert _error(value) == (safe_fetch.TOO_LARGE, {"limit": 1})


@pytest.mark.ckan_config(ALLOWED, "127.0.0.1/32")
@pytest.mark.ckan_config("ckanext.satudata.fetch.max_redirects", 2)
def test_a_redirect_loop_is_not_followed_forever(sysadmin_context):
    with http_server() as intranet:
        value = _load(sysadmin_context, f"{intranet.url}/loop")
    assert _error(value) == (safe_fetch.NEUTRAL, {})
    assert intranet.seen == ["/loop"] * 3


def test_a_remote_file_of_another_format_never_goes_to_xloaders_unchecked_download(
        sysadmin_context):
    dataset = factories.Dataset()
    resource = call_action("resource_create", dict(sysadmin_context), package_id=dataset["id"],
                           url="http://127.0.0.1:8983/solr/ckan/select?q=*:*&wt=json",
                           format="JSON")
    # xloader's own action would queue its job (it does not check the format itself).
    assert call_action("xloader_submit", dict(sysadmin_context),
                       resource_id=resource["id"]) is False
    assert status.read(resource["id"]) is None
    from ckan.lib.jobs import get_queue

    assert not [j for j in get_queue().jobs if "xloader" in (j.func_name or "")]
