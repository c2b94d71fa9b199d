"""The portal's own DCAT output harvested back, and read by a stock ckanext-dcat (issue 15).

* Round trip: `/catalog.ttl` of the portal is captured, the datasets purged, and the
  captured catalogue harvested from a real HTTP server by a `dcat_rdf` source through
  the real gather, fetch and import stages: the same datasets come back with the same
  SDI fields, MS-Keg blocks included.
* A stock consumer: ckanext-dcat's RDFParser with only its own `euro_dcat_ap_3` (and
  `euro_dcat_ap_2`) profile reads the whole catalogue of a portal holding a geospatial
  dataset without crashing, and finds the geometry.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import rdflib
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.dcat.processors import RDFParser
from rdflib.namespace import DCAT, RDF

from ckanext.satudata.ms_keg_sample import SURVEY_BLOCK_V, complete_ms_keg
from ckanext.satudata.tests import factories as sd_factories
from tests.harvest_remote import ALLOW_LOCAL, static_files
from tests.test_dcat import POLYGON, assert_dcat_ap_conforms

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

#: What the portal itself sets or recomputes on every dataset: not part of the metadata.
NOT_METADATA = {
    "id", "name", "metadata_created", "metadata_modified", "revision_id", "creator_user_id",
    "resources", "num_resources", "num_tags", "organization", "owner_org", "tags", "groups",
    "relationships_as_object", "relationships_as_subject", "extras", "private", "state",
    "isopen", "license_title", "license_url", "url", "version", "type",
}


def _geospatial_survey(org: dict[str, Any]) -> dict[str, Any]:
    fields = complete_ms_keg(
        "Sebaran Posyandu per Kecamatan", 2024, org["title"],
        kategori="DATA_GEOSPASIAL", sektor_kegiatan="KESEHATAN", klasifikasi_akses="terbuka",
        license_id="cc-by", wilayah=["35.14.01", "35.14.02"], periode_triwulan="II",
        frekuensi_penyelenggaraan="TRIWULANAN", spatial=json.dumps(POLYGON),
        tag_string="kesehatan,posyandu", **SURVEY_BLOCK_V)
    return sd_factories.Dataset(
        owner_org=org["id"], title="Sebaran Posyandu per Kecamatan", private=False,
        name=f"posyandu-{uuid.uuid4().hex[:6]}",
        resources=[{"name": "Tabel posyandu", "url": "http://example.org/posyandu.csv",
                    "format": "CSV", "mimetype": "text/csv"}],
        **fields)


def _yearly_compilation(org: dict[str, Any]) -> dict[str, Any]:
    return sd_factories.Dataset(
        owner_org=org["id"], title="Produksi Padi", private=False,
        name=f"padi-{uuid.uuid4().hex[:6]}",
        **complete_ms_keg("Produksi Padi", 2025, org["title"], kategori="DATA_DASAR",
                          klasifikasi_akses="terbuka", license_id="cc-by"))


def _metadata(dataset: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in dataset.items() if k not in NOT_METADATA and v not in ("", None)}


def _harvest(body: str, org: dict[str, Any], runs: int = 1) -> list[dict[str, Any]]:
    """Harvest `body` served as /catalog.ttl by one dcat_rdf source of `org`, in-process,
    `runs` times; the results of each run."""
    from ckanext.harvest.model import HarvestJob
    from ckanext.harvest.queue import get_harvester
    from ckanext.harvest.tests.lib import run_harvest_job

    admin = factories.Sysadmin()
    results = []
    with static_files({"/catalog.ttl": (body, "text/turtle")}) as remote:
        source = call_action(
            "harvest_source_create", {"user": admin["name"]}, url=f"{remote.url}/catalog.ttl",
            name=f"portal-sendiri-{uuid.uuid4().hex[:6]}", title="Portal sendiri",
            source_type="dcat_rdf", owner_org=org["id"])
        for _run in range(runs):
            job = call_action("harvest_job_create", {"user": admin["name"]},
                              source_id=source["id"], run=False)
            results.append(run_harvest_job(HarvestJob.get(job["id"]),
                                           get_harvester("dcat_rdf")))
    return results


@pytest.mark.ckan_config(*ALLOW_LOCAL)
def test_the_portal_catalogue_harvested_into_a_clean_portal_gives_the_same_datasets(app):
    org = factories.Organization(title="Dinas Kesehatan", name="dinkes")
    originals = [_geospatial_survey(org), _yearly_compilation(org)]
    shown = {d["id"]: call_action("package_show", {"ignore_auth": True}, id=d["id"])
             for d in originals}
    body = app.get("/catalog.ttl").body
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 2
    admin = factories.Sysadmin()
    for dataset in originals:
        call_action("dataset_purge", {"user": admin["name"]}, id=dataset["id"])
        assert model.Package.get(dataset["id"]) is None

    [results] = _harvest(body, org)

    assert len(results) == 2, results
    for guid, result in results.items():
        assert result["state"] == "COMPLETE", (guid, result["errors"])
        assert result["report_status"] == "added"
    harvested = {r["dataset"]["title"]: r["dataset"] for r in results.values()}
    for original in shown.values():
        copy = harvested[original["title"]]
        assert copy["owner_org"] == org["id"]
        want, got = _metadata(original), _metadata(copy)
        missing = {k: v for k, v in want.items() if got.get(k) != v}
        assert not missing, {k: (v, got.get(k)) for k, v in missing.items()}
        assert {t["name"] for t in copy["tags"]} == {t["name"] for t in original["tags"]}
        resource_fields = ("name", "format", "url", "mimetype")
        assert [[r.get(k) for k in resource_fields] for r in copy["resources"]] == [
            [r.get(k) for k in resource_fields] for r in original["resources"]]
    # The geometry itself, not only its box.
    survey = next(d for d in harvested.values() if d["kategori"] == "DATA_GEOSPASIAL")
    assert json.loads(survey["spatial"]) == POLYGON


@pytest.mark.ckan_config(*ALLOW_LOCAL)
def test_the_portal_catalogue_harvested_twice_is_not_written_again(app):
    org = factories.Organization(title="Dinas Kesehatan", name="dinkes")
    _yearly_compilation(org)
    body = app.get("/catalog.ttl").body
    admin = factories.Sysadmin()
    for dataset in call_action("package_search", {"ignore_auth": True})["results"]:
        call_action("dataset_purge", {"user": admin["name"]}, id=dataset["id"])

    first, again = _harvest(body, org, runs=2)

    assert [r["report_status"] for r in first.values()] == ["added"], first
    # The second run reads the private draft it made (ckanext-dcat does so anonymously).
    assert [r["state"] for r in again.values()] == ["COMPLETE"], again
    assert [r["report_status"] for r in again.values()] in (["updated"], ["not modified"])


def _stock_parse(body: str, profile: str) -> list[dict[str, Any]]:
    """What a stock ckanext-dcat (no profile of ours) reads from the catalogue."""
    parser = RDFParser(profiles=[profile])
    parser.parse(body, _format="turtle")
    return list(parser.datasets())


@pytest.mark.parametrize("profile", ["euro_dcat_ap_3", "euro_dcat_ap_2"])
def test_a_stock_dcat_consumer_reads_the_whole_catalogue_with_its_geometry(app, profile):
    org = factories.Organization(title="Dinas Kesehatan", name="dinkes")
    survey = _geospatial_survey(org)
    plain = _yearly_compilation(org)
    body = app.get("/catalog.ttl").body
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert_dcat_ap_conforms(graph)

    datasets = _stock_parse(body, profile)  # ckanext-dcat 2.4.4 crashed here (BNode.datatype)

    assert {d["title"] for d in datasets} == {survey["title"], plain["title"]}
    read = next(d for d in datasets if d["title"] == survey["title"])
    extras = {e["key"]: e["value"] for e in read.get("extras", [])}
    west, south, east, north = 112.70, -7.85, 112.85, -7.70
    box = json.loads(extras["spatial_bbox"])
    xs = [p[0] for p in box["coordinates"][0]]
    ys = [p[1] for p in box["coordinates"][0]]
    assert (min(xs), min(ys), max(xs), max(ys)) == (west, south, east, north)
    centroid = json.loads(extras["spatial_centroid"])
    assert centroid["coordinates"] == pytest.approx([(west + east) / 2, (south + north) / 2])
    assert read["license_id"] == "cc-by"
    assert [r["url"] for r in read["resources"]] == ["http://example.org/posyandu.csv"]
