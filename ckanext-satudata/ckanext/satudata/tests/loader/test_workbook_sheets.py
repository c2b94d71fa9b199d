"""Workbooks with several sheets in the loader: the first sheet that looks like data is
loaded (not an instructions sheet), the status says which, `satudata_sheet` set through
resource_patch reloads, and macro workbooks are refused with a message (issue 16)."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from ckan.tests import factories as core_factories
from ckan.tests.helpers import call_action

from ckanext.satudata.loader import resources
from ckanext.satudata.tabular.sheets import looks_like_data
from ckanext.satudata.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_queue")


def workbook(*, data_title: str = "Data") -> bytes:
    """Sheet 1 "Petunjuk" (prose, one cell per row), sheet 2 the data, sheet 3 a summary."""
    from openpyxl import Workbook

    book = Workbook()
    guide = book.active
    guide.title = "Petunjuk"
    guide.append(["Petunjuk pengisian"])
    guide.append(["Isi satu baris untuk setiap kecamatan."])
    guide.append(["Kolom jumlah diisi dengan angka, tanpa titik ribuan."])
    guide.append([None, "Catatan: jangan mengubah judul kolom."])
    data = book.create_sheet(data_title)
    data.append(["kecamatan", "jumlah", "tanggal"])
    data.append(["Bangil", 1250, dt.date(2025, 12, 31)])
    data.append(["Beji", 7, dt.date(2025, 12, 31)])
    summary = book.create_sheet("Ringkasan")
    summary.append(["total", "jumlah"])
    summary.append(["semua", 1257])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _status(resource_id: str) -> dict[str, Any]:
    return call_action("xloader_status", resource_id=resource_id)["satudata_loader"]


def _records(resource_id: str) -> list[dict[str, Any]]:
    return call_action("datastore_search", resource_id=resource_id)["records"]


@pytest.mark.parametrize("rows,score", [
    ([["Petunjuk pengisian"], ["Isi satu baris."], ["Angka tanpa titik."]], 0),
    ([["kolom", "keterangan"], ["kecamatan", "nama kecamatan"]], 1),
    ([["kecamatan", "jumlah"], ["Bangil", 3]], 2),
    ([["kecamatan", "tanggal"], ["Bangil", dt.date(2025, 1, 1)]], 2),
    ([["Judul", 2025], ["Bangil", 3]], 0),  # a header holds text only
    ([], 0),
])
def test_what_looks_like_data(rows, score):
    assert looks_like_data(rows) == score


def test_the_data_sheet_is_loaded_and_named_then_another_is_chosen_through_the_api(
        upload_resource, run_worker, sysadmin_context):
    dataset = factories.Dataset()
    resource = upload_resource(workbook(), "isian.xlsx", dataset["id"])
    run_worker()
    rid = resource["id"]
    state = _status(rid)
    assert state["stage"] == "complete", state
    assert state["sheets"] == ["Petunjuk", "Data", "Ringkasan"] and state["sheet"] == "Data"
    notice = [n for n in state["notices"] if n.get("sheet_auto")]
    assert notice and notice[0]["params"] == {"n": 3, "sheet": "Data"}
    assert [(r["kecamatan"], r["jumlah"]) for r in _records(rid)] == [
        ("Bangil", 1250), ("Beji", 7)]

    # Another sheet through the API: resource_patch alone queues the reload.
    call_action("resource_patch", dict(sysadmin_context), id=rid, satudata_sheet="Ringkasan")
    assert _status(rid)["stage"] == "queued"
    run_worker()
    state = _status(rid)
    assert state["stage"] == "complete" and state["sheet"] == "Ringkasan", state
    assert not [n for n in state["notices"] if n.get("sheet_auto")]  # chosen, not guessed
    assert [(r["total"], r["jumlah"]) for r in _records(rid)] == [("semua", 1257)]

    # A patch that does not touch the sheet does not reload.
    call_action("resource_patch", dict(sysadmin_context), id=rid, description="Data per kecamatan")
    assert _status(rid)["stage"] == "complete"

    # A sheet the file does not have: a clear error, the previous table stays.
    call_action("resource_patch", dict(sysadmin_context), id=rid, satudata_sheet="Tidak ada")
    run_worker()
    state = _status(rid)
    assert state["stage"] == "error" and state["errors"][0]["params"] == {"sheet": "Tidak ada"}
    assert [r["total"] for r in _records(rid)] == ["semua"]


def test_a_workbook_of_prose_only_is_read_from_its_first_sheet(upload_resource, run_worker):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Catatan"
    book.active.append(["satu", "dua"])
    book.active.append(["tiga", "empat"])
    book.create_sheet("Kosong").append(["hanya satu sel"])
    out = io.BytesIO()
    book.save(out)
    resource = upload_resource(out.getvalue(), "catatan.xlsx", factories.Dataset()["id"])
    run_worker()
    assert _status(resource["id"])["sheet"] == "Catatan"


@pytest.mark.parametrize("filename,fmt", [("makro.xlsm", "XLSM"), ("makro.xlsm", "XLSX"),
                                          ("makro.xlsb", "XLSB")])
def test_a_macro_workbook_is_refused_with_a_message(create_with_upload, sysadmin_context,
                                                    run_worker, app, filename, fmt):
    dataset = factories.Dataset()
    resource = create_with_upload(workbook(), filename, context=dict(sysadmin_context),
                                  package_id=dataset["id"], url=filename, format=fmt)
    run_worker()
    state = _status(resource["id"])
    assert state["stage"] == "error", state
    assert state["errors"][0]["msgid"] == resources.MACRO_MESSAGE
    assert not call_action("resource_show", id=resource["id"]).get("datastore_active")
    # The DataStore tab shows it (the editor's view of the load).
    token = core_factories.APIToken(user=sysadmin_context["user"])["token"]
    page = app.get(f"/dataset/{dataset['name']}/resource_data/{resource['id']}",
                   headers={"Authorization": token})
    assert page.status_code == 200 and 'data-stage="error"' in page.body
