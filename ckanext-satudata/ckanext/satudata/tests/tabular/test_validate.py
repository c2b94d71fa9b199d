"""validate: every problem of a file reported at once, valid rows ready for COPY."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from ckanext.satudata.tabular.read import open_table
from ckanext.satudata.tabular.structure import PERIOD_COLUMN, Column, Period, Structure
from ckanext.satudata.tabular.template import STAMP_SHEET, build_xlsx_template
from ckanext.satudata.tabular.validate import (
    Summary,
    Validation,
    column_letter,
    validate_file,
    validate_row,
)
from ckanext.satudata.tests.tabular import replace_members, sheet_xml, xlsx

STRUCTURE = Structure(columns=(
    Column("kode_desa", "Kode desa", key=True, required=True),
    Column("nama", "Nama desa"),
    Column("jumlah", "Jumlah penduduk", "INTEGER", "jiwa", required=True),
    Column("luas", "Luas", "DECIMAL", "ha"),
    Column("tanggal", "Tanggal", "DATE"),
    Column("jk", "Jenis kelamin", value_domain=(("1", "Laki-laki"), ("2", "Perempuan"))),
))
PERIOD = Period("tahunan", 2025)


def _csv(tmp_path, text: str, name: str = "a.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _validate(path, structure=STRUCTURE, **kw):
    with open_table(str(path)) as table:
        validation = Validation(table, structure, **kw)
        rows = list(validation.rows())
    return rows, validation.summary


def _codes(summary: Summary) -> list[tuple]:
    return [(e.row, e.column, e.value, e.code) for e in summary.errors]


def test_valid_csv_rows_in_structure_order_with_period(tmp_path):
    path = _csv(tmp_path, "Jenis kelamin;luas;Jumlah penduduk (jiwa);KODE  DESA;tanggal\n"
                          "Perempuan;1.234,5;1.234;0164;31/12/2025\n"
                          "1;2;5;0165;\n")
    rows, summary = _validate(path, period=PERIOD)
    assert summary.ok, summary
    assert rows == [
        (2, ["2025", "0164", None, "1234", "1234.5", "2025-12-31", "2"]),
        (3, ["2025", "0165", None, "5", "2", None, "1"]),
    ]
    assert summary.columns == [PERIOD_COLUMN, "kode_desa", "nama", "jumlah", "luas",
                               "tanggal", "jk"]
    assert (summary.rows_read, summary.rows_valid, summary.rows_rejected) == (2, 2, 0)
    assert any("Nama desa" in n for n in summary.notices)  # optional column left empty


def test_every_row_error_is_reported(tmp_path):
    path = _csv(tmp_path, "kode_desa;nama;jumlah;luas;tanggal;jk\n"
                          "0164;A;12x;abc;31/02/2025;3\n"
                          "0165;B;;1;1/1/2025;1;extra\n"
                          "0164;C;7;1;1/1/2025;2\n"
                          ";D;8;1;1/1/2025;2\n"
                          "0166;E;9;1,5;1/1/2025;perempuan\n")
    rows, summary = _validate(path)
    assert rows == [(6, ["0166", "E", "9", "1.5", "2025-01-01", "2"])]
    assert _codes(summary) == [
        (2, "jumlah", "12x", "not_integer"),
        (2, "luas", "abc", "not_number"),
        (2, "tanggal", "31/02/2025", "invalid_date"),
        (2, "jk", "3", "not_in_domain"),
        (3, "jumlah", None, "required"),
        (3, "G", "extra", "extra_value"),
        (4, "kode_desa", "0164", "duplicate_key"),
        (5, "kode_desa", None, "required"),
    ]
    assert summary.errors_total == 8
    assert (summary.rows_read, summary.rows_valid, summary.rows_rejected) == (5, 1, 4)
    assert not summary.ok
    duplicate = summary.errors[6]
    assert "row 2" in duplicate.message
    assert all(e.sheet == "CSV" for e in summary.errors)


def test_header_file_errors_reject_every_row(tmp_path):
    path = _csv(tmp_path, "kode_desa;nama;nama desa;Warna;;luas\n"
                          "0164;A;B;merah;;1\n"
                          "0165;A;B;biru;;2\n")
    rows, summary = _validate(path)
    assert rows == []
    codes = [(e.code, e.column) for e in summary.file_errors]
    assert ("duplicate_column", "nama desa") in codes
    assert ("unknown_column", "Warna") in codes
    assert ("missing_column", "Jumlah penduduk") in codes
    unknown = next(e for e in summary.file_errors if e.code == "unknown_column")
    assert "D" in unknown.message and unknown.row == 1
    assert (summary.rows_read, summary.rows_valid, summary.rows_rejected) == (2, 0, 2)


def test_max_errors_kept(tmp_path):
    path = _csv(tmp_path, "kode_desa;jumlah\n" + "".join(f"{i};x\n" for i in range(50)))
    _rows, summary = _validate(path, max_errors_kept=10)
    assert len(summary.errors) == 10
    assert summary.errors_total == 50


def test_blank_rows_and_spaces_are_ignored(tmp_path):
    path = _csv(tmp_path, "kode_desa;jumlah\n ; \n0164;1\n")
    rows, summary = _validate(path)
    assert rows == [(3, ["0164", None, "1", None, None, None])]
    assert summary.rows_read == 1


def test_empty_sheet_and_header_only(tmp_path):
    _rows, summary = _validate(_csv(tmp_path, "kode_desa;jumlah\n"))
    assert [e.code for e in summary.file_errors] == ["no_rows"]
    book = xlsx(tmp_path / "e.xlsx", [])
    _rows, summary = _validate(book)
    assert [e.code for e in summary.file_errors] == ["empty_sheet"]


def test_decimal_column_with_dot_decimals_reads_a_dot_as_decimal(tmp_path):
    structure = Structure(columns=(Column("luas", "Luas", "DECIMAL"),))
    rows, _summary = _validate(_csv(tmp_path, "luas\n2.5\n1.234\n"), structure)
    assert [r[1] for r in rows] == [["2.5"], ["1.234"]]
    rows, _summary = _validate(_csv(tmp_path, "luas\n2,5\n1.234\n", "b.csv"), structure)
    assert [r[1] for r in rows] == [["2.5"], ["1234"]]


def test_period_column_in_the_file(tmp_path):
    path = _csv(tmp_path, "periode;kode_desa;jumlah\n2025;1;1\nPeriode 2024;2;2\n;3;3\n")
    rows, summary = _validate(path, period=PERIOD)
    assert [r[0] for r in rows] == [2, 4]
    assert _codes(summary) == [(3, "periode", "Periode 2024", "period_mismatch")]
    monthly = Period("bulanan", 2025, 7)
    path = _csv(tmp_path, "periode;kode_desa;jumlah\nJuli 2025;1;1\n2025-07;2;2\n", "m.csv")
    rows, summary = _validate(path, period=monthly)
    assert summary.ok and [r[1][0] for r in rows] == ["2025-07", "2025-07"]


def test_xlsx_cells_formulas_and_zero_padded_codes(tmp_path):
    book = xlsx(tmp_path / "a.xlsx", [
        ["kode_desa", "jumlah", "luas", "tanggal", "jk"],
        [164, 12.0, 2.5, dt.date(2025, 12, 31), 2],
        ["0165", 3, 1, dt.datetime(2025, 1, 1), "Laki-laki"],
    ], formats={"A2": "0000"})
    rows, summary = _validate(book)
    assert summary.ok
    assert rows == [(2, ["0164", None, "12", "2.5", "2025-12-31", "2"]),
                    (3, ["0165", None, "3", "1", "2025-01-01", "1"])]
    sheet = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>kode_desa</t></is></c>'
                      '<c r="B1" t="inlineStr"><is><t>jumlah</t></is></c></row>'
                      '<row r="2"><c r="A2" t="inlineStr"><is><t>01</t></is></c>'
                      '<c r="B2"><f>SUM(C1:C9)</f></c></row>')
    crafted = replace_members(book, tmp_path / "f.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    rows, summary = _validate(crafted)
    assert rows == []
    assert _codes(summary) == [(2, "jumlah", "=…", "formula_without_value")]


def _template(tmp_path, structure=STRUCTURE, period=PERIOD, package_id="pkg-1"):
    path = tmp_path / "template.xlsx"
    with open(path, "wb") as out:
        build_xlsx_template(structure, title="Uji", period=period, package_id=package_id,
                            out=out)
    return path


def _fill(path, rows):
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for row in rows:
        wb["Data"].append(row)
    wb.save(path)
    return path


def test_template_round_trip(tmp_path):
    path = _fill(_template(tmp_path), [["0164", "Desa", 10, "1,5", "31/12/2025", "1"]])
    rows, summary = _validate(path, period=PERIOD, require_stamp=True, package_id="pkg-1")
    assert summary.ok, summary
    assert rows == [(2, ["2025", "0164", "Desa", "10", "1.5", "2025-12-31", "1"])]


def test_template_stamp_mismatches(tmp_path):
    path = _fill(_template(tmp_path), [["0164", "Desa", 10]])
    changed = Structure(columns=(*STRUCTURE.columns, Column("baru", "Baru")))
    _rows, summary = _validate(path, changed, period=Period("tahunan", 2024), package_id="x")
    assert {e.code for e in summary.file_errors} == {
        "wrong_template", "period_mismatch", "wrong_package"}
    assert summary.rows_read == 1 and summary.rows_valid == 0


def test_require_stamp(tmp_path):
    path = _csv(tmp_path, "kode_desa;jumlah\n1;1\n")
    _rows, summary = _validate(path, require_stamp=True)
    assert [e.code for e in summary.file_errors] == ["stamp_missing"]
    assert STAMP_SHEET == "_satudata"


def test_unknown_sheet(tmp_path):
    _rows, summary = _validate(_csv(tmp_path, "kode_desa;jumlah\n1;1\n"), sheet="Lain")
    assert [e.code for e in summary.file_errors] == ["sheet_not_found"]


def test_reading_errors_become_file_errors(tmp_path):
    from ckanext.satudata.tabular.guard import Limits

    path = _csv(tmp_path, "kode_desa;jumlah\n" + "1;1\n" * 20)
    with open_table(str(path), limits=Limits(max_rows=5)) as table:
        summary = validate_file(table, STRUCTURE)
    assert [e.code for e in summary.file_errors] == ["too_many_rows"]
    assert not summary.ok


def test_summary_round_trips_through_json(tmp_path):
    path = _csv(tmp_path, "kode_desa;jumlah\n1;x\n")
    with open_table(str(path)) as table:
        summary = validate_file(table, STRUCTURE)
    again = Summary.from_dict(json.loads(json.dumps(summary.to_dict())))
    assert again == summary
    assert not again.ok


def test_long_values_are_clipped(tmp_path):
    path = _csv(tmp_path, "kode_desa;jumlah\n1;" + "9x" * 100 + "\n")
    _rows, summary = _validate(path)
    assert len(summary.errors[0].value) == 100


def test_validate_row_for_forms():
    values, errors = validate_row(STRUCTURE, {
        "kode_desa": "0164", "jumlah": "1.234", "luas": "2,5", "tanggal": "1 Mei 2025",
        "jk": "perempuan"}, period=PERIOD)
    assert errors == []
    assert values == ["2025", "0164", None, "1234", "2.5", "2025-05-01", "2"]
    values, errors = validate_row(STRUCTURE, {"jumlah": "x", "periode": "2024"},
                                  period=PERIOD)
    assert [(e.column, e.code) for e in errors] == [
        ("Periode", "period_mismatch"), ("Kode desa", "required"),
        ("Jumlah penduduk", "not_integer")]
    values, errors = validate_row(STRUCTURE, {"kode_desa": "1", "jumlah": 1}, period=None)
    assert errors == [] and values[0] == "1"


@pytest.mark.parametrize("index, letter", [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"),
                                           (702, "AAA")])
def test_column_letter(index, letter):
    assert column_letter(index) == letter


def test_messages_in_a_request(app, tmp_path):
    path = _csv(tmp_path, "kode_desa;jumlah\n1;x\n")
    with app.flask_app.test_request_context(), open_table(str(path)) as table:
        summary = validate_file(table, STRUCTURE)
    assert summary.errors[0].message


def test_many_rows_take_the_column_path_and_keep_every_error(tmp_path):
    lines = ["kode_desa;jumlah;luas;tanggal;jk"]
    for i in range(2500):
        jumlah = "x" if i in (150, 1999) else str(i)
        kode = "5" if i == 2400 else str(i)
        lines.append(f"{kode};{jumlah};{i},5;01/02/2025;{1 + i % 2}")
    lines.insert(700, ";;;;")
    rows, summary = _validate(_csv(tmp_path, "\n".join(lines) + "\n"))
    assert _codes(summary) == [(152, "jumlah", "x", "not_integer"),
                               (2002, "jumlah", "x", "not_integer"),
                               (2403, "kode_desa", "5", "duplicate_key")]
    assert (summary.rows_read, summary.rows_valid, summary.rows_rejected) == (2500, 2497, 3)
    assert rows[0] == (2, ["0", None, "0", "0.5", "2025-02-01", "1"])
    assert rows[-1] == (2502, ["2499", None, "2499", "2499.5", "2025-02-01", "2"])
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
