"""Workbooks with several sheets in the Excel import: the first sheet that looks like data
is checked (not the instructions sheet), the summary says which, another sheet can be
chosen on the same page, and .xlsm files are refused with a message (issue 16)."""
from __future__ import annotations

import io
import re

import ckan.plugins.toolkit as tk
import openpyxl
import pytest
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def web(make_app):
    return make_app()


@pytest.fixture
def world():
    return make_world()


def _headers(world):
    return {"Authorization": world.users["operator"]["token"]}


class _Upload(io.BytesIO):
    def __init__(self, data: bytes, filename: str) -> None:
        super().__init__(data)
        self.filename = filename
        self.stream = self


def _package(world):
    dataset = world.dataset()
    pkg = call_action("satudata_input_package_create", world.context("operator"),
                      package_id=dataset["id"], title="Tenaga kesehatan", frequency="tahunan",
                      columns=[{"id": "kecamatan", "label": "Kecamatan", "key": True},
                               {"id": "jumlah", "label": "Jumlah", "tipe_data": "INTEGER"}])
    return dataset, pkg


def _workbook() -> bytes:
    """Sheet 1 "Petunjuk" (prose), sheet 2 "Data", sheet 3 "Lama" (older data, one row)."""
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = "Petunjuk"
    guide.append(["Petunjuk pengisian"])
    guide.append(["Isi satu baris untuk setiap kecamatan; jumlah tanpa titik ribuan."])
    data = book.create_sheet("Data")
    data.append(["Kecamatan", "Jumlah"])
    data.append(["Bangil", 12])
    data.append(["Beji", 7])
    old = book.create_sheet("Lama")
    old.append(["Kecamatan", "Jumlah"])
    old.append(["Pandaan", 3])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_data_sheet_is_checked_named_and_another_can_be_chosen(web, world):
    dataset, pkg = _package(world)
    base = f"/dataset/{dataset['name']}/input/{pkg['id']}"
    res = web.post(f"{base}/upload", headers=_headers(world), follow_redirects=False,
                   data={"period": "2025", "upload": (io.BytesIO(_workbook()), "isian.xlsx")})
    assert res.status_code == 302 and "/import/" in res.headers["Location"], res.body[:1500]
    summary_url = res.headers["Location"]
    page = web.get(summary_url, headers=_headers(world)).body
    read = re.search(r'id="satudata-import-sheet-read" data-sheet="([^"]*)" '
                     r'data-auto="(\w+)"', page)
    assert read and read.groups() == ("Data", "true"), page[:3000]
    assert 'data-count="rows_read">2<' in page and 'data-count="rows_rejected">0<' in page
    form = page.split('id="satudata-import-sheet"')[1].split("</form>")[0]
    assert re.findall(r'<option value="([^"]+)"', form) == ["Petunjuk", "Data", "Lama"]
    assert re.search(r'<option value="Data" selected>', form)

    # Another sheet, on the same page: the summary is checked again with it.
    res = web.post(summary_url, headers=_headers(world), follow_redirects=False,
                   data={"period": "2025", "sheet": "Lama"})
    assert res.status_code == 200, res.body[:1500]
    read = re.search(r'data-sheet="([^"]*)" data-auto="(\w+)"', res.body)
    assert read.groups() == ("Lama", "false")
    assert 'data-count="rows_read">1<' in res.body
    web.post(summary_url, headers=_headers(world), data={"mode": "all_or_nothing"})
    rows = call_action("satudata_input_rows_list", world.context("operator"), id=pkg["id"],
                       period="2025")["rows"]
    assert [(r["kecamatan"], r["jumlah"]) for r in rows] == [("Pandaan", "3")]


def test_the_action_picks_the_data_sheet_unless_one_is_given(world):
    _dataset, pkg = _package(world)
    ctx = world.context("operator")
    found = call_action("satudata_input_import_check", dict(ctx), id=pkg["id"], period="2025",
                        upload=_Upload(_workbook(), "isian.xlsx"))
    assert found["sheet"] == "Data" and found["summary"]["sheet_auto"] is True
    assert found["sheet_names"] == ["Petunjuk", "Data", "Lama"]
    again = call_action("satudata_input_import_check", dict(ctx), id=pkg["id"], period="2025",
                        import_id=found["id"], sheet="Petunjuk")
    assert again["sheet"] == "Petunjuk" and again["summary"]["sheet_auto"] is False
    assert again["summary"]["file_errors"]  # prose has none of the columns


@pytest.mark.parametrize("filename", ["isian.xlsm", "isian.xlsb"])
def test_a_macro_workbook_is_refused_with_a_message(web, world, filename):
    dataset, pkg = _package(world)
    with pytest.raises(tk.ValidationError) as err:
        call_action("satudata_input_import_check", world.context("operator"), id=pkg["id"],
                    period="2025", upload=_Upload(_workbook(), filename))
    message = err.value.error_dict["upload"][0].lower()
    assert "macro" in message or "makro" in message, message
    base = f"/dataset/{dataset['name']}/input/{pkg['id']}"
    res = web.post(f"{base}/upload", headers=_headers(world), follow_redirects=False,
                   data={"period": "2025", "upload": (io.BytesIO(_workbook()), filename)})
    assert res.status_code == 302 and "/import/" not in res.headers["Location"]
    # (the message is flashed; flashes do not survive between token-authenticated requests)
    assert not call_action("satudata_input_package_show", world.context("operator"),
                           id=pkg["id"])["periods"]
