"""The demo's Daftar Data (issue 12): 2025 and 2026 entries of the demo OPDs whose release
dates come from real publications through the workflow, so /jadwal-rilis shows a true
mix (released on time, released late, late, not yet available); seeding again changes
nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from ckan.tests.helpers import call_action

from ckanext.satudata.daftar import demo as daftar_demo
from ckanext.satudata.daftar import periods as P

pytestmark = pytest.mark.slow  # left out by `make test-fast`


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_demo_daftar_data_is_true_and_idempotent(app, sysadmin_context):
    from ckanext.satudata import demo

    demo.seed()
    context = {"user": "walidata"}
    found = {(e["year"], e["title"]): e for e in call_action(
        "satudata_daftar_data_list", context)["results"]}
    assert len(found) == len(daftar_demo.ENTRIES)
    statuses = {p["status"] for e in found.values() for p in e["periods"]}
    today = P.today_wib()
    if today < dt.date(2026, 12, 28):
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
    # Seeding again changes nothing.
    before = call_action("satudata_daftar_data_list", context)
    demo.seed()
    after = call_action("satudata_daftar_data_list", context)
    assert after == before
