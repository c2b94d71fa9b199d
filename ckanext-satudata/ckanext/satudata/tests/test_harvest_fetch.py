"""Harvesting fetches remote catalogues only from allowed addresses (issue #10, SSRF).

The harvesters are the ones registered for the source types `ckan` and `dcat_rdf`;
their gather stage runs here against real servers on 127.0.0.1.
"""
from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.satudata import safe_fetch
from ckanext.satudata.tests.fetch_servers import http_server

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ALLOWED = "ckanext.satudata.fetch.allowed_networks"


def _gather(context: dict[str, Any], source_type: str, url: str) -> tuple[Any, list[str]]:
    """Run the gather stage of a new harvest job; the ids it gathered and its errors."""
    from ckanext.harvest.model import HarvestGatherError, HarvestJob
    from ckanext.harvest.queue import get_harvester

    org = factories.Organization()
    source = call_action("harvest_source_create", dict(context), url=url,
                         name=f"sumber-{source_type.replace('_', '-')}", title="Sumber",
                         source_type=source_type, owner_org=org["id"])
    job = call_action("harvest_job_create", dict(context), source_id=source["id"])
    job_obj = HarvestJob.get(job["id"])
    gathered = get_harvester(source_type).gather_stage(job_obj)
    errors = [e.message for e in HarvestGatherError.filter(harvest_job_id=job["id"]).all()]
    return gathered, errors


@pytest.mark.parametrize("source_type, path", [
    ("ckan", "/"), ("dcat_rdf", "/catalog.ttl")])
def test_a_harvest_source_on_an_internal_address_is_not_fetched(
        sysadmin_context, source_type, path):
    with http_server() as internal:
        gathered, errors = _gather(sysadmin_context, source_type, f"{internal.url}{path}")
    assert internal.seen == []
    assert not gathered
    assert any(safe_fetch.NEUTRAL in e for e in errors), errors
    assert not any("refused" in e.lower() for e in errors), errors


@pytest.mark.ckan_config(ALLOWED, "127.0.0.1/32")
@pytest.mark.parametrize("source_type, path, asked", [
    ("ckan", "/", "/api/3/action/package_search"),
    ("dcat_rdf", "/catalog.ttl", "/catalog.ttl")])
def test_an_allow_listed_intranet_catalogue_is_harvested(sysadmin_context, source_type, path,
                                                        asked):
    with http_server() as intranet:
        gathered, errors = _gather(sysadmin_context, source_type, f"{intranet.url}{path}")
    assert asked in intranet.seen
    assert not any(safe_fetch.NEUTRAL in e for e in errors), errors
    if source_type == "dcat_rdf":
        assert len(gathered) == 1, errors


def test_the_dcat_harvester_never_reads_a_local_path(sysadmin_context):
    gathered, errors = _gather(sysadmin_context, "dcat_rdf", "/etc/hostname")
    assert not gathered
    assert any(safe_fetch.NEUTRAL in e for e in errors), errors
