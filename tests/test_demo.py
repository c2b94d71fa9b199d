"""The demo portal (`ckan satudata seed-demo`), seeded once and checked as a whole.

Seeding takes most of a minute, so one test loads it and checks everything the demo
promises, in the order a visitor would meet it: a realistic Pasuruan demo through the
real actions (OPDs, users, complete metadata, MS-Var, geospatial search, indicators,
drafts, inboxes, an input package); a Daftar Data whose release dates come from real
publications, so /jadwal-rilis shows a true mix (issue 12); every DataStore table with
its table and chart views and every GeoJSON with its map view, `ckan views create`
adding a missing one; and seeding again changes nothing, keeping a user's edit.
"""
from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.satudata import ms_var, wilayah
from ckanext.satudata.daftar import demo as daftar_demo
from ckanext.satudata.daftar import periods as P

pytestmark = pytest.mark.slow  # left out by `make test-fast`


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_the_demo_portal_is_realistic_true_viewable_and_seeded_once(cli, sysadmin_context, app):
    first = cli.invoke(ckan, ["satudata", "seed-demo"])
    assert first.exit_code == 0, first.output
    _opds_users_and_datasets()
    _complete_metadata_and_ms_var_on_every_column(sysadmin_context)
    _geospatial_found_by_bounding_box()
    _indicators_and_drafts(sysadmin_context)
    _inboxes_have_work()
    _input_package_with_rows_and_a_link()
    _daftar_data_is_true(app)
    _resources_have_their_views(cli, sysadmin_context, app)

    before = call_action("package_search", rows=0, include_drafts=True)["count"]
    call_action("package_patch", sysadmin_context, id="produksi-susu-2025",
                notes="Diubah oleh operator")
    daftar_before = call_action("satudata_daftar_data_list", {"user": "walidata"})
    second = cli.invoke(ckan, ["satudata", "seed-demo"])

    assert second.exit_code == 0, second.output
    assert "14 OPD" in second.output
    assert call_action("package_search", rows=0, include_drafts=True)["count"] == before
    assert call_action("package_show", id="produksi-susu-2025")["notes"] == "Diubah oleh operator"
    assert call_action("satudata_daftar_data_list", {"user": "walidata"}) == daftar_before


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


def _daftar_data_is_true(app) -> None:
    context = {"user": "walidata"}
    listed = call_action("satudata_daftar_data_list", context)
    found = {(e["year"], e["title"]): e for e in listed["results"]}
    assert len(found) == len(daftar_demo.ENTRIES)
    statuses = {p["status"] for e in found.values() for p in e["periods"]}
    if P.today_wib() < dt.date(2026, 12, 28):
        assert "rilis_tepat_waktu" in statuses
    assert {"rilis_terlambat", "terlambat"} <= statuses
    assert any(not e["available"] for e in found.values())
    assert {e["frequency"] for e in found.values()} >= {"tahunan", "bulanan", "semesteran"}
    # Released only by a real publication of the linked dataset: the 2025 immunisation
    # entry was revised (with its reason) before its update was published.
    imunisasi = found[(2025, "Cakupan Imunisasi Dasar Lengkap per Kecamatan")]
    [period] = imunisasi["periods"]
    assert period["released"] and period["revised"] == "2026-12-31"
    assert call_action("verifikasi_status_show", id=imunisasi["package_id"])["state"] == \
        "published"
    shown = call_action("satudata_daftar_data_show", context, id=imunisasi["id"])
    assert [c["action"] for c in shown["changes"]][-1] == "revise"
    umkm = found[(2026, "Jumlah Usaha Mikro Terdaftar")]
    assert umkm["pending_revisions"] == 1
    # The public calendar lists the published entries' titles, and hides the others.
    body = app.get("/jadwal-rilis?tahun=2025&tampilan=daftar").body
    assert "Cakupan Imunisasi Dasar Lengkap per Kecamatan" in body
    assert "Jumlah Balita Stunting per Desa" not in body


def _view_types(resource_id: str) -> list[str]:
    return [v["view_type"] for v in call_action("resource_view_list", id=resource_id)]


def _resources_have_their_views(cli, context, app) -> None:
    datasets = call_action("package_search", context, rows=1000,
                           include_private=True)["results"]
    tables = [r for d in datasets for r in d["resources"] if r.get("datastore_active")]
    geo = [r for d in datasets for r in d["resources"]
           if (r.get("format") or "").lower() == "geojson"]
    assert len(tables) >= 40 and geo
    for resource in tables:
        assert {"datatables_view", "satudata_chart_view"} <= set(_view_types(resource["id"])), \
            resource["name"]
    for resource in geo:
        assert "satudata_map_view" in _view_types(resource["id"]), resource["name"]
        # The demo's files are kept by the portal, so anyone can have them drawn.
        assert resource["url_type"] == "upload", resource["url"]
        served = app.get(urlsplit(resource["url"]).path)
        assert served.status_code == 200, resource["name"]
        assert json.loads(served.get_data())["type"] == "FeatureCollection"
    # A portal whose resources have no chart yet (made before this plugin): the command
    # of the upgrade adds it, and only it.
    first = tables[0]["id"]
    chart = next(v for v in call_action("resource_view_list", id=first)
                 if v["view_type"] == "satudata_chart_view")
    call_action("resource_view_delete", context, id=chart["id"])
    before = len(_view_types(first))
    created = cli.invoke(ckan, ["views", "create", "-y"])
    assert created.exit_code == 0, created.output
    after = _view_types(first)
    assert len(after) == before + 1
    assert after.count("satudata_chart_view") == 1
