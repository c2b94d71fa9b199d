"""The whole stack works together: every plugin, real Solr, DataStore, xloader, harvest, DCAT."""
from __future__ import annotations

import io

import ckan.plugins.toolkit as tk
import pytest
import rdflib
import requests
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckanext.satudata.tests import factories as sd_factories

ALL_PLUGINS = {
    "satudata", "satudata_locale", "verifikasi", "scheming_datasets", "dcat",
    "spatial_metadata", "spatial_query",
    "datastore", "xloader", "harvest", "satudata_harvest", "activity", "satudata_tracking",
}


@pytest.mark.usefixtures("with_plugins")
def test_app_boots_with_every_plugin(app):
    status = app.get("/api/3/action/status_show").json["result"]
    assert set(status["extensions"]) >= ALL_PLUGINS
    assert status["ckan_version"].startswith("2.11.")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_pages_render_in_indonesian(app):
    home = app.get("/")
    assert '<html lang="id"' in home.body
    assert "Satu Data Kabupaten Pasuruan" in home.body
    login = app.get("/user/login")
    assert "Masuk" in login.body
    assert ">Log in<" not in login.body
    search = app.get("/dataset/")
    assert "Search datasets" not in search.body
    english = app.get("/en/user/login")
    assert "Sign in to the portal" in english.body  # the header's button
    assert "Password" in english.body and "Kata Sandi" not in english.body


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_created_dataset_is_found_through_solr():
    dataset = sd_factories.PublishedDataset(title="Jumlah Puskesmas per Kecamatan",
                                            notes="Data fasilitas")

    result = call_action("package_search", q="puskesmas", fq="kategori:DATA_DASAR")

    assert [d["id"] for d in result["results"]] == [dataset["id"]]
    assert "/solr/ckan_test" in tk.config["solr_url"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize(("query", "title"), [
    ("ternak", "Populasi Peternakan Sapi Perah"),
    ("didik", "Jumlah Tenaga Pendidikan Dasar"),
    ("peternak", "Populasi Peternakan Sapi Perah"),
])
def test_indonesian_stemming_matches_affixed_words(query, title):
    wanted = sd_factories.PublishedDataset(title=title)
    sd_factories.PublishedDataset(title="Produksi Padi Sawah")

    result = call_action("package_search", q=query)

    assert [d["id"] for d in result["results"]] == [wanted["id"]]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_stopwords_do_not_match_everything():
    sd_factories.PublishedDataset(title="Data yang ada di Kabupaten")
    assert call_action("package_search", q="yang")["count"] == 0


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_datastore_create_and_search(sysadmin_context):
    dataset = sd_factories.Dataset()
    table = call_action(
        "datastore_create",
        sysadmin_context,
        resource={"package_id": dataset["id"], "name": "Populasi"},
        fields=[{"id": "kode", "type": "text"}, {"id": "jumlah", "type": "int"}],
        records=[{"kode": "0164A", "jumlah": -5}, {"kode": "35.14.01", "jumlah": 12}],
    )

    found = call_action("datastore_search", resource_id=table["resource_id"], q="0164A")

    assert found["total"] == 1
    assert found["records"][0]["kode"] == "0164A"
    assert found["records"][0]["jumlah"] == -5


@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")
def test_uploaded_csv_is_loaded_by_xloader_through_a_real_worker(live_ckan, run_worker):
    sysadmin = factories.SysadminWithToken()
    base_url = live_ckan(sysadmin["token"])
    dataset = sd_factories.Dataset()
    csv = "kode_kecamatan,kecamatan,sapi_perah\n35.14.01,Purwodadi,1200\n35.14.02,Tutur,8450\n"

    created = requests.post(
        f"{base_url}/api/3/action/resource_create",
        headers={"Authorization": sysadmin["token"]},
        data={"package_id": dataset["id"], "name": "Populasi sapi perah", "format": "CSV"},
        files={"upload": ("sapi.csv", io.BytesIO(csv.encode()), "text/csv")},
        timeout=60,
    )
    assert created.ok, created.text
    resource_id = created.json()["result"]["id"]

    worker = run_worker()

    assert worker.returncode == 0, worker.stderr[-2000:]
    status = call_action("xloader_status", resource_id=resource_id)
    assert status["status"] == "complete", status
    rows = call_action("datastore_search", resource_id=resource_id, sort="_id")
    assert [r["kecamatan"] for r in rows["records"]] == ["Purwodadi", "Tutur"]
    assert rows["total"] == 2
    searched = call_action("datastore_search", resource_id=resource_id, q="Tutur")
    assert searched["records"][0]["kode_kecamatan"] == "35.14.02"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")
def test_harvest_source_job_is_queued_in_redis(sysadmin_context):
    from ckanext.harvest.queue import get_connection, get_gather_routing_key

    org = factories.Organization()
    source = call_action(
        "harvest_source_create",
        sysadmin_context,
        name="portal-jatim", title="Portal Satu Data Jawa Timur",
        url="http://127.0.0.1:1/catalog", source_type="ckan", owner_org=org["id"],
    )
    redis = get_connection()
    queue = get_gather_routing_key()
    before = redis.llen(queue)

    job = call_action("harvest_job_create", sysadmin_context, source_id=source["id"])

    assert job["status"] == "Running"
    assert redis.llen(queue) == before + 1
    assert job["id"] in str(redis.lindex(queue, -1))


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dcat_catalog_is_parseable_rdf_with_the_dataset(app):
    dataset = sd_factories.PublishedDataset(title="Produksi Susu Sapi Perah",
                                            notes="Produksi susu segar")

    response = app.get("/catalog.ttl")

    graph = rdflib.Graph().parse(data=response.body, format="turtle")
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    assert str(graph.value(datasets[0], DCTERMS.title)) == dataset["title"]
    assert (None, RDF.type, DCAT.Catalog) in graph
