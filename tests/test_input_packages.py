"""Input packages end to end through the action API: structure, rows by form, file
imports with their summary, survey links with staging, publication and access."""
from __future__ import annotations

import datetime as dt
import io

import ckan.plugins.toolkit as tk
import openpyxl
import pytest
from ckan.tests.helpers import call_action
from werkzeug.datastructures import FileStorage

from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures(
    "with_plugins", "clean_db", "clean_index", "with_request_context")

COLUMNS = [
    {"id": "kode", "label": "Kode Desa", "tipe_data": "CHARACTER", "key": True},
    {"id": "nama", "label": "Nama Desa", "tipe_data": "CHARACTER", "required": True},
    {"id": "jumlah", "label": "Jumlah Penduduk", "tipe_data": "INTEGER", "satuan": "jiwa",
     "required": True},
    {"id": "rasio", "label": "Rasio", "tipe_data": "DECIMAL"},
    {"id": "tanggal", "label": "Tanggal Pendataan", "tipe_data": "DATE"},
    {"id": "status", "label": "Status", "tipe_data": "CHARACTER",
     "value_domain": "1=Desa\n2=Kelurahan"},
]


@pytest.fixture
def world():
    return make_world()


def _package(world, **kw):
    dataset = world.dataset()
    created = call_action("satudata_input_package_create", world.context("operator"),
                          package_id=dataset["id"], title="Penduduk per desa",
                          frequency="tahunan", columns=COLUMNS, **kw)
    return dataset, created


def _rows(*rows):
    return [{"values": dict(zip(["kode", "nama", "jumlah", "rasio", "tanggal", "status"], r,
                                strict=False))} for r in rows]


def _records(resource_id, user=None):
    context = {"user": user or "", "ignore_auth": user is None and False}
    result = call_action("datastore_search", context, resource_id=resource_id, sort="_id")
    return result["records"]


def _sys(world):
    return {"user": world.users["sysadmin"]["name"], "ignore_auth": True}


def test_form_rows_are_read_as_the_user_sees_them(world):
    dataset, pkg = _package(world)
    result = call_action("satudata_input_rows_save", world.context("operator"), id=pkg["id"],
                         period="2025", rows=_rows(
                             ("0164A", "Sukorejo", "1.234.567", "1.234,56", "31/12/2025", "1"),
                             ("007", "Pandaan", "-5", "-0,5", "01-02-2025", "Kelurahan")))
    assert result == {"added": 2, "updated": 0, "deleted": 0, "published": True}
    records = call_action("datastore_search", _sys(world), resource_id=pkg["resource_id"],
                          sort="_id")["records"]
    assert [(r["periode"], r["kode"], r["jumlah"], str(r["rasio"]), r["tanggal"][:10],
             r["status"]) for r in records] == [
        ("2025", "0164A", 1234567, "1234.56", "2025-12-31", "1"),
        ("2025", "007", -5, "-0.5", "2025-02-01", "2")]
    views = call_action("resource_view_list", _sys(world), id=pkg["resource_id"])
    # A table preview and a chart, once each.
    assert [v["view_type"] for v in views] == ["datatables_view", "satudata_chart_view"]
    info = call_action("datastore_info", _sys(world), id=pkg["resource_id"])
    jumlah = next(f for f in info["fields"] if f["id"] == "jumlah")
    assert jumlah["type"] == "int8"
    assert jumlah["info"]["tipe_data"] == "INTEGER" and jumlah["info"]["satuan"] == "jiwa"


def test_every_bad_cell_is_reported_and_nothing_is_written(world):
    _, pkg = _package(world)
    call_action("satudata_input_rows_save", world.context("operator"), id=pkg["id"],
                period="2025", rows=_rows(("01", "Ada", "10")))
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_input_rows_save", world.context("operator"), id=pkg["id"],
                    period="2025", rows=_rows(
                        ("02", "", "sepuluh", "1,2,3", "31/02/2025", "9"),
                        ("01", "Dupe", "3")))
    messages = err.value.error_dict["rows"]
    text = " | ".join(messages)
    assert len(messages) == 6, messages
    for column in ("Nama Desa", "Jumlah Penduduk", "Rasio", "Tanggal Pendataan", "Status"):
        assert column in text
    assert "01" in text  # the duplicate key is named
    listing = call_action("satudata_input_rows_list", world.context("operator"), id=pkg["id"],
                          period="2025")
    assert [r["kode"] for r in listing["rows"]] == ["01"]


def test_edit_and_delete_rows_of_one_period_only(world):
    _, pkg = _package(world)
    op = world.context
    call_action("satudata_input_rows_save", op("operator"), id=pkg["id"], period="2024",
                rows=_rows(("01", "A", "1"), ("02", "B", "2")))
    call_action("satudata_input_rows_save", op("operator"), id=pkg["id"], period="2025",
                rows=_rows(("01", "A", "10")))
    rows_2024 = call_action("satudata_input_rows_list", op("operator"), id=pkg["id"],
                            period="2024")["rows"]
    first, second = rows_2024
    result = call_action("satudata_input_rows_save", op("operator"), id=pkg["id"],
                         period="2024", delete=[second["_row"]],
                         rows=[{"_row": first["_row"], "values": {
                             "kode": "01", "nama": "A baru", "jumlah": "100"}}])
    assert (result["updated"], result["deleted"]) == (1, 1)
    shown = call_action("satudata_input_package_show", op("operator"), id=pkg["id"])
    assert shown["periods"] == {"2024": 1, "2025": 1}
    records = call_action("datastore_search", _sys(world), resource_id=pkg["resource_id"],
                          sort="periode")["records"]
    assert [(r["periode"], r["nama"], r["jumlah"]) for r in records] == [
        ("2024", "A baru", 100), ("2025", "A", 10)]


def test_wrong_period_and_structure_are_refused(world):
    dataset, pkg = _package(world)
    with pytest.raises(tk.ValidationError, match="'period'"):
        call_action("satudata_input_rows_save", world.context("operator"), id=pkg["id"],
                    period="2025-T1", rows=_rows(("01", "A", "1")))
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_input_package_create", world.context("operator"),
                    package_id=dataset["id"], title="x", frequency="tahunan",
                    columns=[{"id": "Bad Name", "label": "x"},
                             {"id": "periode", "label": "y"},
                             {"id": "ok", "label": "z", "tipe_data": "FLOAT"}])
    assert len(err.value.error_dict["columns"]) == 3


def _workbook(rows, header=None, sheet="Data", extra_sheet=None):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header or ["Kode Desa", "Nama Desa", "Jumlah Penduduk (jiwa)", "Rasio",
                         "Tanggal Pendataan", "Status"])
    for row in rows:
        ws.append(list(row))
    if extra_sheet:
        other = book.create_sheet(extra_sheet)
        other.append(["catatan"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(data, name="data.xlsx"):
    return FileStorage(stream=io.BytesIO(data), filename=name)


def test_import_dry_run_reports_every_problem_then_applies(world):
    _, pkg = _package(world)
    op = world.context("operator")
    messy = _workbook([
        ("0164A", "Sukorejo", "1.234", "2,5", "31/12/2025", "Desa"),
        ("007", "Pandaan", -12, 0.75, dt.datetime(2025, 3, 1), 2),
        ("008", "", "abc", "x", "2025-13-01", "7"),
        ("0164A", "Dupe", 5, None, None, None),
    ], extra_sheet="Catatan")
    checked = call_action("satudata_input_import_check", dict(op), id=pkg["id"],
                          period="2025", upload=_upload(messy))
    summary = checked["summary"]
    assert (summary["rows_read"], summary["rows_valid"], summary["rows_rejected"]) == (4, 2, 2)
    assert checked["sheet_names"] == ["Data", "Catatan"]
    problems = {(e["row"], e["column"], e["code"]) for e in summary["errors"]}
    rows = {e["row"] for e in summary["errors"]}
    assert rows == {4, 5} and len(problems) >= 6, problems
    assert all(e["message"] and e["sheet"] == "Data" for e in summary["errors"])
    # Nothing is written by the dry run, and all-or-nothing refuses a file with problems.
    assert call_action("satudata_input_package_show", dict(op), id=pkg["id"])["periods"] == {}
    with pytest.raises(tk.ValidationError, match="'upload'"):
        call_action("satudata_input_import_apply", dict(op), import_id=checked["id"],
                    mode="all_or_nothing")
    assert call_action("satudata_input_package_show", dict(op), id=pkg["id"])["periods"] == {}
    applied = call_action("satudata_input_import_apply", dict(op), import_id=checked["id"],
                          mode="valid_only")
    assert applied["rows_applied"] == 2 and applied["state"] == "applied"
    records = call_action("datastore_search", _sys(world), resource_id=pkg["resource_id"],
                          sort="_id")["records"]
    assert [(r["kode"], r["jumlah"], str(r["rasio"]), r["tanggal"][:10], r["status"])
            for r in records] == [("0164A", 1234, "2.5", "2025-12-31", "1"),
                                  ("007", -12, "0.75", "2025-03-01", "2")]


def test_import_replaces_only_its_period(world):
    _, pkg = _package(world)
    op = world.context("operator")
    call_action("satudata_input_rows_save", dict(op), id=pkg["id"], period="2024",
                rows=_rows(("01", "Lama", "1")))
    call_action("satudata_input_rows_save", dict(op), id=pkg["id"], period="2025",
                rows=_rows(("01", "Akan diganti", "1"), ("02", "Akan hilang", "2")))
    checked = call_action("satudata_input_import_check", dict(op), id=pkg["id"], period="2025",
                          upload=_upload(_workbook([("09", "Baru", 9)])))
    call_action("satudata_input_import_apply", dict(op), import_id=checked["id"])
    shown = call_action("satudata_input_package_show", dict(op), id=pkg["id"])
    assert shown["periods"] == {"2024": 1, "2025": 1}


def test_checked_imports_never_applied_are_discarded_after_the_keep_time(world, cli):
    import os
    import time

    from ckan import model
    from ckan.cli.cli import ckan

    from ckanext.satudata.inputdata import import_files
    from ckanext.satudata.model import InputImport

    _, pkg = _package(world)
    op = world.context("operator")
    forgotten, recent = (
        call_action("satudata_input_import_check", dict(op), id=pkg["id"], period="2025",
                    upload=_upload(_workbook([("09", "Baru", 9)])))
        for _ in range(2))
    row = model.Session.get(InputImport, forgotten["id"])
    row.created = dt.datetime.utcnow() - dt.timedelta(hours=30)
    model.Session.commit()
    forgotten_file = import_files.import_path(row)
    recent_file = import_files.import_path(model.Session.get(InputImport, recent["id"]))
    orphan = import_files.import_dir() / "sisa-unggahan.xlsx"
    orphan.write_bytes(b"PK")
    long_ago = time.time() - 40 * 3600
    os.utime(orphan, (long_ago, long_ago))
    os.utime(recent_file, (long_ago, long_ago))  # its import is recent: it stays
    assert forgotten_file.exists()

    result = cli.invoke(ckan, ["satudata", "discard-stale-imports"])

    assert result.exit_code == 0, result.output
    assert "1 impor" in result.output
    assert not forgotten_file.exists() and not orphan.exists()
    assert recent_file.exists()
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_input_import_apply", dict(op), import_id=forgotten["id"])
    assert "unggah" in err.value.error_dict["import_id"][0]
    assert call_action("satudata_input_import_apply", dict(op),
                       import_id=recent["id"])["state"] == "applied"


@pytest.mark.parametrize("name,data,fragment", [
    ("rusak.xlsx", b"PK\x03\x04" + b"\x00" * 40, ""),
    ("makro.xlsm", None, ""),
    ("kosong.csv", b"", ""),
])
def test_hostile_files_are_refused_with_nothing_stored(world, name, data, fragment):
    _, pkg = _package(world)
    op = world.context("operator")
    if data is None:
        data = _workbook([("01", "A", 1)])
        import zipfile
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
            for item in src.infolist():
                dst.writestr(item, src.read(item.filename))
            dst.writestr("xl/vbaProject.bin", b"macro")
        data = buffer.getvalue()
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_input_import_check", dict(op), id=pkg["id"], period="2025",
                    upload=_upload(data, name))
    assert err.value.error_dict["upload"][0]
    from ckan import model

    from ckanext.satudata.model import InputImport
    assert model.Session.query(InputImport).count() == 0
    assert call_action("satudata_input_package_show", dict(op), id=pkg["id"])["periods"] == {}


def test_rows_for_a_published_dataset_wait_for_verification(world):
    dataset, pkg = _package(world)
    op = world.context("operator")
    call_action("satudata_input_rows_save", dict(op), id=pkg["id"], period="2024",
                rows=_rows(("01", "A", "1")))
    world.publish(dataset["id"])
    public = {"user": "", "ignore_auth": False}
    assert len(call_action("datastore_search", dict(public),
                           resource_id=pkg["resource_id"])["records"]) == 1

    result = call_action("satudata_input_rows_save", dict(op), id=pkg["id"], period="2025",
                         rows=_rows(("01", "B", "2")))
    assert result["published"] is False
    status = call_action("verifikasi_status_show", _sys(world), id=dataset["id"])
    assert status["state"] == "draft" and status["has_published"]
    # The public still reads the published rows only.
    assert [r["periode"] for r in call_action("datastore_search", dict(public),
            resource_id=pkg["resource_id"])["records"]] == ["2024"]
    world.publish(dataset["id"])
    assert sorted(r["periode"] for r in call_action("datastore_search", dict(public),
                  resource_id=pkg["resource_id"])["records"]) == ["2024", "2025"]


def test_no_data_changes_while_under_review(world):
    dataset, pkg = _package(world)
    call_action("verifikasi_submit", world.context("operator"), id=dataset["id"])
    with pytest.raises(tk.ValidationError, match="'state'"):
        call_action("satudata_input_rows_save", world.context("operator"), id=pkg["id"],
                    period="2025", rows=_rows(("01", "A", "1")))


READERS = {"operator", "verifikator", "verifikator2", "surveyor", "walidata", "sysadmin"}
WRITERS = {"operator", "sysadmin"}


@pytest.mark.parametrize("who", ["operator", "verifikator", "surveyor", "other_operator",
                                 "other_verifikator", "walidata", "sysadmin", "stranger",
                                 "anonymous"])
def test_who_may_read_and_write_input(world, who):
    _, pkg = _package(world)
    context = {"user": "", "ignore_auth": False} if who == "anonymous" else world.context(who)
    reads = [("satudata_input_package_show", {"id": pkg["id"]}),
             ("satudata_input_rows_list", {"id": pkg["id"], "period": "2025"}),
             ("satudata_survey_link_list", {"id": pkg["id"]}),
             ("satudata_survey_submission_list", {"id": pkg["id"]}),
             ("satudata_input_package_list", {"package_id": pkg["package_id"]})]
    writes = [("satudata_input_rows_save", {"id": pkg["id"], "period": "2025",
                                            "rows": _rows(("01", "A", "1"))}),
              ("satudata_survey_link_create", {"id": pkg["id"], "period": "2025"}),
              ("satudata_input_package_update", {"id": pkg["id"], "title": "Baru"})]
    for action, data in reads:
        if who in READERS:
            call_action(action, dict(context), **data)
        else:
            with pytest.raises(tk.NotAuthorized):
                call_action(action, dict(context), **data)
    for action, data in writes:
        if who in WRITERS:
            call_action(action, dict(context), **data)
        else:
            with pytest.raises(tk.NotAuthorized):
                call_action(action, dict(context), **data)


def test_survey_link_submissions_go_through_staging(world):
    _, pkg = _package(world)
    op = world.context("operator")
    link = call_action("satudata_survey_link_create", dict(op), id=pkg["id"], period="2025",
                       columns=["kode", "nama", "jumlah"], max_submissions=3)
    anonymous = {"user": "", "ignore_auth": False}
    form = call_action("satudata_survey_form_show", dict(anonymous), token=link["token"])
    assert [c["id"] for c in form["columns"]] == ["kode", "nama", "jumlah"]
    call_action("satudata_survey_submit", dict(anonymous), token=link["token"],
                values={"kode": "0101", "nama": "Kejapanan", "jumlah": "1.500"})
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_survey_submit", dict(anonymous), token=link["token"],
                    values={"kode": "0102", "nama": "", "jumlah": "banyak"})
    assert set(err.value.error_dict) == {"nama", "jumlah"}
    with pytest.raises(tk.ValidationError, match="'values'"):
        call_action("satudata_survey_submit", dict(anonymous), token=link["token"],
                    values={"kode": "0103", "nama": "X", "jumlah": "1", "rasio": "1"})
    call_action("satudata_survey_submit", dict(anonymous), token=link["token"],
                values={"kode": "0102", "nama": "Gempol", "jumlah": "7"})
    # Nothing reaches the rows before the operator accepts.
    assert call_action("satudata_input_package_show", dict(op), id=pkg["id"])["periods"] == {}
    pending = call_action("satudata_survey_submission_list", dict(op), id=pkg["id"],
                          state="pending")
    assert len(pending) == 2
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_survey_submission_review", world.context("verifikator"),
                    submission_ids=[pending[0]["id"]], decision="accept")
    call_action("satudata_survey_submission_review", dict(op),
                submission_ids=[pending[0]["id"]], decision="accept")
    call_action("satudata_survey_submission_review", dict(op),
                submission_ids=[pending[1]["id"]], decision="reject", note="duplikat")
    rows = call_action("satudata_input_rows_list", dict(op), id=pkg["id"], period="2025")["rows"]
    assert [(r["kode"], r["jumlah"]) for r in rows] == [("0101", "1500")]
    call_action("satudata_survey_submit", dict(anonymous), token=link["token"],
                values={"kode": "0104", "nama": "Beji", "jumlah": "1"})
    with pytest.raises(tk.ValidationError, match="batas jumlah kiriman"):
        call_action("satudata_survey_submit", dict(anonymous), token=link["token"],
                    values={"kode": "0105", "nama": "Bangil", "jumlah": "1"})
    call_action("satudata_survey_link_revoke", dict(op), link_id=link["id"])
    with pytest.raises(tk.ValidationError, match="dicabut"):
        call_action("satudata_survey_form_show", dict(anonymous), token=link["token"])


def test_survey_link_rules(world):
    _, pkg = _package(world)
    op = world.context("operator")
    with pytest.raises(tk.ValidationError, match="'columns'"):
        call_action("satudata_survey_link_create", dict(op), id=pkg["id"], period="2025",
                    columns=["kode"])
    with pytest.raises(tk.ValidationError, match="'expires'"):
        call_action("satudata_survey_link_create", dict(op), id=pkg["id"], period="2025",
                    expires="2020-01-01")
    login = call_action("satudata_survey_link_create", dict(op), id=pkg["id"], period="2025",
                        login_required=True)
    with pytest.raises(tk.NotAuthorized):
        call_action("satudata_survey_submit", {"user": "", "ignore_auth": False},
                    token=login["token"], values={"kode": "1", "nama": "A", "jumlah": "1"})
    call_action("satudata_survey_submit", world.context("surveyor"), token=login["token"],
                values={"kode": "1", "nama": "A", "jumlah": "1"})
    expired = call_action("satudata_survey_link_create", dict(op), id=pkg["id"], period="2025",
                          expires=(dt.datetime.utcnow() + dt.timedelta(minutes=1)).strftime(
                              "%Y-%m-%dT%H:%MZ"))  # UTC, with its offset
    from ckan import model

    from ckanext.satudata.model import SurveyLink
    found = model.Session.get(SurveyLink, expired["id"])
    found.expires = dt.datetime.utcnow() - dt.timedelta(minutes=1)
    model.Session.commit()
    with pytest.raises(tk.ValidationError, match="sudah berakhir"):
        call_action("satudata_survey_form_show", {"user": "", "ignore_auth": False},
                    token=expired["token"])


@pytest.mark.ckan_config("ckanext.satudata.survey.submissions_per_minute", "2")
def test_survey_rate_limit_per_address(world):
    _, pkg = _package(world)
    link = call_action("satudata_survey_link_create", world.context("operator"), id=pkg["id"],
                       period="2025")
    from ckan.lib.redis import connect_to_redis
    for key in connect_to_redis().scan_iter(f"satudata:survey:{link['id']}:*"):
        connect_to_redis().delete(key)
    anonymous = {"user": "", "ignore_auth": False}
    for n in range(2):
        call_action("satudata_survey_submit", dict(anonymous), token=link["token"],
                    values={"kode": f"{n}", "nama": "A", "jumlah": "1"})
    with pytest.raises(tk.ValidationError, match="Terlalu banyak"):
        call_action("satudata_survey_submit", dict(anonymous), token=link["token"],
                    values={"kode": "9", "nama": "A", "jumlah": "1"})
