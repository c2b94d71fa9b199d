"""`ckan satudata seed-demo` loads a realistic Pasuruan demo through the real actions."""
from __future__ import annotations

import pytest
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.satudata import ms_var, wilayah

pytestmark = pytest.mark.slow  # left out by `make test-fast`


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_seed_demo_loads_a_realistic_pasuruan_demo_once(cli, sysadmin_context):
    first = cli.invoke(ckan, ["satudata", "seed-demo"])
    assert first.exit_code == 0, first.output
    _opds_users_and_datasets()
    _complete_metadata_and_ms_var_on_every_column(sysadmin_context)
    _geospatial_found_by_bounding_box()
    _indicators_and_drafts(sysadmin_context)
    _inboxes_have_work()
    _input_package_with_rows_and_a_link()

    before = call_action("package_search", rows=0, include_drafts=True)["count"]
    call_action("package_patch", sysadmin_context, id="produksi-susu-2025",
                notes="Diubah oleh operator")
    second = cli.invoke(ckan, ["satudata", "seed-demo"])

    assert second.exit_code == 0, second.output
    assert "14 OPD" in second.output
    assert call_action("package_search", rows=0, include_drafts=True)["count"] == before
    assert call_action("package_show", id="produksi-susu-2025")["notes"] == "Diubah oleh operator"


def _opds_users_and_datasets():
    orgs = call_action("organization_list")
    assert len(orgs) >= 12
    assert {"diskominfo", "dinkes", "disdik", "dcktr", "bapelitbangda"} <= set(orgs)
    for role in ("operator", "verifikator", "surveyor"):
        assert call_action("user_show", id=f"{role}-dinkes")["name"] == f"{role}-dinkes"
    found = call_action("package_search", rows=0, fq="dataset_type:dataset",
                        **{"facet.field": '["kategori","sektor_kegiatan"]'})
    assert found["count"] >= 40
    facets = found["search_facets"]
    assert {i["name"] for i in facets["kategori"]["items"]} == {
        "DATA_DASAR", "DATA_GEOSPASIAL", "DATA_KEWILAYAHAN", "DATA_MIKRO"}
    assert len(facets["sektor_kegiatan"]["items"]) >= 6


def _complete_metadata_and_ms_var_on_every_column(context):
    pkg = call_action("package_show", id="populasi-ternak-2025")
    assert call_action("satudata_metadata_check", id=pkg["id"])["complete"] is True
    variables = ms_var.variables_of(pkg["resources"], context)
    assert len(variables) == 5
    assert all(ms_var.missing(v["info"]) == [] for v in variables)
    rows = call_action("datastore_search", resource_id=pkg["resources"][0]["id"], limit=100)
    assert rows["total"] == len(wilayah.kecamatan()) == 24


def _geospatial_found_by_bounding_box():
    tosari = call_action("package_search", extras={"ext_bbox": "112.88,-7.92,112.92,-7.88"},
                         fq="kategori:DATA_GEOSPASIAL")
    assert "peta-kawasan-bromo-tengger" in {d["name"] for d in tosari["results"]}
    elsewhere = call_action("package_search", extras={"ext_bbox": "110.0,-7.2,110.1,-7.1"},
                            fq="kategori:DATA_GEOSPASIAL")
    assert elsewhere["count"] == 0


def _indicators_and_drafts(context):
    indicator = call_action("package_show", id="apm-sd")
    assert indicator["type"] == "indikator"
    assert [c["tahun"] for c in indicator["capaian"]] == [2021, 2022, 2023, 2024, 2025]
    draft = call_action("package_show", context, id="draft-data-stunting-2026")
    assert draft["state"] == "draft"
    assert call_action("satudata_metadata_check", context, id=draft["id"])["complete"] is False


def _inboxes_have_work():
    def inbox(user):
        return call_action("verifikasi_queue_list", {"user": user, "ignore_auth": False})

    assert [i["name"] for i in inbox("verifikator-dinkes")["waiting"]] == [
        "contoh-menunggu-verifikator"]
    assert "contoh-menunggu-walidata" in [i["name"] for i in inbox("walidata")["waiting"]]
    assert [i["name"] for i in inbox("operator-dinkes")["waiting"]] == ["contoh-dikembalikan"]
    roles = call_action("verifikasi_role_list", organization="dinkes")
    assert {(r["user"], r["role"]) for r in roles} == {
        ("operator-dinkes", "operator"), ("verifikator-dinkes", "verifikator"),
        ("surveyor-dinkes", "surveyor")}


def _input_package_with_rows_and_a_link():
    operator = {"user": "operator-dinkes", "ignore_auth": False}
    dataset = call_action("package_show", dict(operator), id="contoh-input-posyandu")
    [package] = call_action("satudata_input_package_list", dict(operator),
                            package_id=dataset["id"])
    shown = call_action("satudata_input_package_show", dict(operator), id=package["id"])
    assert shown["periods"] == {"2025": 4}
    rows = call_action("datastore_search", {"user": "operator-dinkes"},
                       resource_id=package["resource_id"], sort="kecamatan")["records"]
    assert [(r["kecamatan"], r["posyandu"]) for r in rows][:2] == [("Bangil", 42), ("Beji", 38)]
    [link] = call_action("satudata_survey_link_list", dict(operator), id=package["id"])
    assert link["period"] == "2026" and not link["revoked"]
