"""template: fill-in workbooks that guide the user and carry a hidden stamp."""
from __future__ import annotations

import io
import zipfile

import openpyxl

from ckanext.satudata.tabular.read import open_table
from ckanext.satudata.tabular.structure import Column, Period, Structure
from ckanext.satudata.tabular.template import (
    LIST_SHEET,
    STAMP_SHEET,
    build_csv_template,
    build_xlsx_template,
)

LONG_DOMAIN = tuple((f"{i:04d}", f"Desa nomor {i}") for i in range(1, 120))
STRUCTURE = Structure(columns=(
    Column("kode_desa", "Kode desa", key=True, value_domain=LONG_DOMAIN),
    Column("nama", "=HYPERLINK(\"x\")"),
    Column("jumlah", "Jumlah", "INTEGER", "jiwa", required=True),
    Column("luas", "Luas", "DECIMAL", "ha"),
    Column("tanggal", "Tanggal", "DATE"),
    Column("jk", "Jenis kelamin", value_domain=(("1", "Laki-laki"), ("2", "Perempuan"))),
    Column("aktif", "Aktif", "BOOLEAN"),
))
PERIOD = Period("triwulanan", 2025, 3)


def _build(tmp_path, period=PERIOD):
    path = tmp_path / "t.xlsx"
    with open(path, "wb") as out:
        build_xlsx_template(STRUCTURE, title="Penduduk per desa", period=period,
                            package_id="pkg-1", out=out)
    return path


def test_data_sheet(tmp_path):
    wb = openpyxl.load_workbook(_build(tmp_path))
    assert wb.sheetnames[:2] == ["Data", "Petunjuk"]
    ws = wb["Data"]
    header = [c.value for c in ws[1]]
    assert header == ["Kode desa *", "'=HYPERLINK(\"x\")", "Jumlah (jiwa) *", "Luas (ha)",
                      "Tanggal", "Jenis kelamin", "Aktif"]
    assert all(c.data_type == "s" for c in ws[1])
    assert ws["A1"].font.bold and ws["A1"].comment is not None and ws["B1"].comment is None
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].number_format == "@"
    rules = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert rules["A2"].type == "list"
    assert rules["A2"].formula1.startswith(f"{LIST_SHEET}!$A$1:$A$119") or \
        rules["A2"].formula1.startswith(f"'{LIST_SHEET}'!")
    assert rules["F2"].type == "list" and rules["F2"].formula1 == '"1,2"'
    assert rules["C2"].type == "whole" and rules["C2"].error
    assert rules["D2"].type == "decimal"
    assert rules["E2"].type == "date"
    assert wb[LIST_SHEET].sheet_state == "hidden"
    assert wb[LIST_SHEET]["A1"].value == "0001"


def test_instructions_and_stamp(tmp_path):
    path = _build(tmp_path)
    wb = openpyxl.load_workbook(path)
    text = " ".join(str(c.value) for row in wb["Petunjuk"].iter_rows() for c in row if c.value)
    assert "Triwulan III 2025" in text and "Jenis kelamin" in text and "2 = Perempuan" in text
    assert "Bilangan bulat" in text
    assert wb[STAMP_SHEET].sheet_state == "veryHidden"
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name)
    with open_table(str(path)) as table:
        assert table.sheet_names == ["Data", "Petunjuk"]
        stamp = dict(table.hidden_sheet(STAMP_SHEET))
    assert stamp["package_id"] == "pkg-1"
    assert stamp["stamp"] == STRUCTURE.stamp()
    assert stamp["period"] == "2025-T3"
    assert stamp["format_version"] == "1" and stamp["created"]


def test_template_without_period(tmp_path):
    with open_table(str(_build(tmp_path, period=None))) as table:
        stamp = dict(r + [None] * (2 - len(r)) for r in table.hidden_sheet(STAMP_SHEET))
    assert not stamp["period"]


def test_leading_zero_codes_survive_a_round_trip(tmp_path):
    path = _build(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Data"].append(["0007", None, 5])
    wb.save(path)
    with open_table(str(path)) as table:
        assert list(table.rows())[1] == (2, ["0007", None, 5])


def test_csv_template():
    out = io.BytesIO()
    build_csv_template(STRUCTURE, out=out)
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "Kode desa;\"'=HYPERLINK(\"\"x\"\")\";Jumlah (jiwa);Luas (ha);Tanggal;Jenis kelamin;Aktif"]
