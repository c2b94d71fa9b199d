"""Daftar Data (issue 12) through the action API: entries, periods and statuses, the
change log of an agreed year, every bad input of the issue, the spreadsheet import
(dry run, all or nothing, valid rows only) and the actual release date set by a real
publication through verifikasi's workflow."""
from __future__ import annotations

import datetime as dt
import io

import ckan.plugins.toolkit as tk
import openpyxl
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action
from werkzeug.datastructures import FileStorage

from ckanext.satudata.daftar import periods as P
from ckanext.satudata.daftar.model import DaftarChange, DaftarEntry, DaftarPeriod
from ckanext.satudata.ms_keg_sample import complete_ms_keg
from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures(
    "with_plugins", "clean_db", "clean_index", "with_request_context")

YEAR = 2025  # the year of the world's datasets (tahun_kegiatan)


@pytest.fixture
def world():
    return make_world()


def _walidata(world):
    return world.context("walidata")


def _quarters(year=YEAR, months=(4, 7, 10, 12)):
    return [{"period": f"Q{i + 1}", "planned": f"{year}-{m:02d}-15"}
            for i, m in enumerate(months)]


def _entry(world, **kw):
    data = {"year": YEAR, "organization": world.opd["name"], "title": "Jumlah Posyandu",
            "kategori": "DATA_DASAR", "sektor": "KESEHATAN", "prioritas": True,
            "frequency": "triwulanan", "periods": _quarters(), **kw}
    return call_action("satudata_daftar_data_create", _walidata(world), **data)


def _state():
    """Every row of the Daftar Data tables (to prove nothing changed)."""
    return [sorted(str(r) for r in model.Session.execute(sa.select(t.__table__)).all())
            for t in (DaftarEntry, DaftarPeriod, DaftarChange)]


def test_create_show_list_with_statuses(world):
    entry = _entry(world)
    assert entry["organization_id"] == world.opd["id"]
    assert entry["pembina"] == "BPS"
    assert [p["period"] for p in entry["periods"]] == ["Q1", "Q2", "Q3", "Q4"]
    # 2025 is past: nothing released, every period late.
    assert {p["status"] for p in entry["periods"]} == {"terlambat"}
    assert entry["available"] is False
    shown = call_action("satudata_daftar_data_show", _walidata(world), id=entry["id"])
    assert shown["title"] == "Jumlah Posyandu" and shown["changes"] == []
    geo = _entry(world, title="Peta Batas Desa", kategori="DATA_GEOSPASIAL", prioritas=False,
                 frequency="tahunan", periods=[{"period": "Y", "planned": f"{YEAR}-12-01"}])
    assert geo["pembina"] == "DCKTR"
    found = call_action("satudata_daftar_data_list", _walidata(world), year=YEAR,
                        prioritas=True)
    assert [e["id"] for e in found["results"]] == [entry["id"]]
    found = call_action("satudata_daftar_data_list", _walidata(world),
                        status="belum_tersedia")
    assert found["count"] == 2
    assert call_action("satudata_daftar_data_list", _walidata(world),
                       status="rilis_tepat_waktu")["count"] == 0
    assert call_action("satudata_daftar_data_list", _walidata(world), year=YEAR + 1,
                       )["count"] == 0


def test_status_rules():
    today = dt.date(2026, 3, 10)
    planned = dt.date(2026, 3, 20)
    assert P.status(planned, None, None, today, 14) == "jatuh_tempo"
    assert P.status(planned, None, None, today, 5) == "akan_datang"
    assert P.status(dt.date(2026, 3, 9), None, None, today, 14) == "terlambat"
    assert P.status(dt.date(2026, 3, 9), dt.date(2026, 4, 30), None, today, 14) == "akan_datang"
    # 20 March 2026, 16:30 UTC is 23:30 WIB, still the planned day: on time.
    assert P.status(planned, None, dt.datetime(2026, 3, 20, 16, 30), today, 14) == \
        "rilis_tepat_waktu"
    # 17:30 UTC is the next day in WIB: late.
    assert P.status(planned, None, dt.datetime(2026, 3, 20, 17, 30), today, 14) == \
        "rilis_terlambat"


@pytest.mark.parametrize(("change", "field"), [
    ({"periods": [*_quarters()[:3], {"period": "Q4", "planned": "2026-01-15"}]}, "periods"),
    ({"organization": "dinas-tidak-ada"}, "organization"),
    ({"frequency": "mingguan"}, "frequency"),
    ({"kategori": "DATA_LAIN"}, "kategori"),
    ({"sektor": "SEKTOR_LAIN"}, "sektor"),
    ({"periods": _quarters()[:3]}, "periods"),  # a period missing
    ({"periods": [*_quarters(), {"period": "Q5", "planned": "2025-12-30"}]}, "periods"),
    ({"periods": [{"period": "Q1", "planned": "15/04/2025"}, *_quarters()[1:]]}, "periods"),
    ({"year": "dua ribu"}, "year"),
])
def test_bad_input_on_create_changes_nothing(world, change, field):
    _entry(world)
    before = _state()
    with pytest.raises(tk.ValidationError) as err:
        _entry(world, title="Data lain", **change)
    assert field in err.value.error_dict, err.value.error_dict
    assert _state() == before


def test_duplicate_and_foreign_dataset_and_revision_without_reason(world):
    entry = _entry(world)
    before = _state()
    with pytest.raises(tk.ValidationError) as err:
        _entry(world, title="jumlah posyandu")  # same OPD, title (any case) and year
    assert "title" in err.value.error_dict
    foreign = call_action("package_create", world.context("other_operator"),
                          name="data-pendidikan", title="Data Pendidikan",
                          owner_org=world.other_opd["id"], kategori="DATA_DASAR",
                          klasifikasi_akses="terbuka", license_id="cc-by",
                          **complete_ms_keg("Data Pendidikan", YEAR, "Dinas Pendidikan"))
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_daftar_data_update", _walidata(world), id=entry["id"],
                    package_id=foreign["id"])
    assert "package_id" in err.value.error_dict
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_daftar_data_update", _walidata(world), id=entry["id"],
                    periods=[{"period": "Q2", "revised": "2025-08-01"}])
    assert "periods" in err.value.error_dict
    assert _state() == before


def test_one_dataset_serves_one_entry(world):
    dataset = world.dataset()
    _entry(world, package_id=dataset["name"])
    before = _state()
    with pytest.raises(tk.ValidationError) as err:
        _entry(world, title="Data lain", package_id=dataset["id"])
    assert "package_id" in err.value.error_dict
    assert _state() == before


def test_changes_after_agreement_need_a_reason_and_are_logged(world):
    entry = _entry(world)
    call_action("satudata_daftar_data_update", _walidata(world), id=entry["id"],
                prioritas=False)  # before agreement: no log
    call_action("satudata_daftar_data_agree", _walidata(world), year=YEAR)
    before = _state()
    for action, data in (
            ("satudata_daftar_data_update", {"id": entry["id"], "title": "Posyandu aktif"}),
            ("satudata_daftar_data_delete", {"id": entry["id"]}),
            ("satudata_daftar_data_create", {
                "year": YEAR, "organization": world.opd["id"], "title": "Baru",
                "kategori": "DATA_DASAR", "sektor": "KESEHATAN", "frequency": "tahunan",
                "periods": [{"period": "Y", "planned": "2025-06-01"}]})):
        with pytest.raises(tk.ValidationError) as err:
            call_action(action, _walidata(world), **data)
        assert "reason" in err.value.error_dict
    assert _state() == before
    updated = call_action(
        "satudata_daftar_data_update", _walidata(world), id=entry["id"],
        reason="Keputusan Forum Satu Data 2 Juni", periods=[
            {"period": "Q2", "revised": "2025-08-01", "revised_reason": "Survei diperpanjang"}])
    q2 = updated["periods"][1]
    assert (q2["planned"], q2["revised"], q2["effective"]) == ("2025-07-15", "2025-08-01",
                                                               "2025-08-01")
    shown = call_action("satudata_daftar_data_show", _walidata(world), id=entry["id"])
    [change] = shown["changes"]
    assert change["user"] == world.users["walidata"]["name"]
    assert change["reason"] == "Keputusan Forum Satu Data 2 Juni"
    assert change["changes"]["period:Q2"][1]["revised"] == "2025-08-01"
    call_action("satudata_daftar_data_delete", _walidata(world), id=entry["id"],
                reason="Digabung dengan data lain")
    log = model.Session.execute(sa.select(DaftarChange.action).where(
        DaftarChange.entry_id == entry["id"]).order_by(DaftarChange.id)).scalars().all()
    assert log == ["update", "delete"]


# --- import ---------------------------------------------------------------------------

HEADER = ["Tahun", "OPD", "Judul Data", "Kategori", "Sektor", "Prioritas", "Frekuensi",
          "Periode", "Rencana Rilis", "Pembina"]


def _workbook(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _upload(rows):
    return FileStorage(stream=_workbook(rows), filename="daftar-data-2025.xlsx")


def _good_rows(world):
    opd = world.opd["title"]
    return [
        [2025, opd, "Jumlah Puskesmas", "Data Dasar", "Kesehatan", "Ya", "Tahunan", "",
         dt.date(2025, 11, 30), "BPS"],
        [2025, opd, "Cakupan Imunisasi", "DATA_DASAR", "KESEHATAN", "tidak", "Semesteran",
         "Semester I", dt.date(2025, 7, 31), ""],
        [2025, opd, "Cakupan Imunisasi", "DATA_DASAR", "KESEHATAN", "tidak", "Semesteran",
         "Semester II", "31/01/2025", ""],
    ]


def _bad_rows(world):
    opd = world.opd["title"]
    return [
        [2025, "Dinas Antah Berantah", "Data A", "Data Dasar", "Kesehatan", "Ya", "Tahunan",
         "", dt.date(2025, 5, 1), "BPS"],                                    # row 5
        [2025, opd, "Data B", "Data Dasar", "Kesehatan", "Ya", "Mingguan", "",
         dt.date(2025, 5, 1), "BPS"],                                        # row 6
        [2025, opd, "Data C", "Data Dasar", "Kesehatan", "Ya", "Tahunan", "",
         dt.date(2026, 1, 10), "BPS"],                                       # row 7
    ]


def _import(world, rows, mode, **kw):
    return call_action("satudata_daftar_data_import", _walidata(world), year=YEAR,
                       upload=_upload(rows), mode=mode, **kw)


def test_import_dry_run_lists_every_error_and_writes_nothing(world):
    before = _state()
    summary = _import(world, _good_rows(world) + _bad_rows(world), "dry_run")
    assert _state() == before
    assert summary["written"] is False
    assert (summary["rows_read"], summary["rows_valid"], summary["rows_rejected"]) == (6, 3, 3)
    by_row = {(e["row"], e["column"]) for e in summary["errors"]}
    assert (5, "B (OPD)") in by_row
    assert (6, "G (Frekuensi)") in by_row
    assert (7, "I (Rencana Rilis)") in by_row
    assert all(e["message"] for e in summary["errors"])


def test_import_all_or_nothing(world):
    before = _state()
    with pytest.raises(tk.ValidationError) as err:
        _import(world, _good_rows(world) + _bad_rows(world), "all_or_nothing")
    assert "upload" in err.value.error_dict
    assert _state() == before
    summary = _import(world, _good_rows(world), "all_or_nothing")
    assert summary["written"] and summary["entries_written"] == 2
    found = call_action("satudata_daftar_data_list", _walidata(world), year=YEAR)["results"]
    imunisasi = next(e for e in found if e["title"] == "Cakupan Imunisasi")
    assert [(p["period"], p["planned"]) for p in imunisasi["periods"]] == [
        ("S1", "2025-07-31"), ("S2", "2025-01-31")]
    # The same rows again: duplicates, nothing written.
    before = _state()
    with pytest.raises(tk.ValidationError):
        _import(world, _good_rows(world), "all_or_nothing")
    assert _state() == before


def test_import_valid_rows_only(world):
    summary = _import(world, _good_rows(world) + _bad_rows(world), "valid_only")
    assert summary["entries_written"] == 2 and summary["rows_rejected"] == 3
    titles = {e["title"] for e in call_action(
        "satudata_daftar_data_list", _walidata(world), year=YEAR)["results"]}
    assert titles == {"Jumlah Puskesmas", "Cakupan Imunisasi"}


def test_import_missing_column_and_not_a_spreadsheet(world):
    book = openpyxl.Workbook()
    book.active.append(["Tahun", "OPD", "Judul Data"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    summary = call_action("satudata_daftar_data_import", _walidata(world), year=YEAR,
                          upload=FileStorage(stream=out, filename="x.xlsx"))
    assert any("Frekuensi" in e["message"] for e in summary["file_errors"])
    summary = call_action("satudata_daftar_data_import", _walidata(world), year=YEAR,
                          upload=FileStorage(stream=io.BytesIO(b"PK\x03\x04rusak"),
                                             filename="x.xlsx"))
    assert summary["file_errors"] and not summary["written"]


# --- actual release through the workflow ---------------------------------------------

def _period(entry_id, code):
    return model.Session.execute(sa.select(DaftarPeriod).where(
        DaftarPeriod.entry_id == entry_id, DaftarPeriod.period == code)).scalar_one()


def test_publication_through_the_workflow_sets_the_actual_date(world):
    dataset = world.dataset(periode_triwulan="II")
    entry = _entry(world, package_id=dataset["id"])
    call_action("verifikasi_submit", world.context("operator"), id=dataset["id"])
    call_action("verifikasi_approve", world.context("verifikator"), id=dataset["id"])
    model.Session.expire_all()
    assert _period(entry["id"], "Q2").released is None  # stage 1 is not a publication
    before = dt.datetime.utcnow()
    call_action("verifikasi_approve", world.context("walidata"), id=dataset["id"])
    model.Session.expire_all()
    q2 = _period(entry["id"], "Q2")
    assert q2.released is not None and q2.released >= before
    assert q2.released_package_id == dataset["id"]
    assert _period(entry["id"], "Q1").released is None
    shown = call_action("satudata_daftar_data_show", _walidata(world), id=entry["id"])
    assert shown["periods"][1]["status"] == "rilis_terlambat"  # planned 15 July 2025
    assert shown["periods"][1]["released_date"] == P.today_wib().isoformat()
    # Publishing a correction of the same period moves nothing.
    released = q2.released
    call_action("package_patch", world.context("operator"), id=dataset["id"],
                notes="Koreksi")
    world.publish(dataset["id"])
    model.Session.expire_all()
    assert _period(entry["id"], "Q2").released == released
    assert all(_period(entry["id"], c).released is None for c in ("Q1", "Q3", "Q4"))


def test_without_period_metadata_the_earliest_open_period_is_released(world):
    dataset = world.dataset()  # tahun_kegiatan 2025, no quarter
    entry = _entry(world, year=2026, package_id=dataset["id"], periods=_quarters(2026))
    world.publish(dataset["id"])
    model.Session.expire_all()
    assert _period(entry["id"], "Q1").released is not None
    assert _period(entry["id"], "Q2").released is None
