"""export: downloads that spreadsheets cannot turn into formulas."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from ckanext.satudata.tabular.export import neutralise, write_csv, write_xlsx

FIELDS = [{"id": "nama", "type": "text"}, {"id": "jumlah", "type": "int8"},
          {"id": "luas", "type": "numeric"}, {"id": "tanggal", "type": "date"},
          {"id": "aktif", "type": "bool"}, {"id": "info", "type": "json"}]
RECORDS = [
    {"nama": '=HYPERLINK("http://evil","klik")', "jumlah": -5, "luas": "1234.56",
     "tanggal": "2025-12-31", "aktif": True, "info": {"a": 1}},
    {"nama": "+62 812", "jumlah": 7, "luas": Decimal("-0.5"), "tanggal": None,
     "aktif": False, "info": None},
    {"nama": "-2+3", "jumlah": None, "luas": None, "tanggal": "2025-01-02", "aktif": None,
     "info": None},
    {"nama": "@SUM(A1)", "jumlah": 0, "luas": 2, "tanggal": None, "aktif": None, "info": None},
    {"nama": "\tx", "jumlah": 1, "luas": 1, "tanggal": None, "aktif": None, "info": None},
    {"nama": "Desa Sukorejo", "jumlah": 1, "luas": 1, "tanggal": None, "aktif": None,
     "info": None},
]


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Desa", "Desa"), ("", ""), (-5, -5), (None, None), (1.5, 1.5),
    ("a=b", "a=b"),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_neutralises_text_only():
    out = io.StringIO()
    write_csv(FIELDS, iter(RECORDS), out, delimiter=";")
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert rows[0] == ["nama", "jumlah", "luas", "tanggal", "aktif", "info"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil\",\"klik\")", "-5", "1234.56", "2025-12-31",
                       "true", '{"a": 1}']
    assert rows[2][:3] == ["'+62 812", "7", "-0.5"]
    assert [r[0] for r in rows[3:]] == ["'-2+3", "'@SUM(A1)", "'\tx", "Desa Sukorejo"]


def test_xlsx_text_is_never_a_formula(tmp_path):
    path = tmp_path / "out.xlsx"
    with open(path, "wb") as out:
        write_xlsx(FIELDS, iter(RECORDS), out, sheet_title="Data: 2025/[x]")
    with zipfile.ZipFile(path) as zf:
        sheet = next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
        assert b"<f>" not in zf.read(sheet)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.title == "Data_ 2025__x_"
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:5] == ("'=HYPERLINK(\"http://evil\",\"klik\")", -5, 1234.56,
                           dt.datetime(2025, 12, 31), True)
    assert rows[2][:3] == ("'+62 812", 7, -0.5)
    assert [r[0] for r in rows[3:]] == ["'-2+3", "'@SUM(A1)", "'\tx", "Desa Sukorejo"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_xlsx_keeps_long_numbers_and_drops_control_characters(tmp_path):
    path = tmp_path / "out.xlsx"
    fields = [{"id": "nik", "type": "int8"}, {"id": "catatan", "type": "text"}]
    with open(path, "wb") as out:
        write_xlsx(fields, [{"nik": 3514012345678901, "catatan": "a\x01b"}], out)
    rows = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[1] == ("3514012345678901", "ab")
