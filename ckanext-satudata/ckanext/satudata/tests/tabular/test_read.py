"""read.open_table: cells as the user sees them, from every supported format."""
from __future__ import annotations

import datetime as dt
import pickle
import zipfile
from pathlib import Path

import pytest

from ckanext.satudata.tabular.guard import FileRejected, Limits
from ckanext.satudata.tabular.read import FORMULA_WITHOUT_VALUE, open_table
from ckanext.satudata.tests.tabular import SHEET_NS, ods, replace_members, sheet_xml, xlsx


def _rows(path, **kw):
    with open_table(str(path), path.name, **kw) as table:
        return list(table.rows())


# --- CSV -----------------------------------------------------------------------

def test_csv_cp1252_with_semicolons_and_decimal_commas(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("nama;nilai;luas\r\nCafé Rp;1,5;2,75\r\n".encode("cp1252"))
    with open_table(str(path), "a.csv") as table:
        assert (table.format, table.encoding, table.delimiter) == ("csv", "cp1252", ";")
        assert table.sheet_names == ["CSV"]
        assert table.notices  # the user is told the file was not UTF-8
        assert list(table.rows()) == [(1, ["nama", "nilai", "luas"]),
                                      (2, ["Café Rp", "1,5", "2,75"])]


def test_csv_semicolon_wins_the_decimal_comma_tie(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a;1,5;2,75\n")
    with open_table(str(path)) as table:
        assert table.delimiter == ";"


def test_csv_utf8_bom_and_commas(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"\xef\xbb\xbfkode,nama\n0164,\"Desa \xc3\xa9, Timur\"\n")
    with open_table(str(path)) as table:
        assert (table.encoding, table.delimiter, table.notices) == ("utf-8-sig", ",", [])
        assert list(table.rows()) == [(1, ["kode", "nama"]), (2, ["0164", "Desa é, Timur"])]


def test_csv_late_non_utf8_byte_is_found_before_reading(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n" + b"x,1\n" * 50_000 + "é,2\n".encode("cp1252"))
    with open_table(str(path)) as table:
        assert table.encoding == "cp1252"
        assert list(table.rows())[-1] == (50_002, ["é", "2"])


@pytest.mark.parametrize("delimiter", ["\t", "|"])
def test_csv_other_delimiters(tmp_path, delimiter):
    path = tmp_path / "a.csv"
    path.write_text(delimiter.join(["a", "b", "c"]) + "\n" + delimiter.join("123") + "\n")
    with open_table(str(path)) as table:
        assert table.delimiter == delimiter


def test_csv_skips_empty_rows_keeps_numbers_and_trims(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a;b;;\n\n;;;\n1;;;\n;2\n")
    assert _rows(path) == [(1, ["a", "b"]), (4, ["1"]), (5, ["", "2"])]


def test_csv_utf16(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("a\tb\n1\t2\n".encode("utf-16"))
    assert _rows(path) == [(1, ["a", "b"]), (2, ["1", "2"])]


def test_csv_limits(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a\n" + "1\n" * 20)
    with pytest.raises(FileRejected) as caught:
        _rows(path, limits=Limits(max_rows=10))
    assert caught.value.code == "too_many_rows"
    wide = tmp_path / "w.csv"
    wide.write_text(";".join(["a"] * 5) + "\n")
    with pytest.raises(FileRejected) as caught:
        _rows(wide, limits=Limits(max_columns=4))
    assert caught.value.code == "too_many_columns"
    huge = tmp_path / "h.csv"
    huge.write_text("a;b\n1;" + "x" * 200_000 + "\n")
    with pytest.raises(FileRejected) as caught:
        _rows(huge)
    assert caught.value.code == "cell_too_large"


# --- XLSX ----------------------------------------------------------------------

def test_xlsx_values_as_seen(tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [
        ["kode", "nama", "jumlah", "tanggal", "ok", "kode teks"],
        [164, "Desa A", 12.0, dt.date(2025, 12, 31), True, 7],
        [5, None, 2.5, dt.datetime(2025, 1, 2, 8, 30), False, "0099"],
    ], formats={"A2": "0000", "A3": "00000", "F2": "@"})
    with open_table(str(path)) as table:
        assert table.format == "xlsx"
        assert table.sheet_names == ["Data"]
        assert list(table.rows()) == [
            (1, ["kode", "nama", "jumlah", "tanggal", "ok", "kode teks"]),
            (2, ["0164", "Desa A", 12, dt.date(2025, 12, 31), True, "7"]),
            (3, ["00005", None, 2.5, dt.datetime(2025, 1, 2, 8, 30), False, "0099"]),
        ]


def test_xlsx_formulas_cached_and_uncached(tmp_path):
    book = xlsx(tmp_path / "a.xlsx", [["a", "b"], [1, 2]])
    sheet = sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>b</t></is></c></row>'
        '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c><c r="B2" t="str"><f>"x"</f><v>x</v></c></row>'
        '<row r="3"><c r="A3"><f>SUM(A1:A2)</f></c><c r="B3"><v>5</v></c></row>'
        '<row r="4"><c r="A4"><f>A3*2</f><v></v></c><c r="B4" t="str"><f>""</f><v></v></c></row>')
    crafted = replace_members(book, tmp_path / "f.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    with open_table(str(crafted)) as table:
        rows = list(table.rows())
        assert table.notices  # saved formula results were used
    assert rows[1] == (2, [2, "x"])
    assert rows[2] == (3, [FORMULA_WITHOUT_VALUE, 5])
    assert rows[3] == (4, [FORMULA_WITHOUT_VALUE])  # an empty text result is a value
    assert "formula" in repr(FORMULA_WITHOUT_VALUE)
    assert pickle.loads(pickle.dumps(FORMULA_WITHOUT_VALUE)) is FORMULA_WITHOUT_VALUE


def test_xlsx_hidden_sheets_are_not_data(tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [["a"], [1]],
                hidden={"_satudata": [["stamp", "abc"], ["period", "2025"]]})
    with open_table(str(path)) as table:
        assert table.sheet_names == ["Data"]
        assert table.hidden_sheet("_satudata") == [["stamp", "abc"], ["period", "2025"]]
        assert table.hidden_sheet("Data") is None
        assert table.hidden_sheet("missing") is None
        with pytest.raises(FileRejected) as caught:
            list(table.rows("_satudata"))
        assert caught.value.code == "sheet_not_found"


def test_xlsx_column_and_row_limits(tmp_path):
    wide = xlsx(tmp_path / "w.xlsx", [["a", None, None, None, None, "x"]])
    with pytest.raises(FileRejected) as caught:
        _rows(wide, limits=Limits(max_columns=5))
    assert caught.value.code == "too_many_columns"
    # Empty styled cells far to the right are no reason to refuse.
    book = xlsx(tmp_path / "a.xlsx", [["a"]])
    sheet = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>'
                      '<c r="XFD1" s="0"/></row>')
    styled = replace_members(book, tmp_path / "s.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    assert _rows(styled, limits=Limits(max_columns=5)) == [(1, ["a"])]
    tall = xlsx(tmp_path / "t.xlsx", [[i] for i in range(12)])
    with pytest.raises(FileRejected) as caught:
        _rows(tall, limits=Limits(max_rows=10))
    assert caught.value.code == "too_many_rows"


def test_xlsx_memory_stays_flat_on_many_rows(tmp_path):
    import tracemalloc

    book = xlsx(tmp_path / "a.xlsx", [["a", "b"]])
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}"><v>1.5</v></c></row>'
                   for i in range(1, 60_001))
    big = replace_members(book, tmp_path / "big.xlsx",
                          {"xl/worksheets/sheet1.xml": sheet_xml(rows)})
    with open_table(str(big)) as table:
        tracemalloc.start()
        count = 0
        for count, (_n, _cells) in enumerate(table.rows(), 1):  # noqa: B007
            pass
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert count == 60_000
    assert peak < 5 * 2**20  # a cleared row element per row would be ~8 MB here


# --- ODS -----------------------------------------------------------------------

def _cell(value: str, kind: str = "string", attrs: str = "") -> str:
    return (f'<table:table-cell office:value-type="{kind}" {attrs}>'
            f"<text:p>{value}</text:p></table:table-cell>")


SPACED = _cell('a <text:s text:c="2"/>b')


def test_ods_types_repeats_and_sheets(tmp_path):
    data = (
        '<table:table table:name="Data">'
        f"<table:table-row>{_cell('kode')}{_cell('jumlah')}{_cell('tanggal')}{_cell('ok')}"
        "</table:table-row>"
        '<table:table-row table:number-rows-repeated="3"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row>'
        "<table:table-row>" + _cell("0164", "float", 'office:value="164"')
        + _cell("1.234,5", "float", 'office:value="1234.5"')
        + _cell("31/12/2025", "date", 'office:date-value="2025-12-31"')
        + _cell("TRUE", "boolean", 'office:boolean-value="true"')
        + '<table:table-cell table:number-columns-repeated="16000"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="2">'
        + SPACED +
        '<table:table-cell table:number-columns-repeated="2"/>'
        + _cell("12", "float", 'office:value="12"') + "</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table>"
        '<table:table table:name="Hidden" table:style-name="ta2"><table:table-row>'
        f"{_cell('stamp')}{_cell('abc')}</table:table-row></table:table>"
        '<table:table table:name="Lain"><table:table-row>'
        f"{_cell('x')}</table:table-row></table:table>"
    )
    styles = ('<style:style style:name="ta2" style:family="table">'
              '<style:table-properties table:display="false"/></style:style>')
    path = ods(tmp_path / "a.ods", data, styles=styles)
    with open_table(str(path)) as table:
        assert table.format == "ods"
        assert table.sheet_names == ["Data", "Lain"]
        assert list(table.rows()) == [
            (1, ["kode", "jumlah", "tanggal", "ok"]),
            (5, ["0164", 1234.5, dt.date(2025, 12, 31), True]),
            (6, ["a   b", None, None, 12]),
            (7, ["a   b", None, None, 12]),
        ]
        assert list(table.rows("Lain")) == [(1, ["x"])]
        assert table.hidden_sheet("Hidden") == [["stamp", "abc"]]


def test_ods_reader_refuses_entities_and_damage_without_the_guard(tmp_path):
    from ckanext.satudata.tabular.read import OdsTable

    sheet = ods(tmp_path / "a.ods", f"<table:table table:name=\"S\"><table:table-row>"
                f"{_cell('x')}</table:table-row></table:table>")
    with zipfile.ZipFile(sheet) as zf:
        content = zf.read("content.xml")
    doctype = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>')
    hostile = replace_members(sheet, tmp_path / "x.ods", {"content.xml": doctype + content.split(
        b"?>", 1)[1].replace(b"<text:p>x</text:p>", b"<text:p>&e;</text:p>")})
    # OdsTable directly: guard.check_file would refuse the file before any parser.
    with pytest.raises(FileRejected) as caught:
        OdsTable(str(hostile), Limits())
    assert caught.value.code == "xml_entities"
    broken = replace_members(sheet, tmp_path / "b.ods", {"content.xml": content[:-40]})
    with pytest.raises(FileRejected) as caught:
        OdsTable(str(broken), Limits())
    assert caught.value.code == "corrupt"
    with pytest.raises(FileRejected) as caught:
        OdsTable(str(sheet), Limits(max_uncompressed=100))
    assert caught.value.code == "zip_bomb"


def test_ods_limits(tmp_path):
    data = ('<table:table table:name="S"><table:table-row>'
            '<table:table-cell table:number-columns-repeated="400"/>'
            f"{_cell('x')}</table:table-row></table:table>")
    with pytest.raises(FileRejected) as caught:
        _rows(ods(tmp_path / "w.ods", data))
    assert caught.value.code == "too_many_columns"
    data = (f'<table:table table:name="S"><table:table-row table:number-rows-repeated="50">'
            f"{_cell('x')}</table:table-row></table:table>")
    with pytest.raises(FileRejected) as caught:
        _rows(ods(tmp_path / "t.ods", data), limits=Limits(max_rows=10))
    assert caught.value.code == "too_many_rows"


# --- XLS -----------------------------------------------------------------------

def test_xls_that_xlrd_cannot_read_is_corrupt(tmp_path):
    from ckanext.satudata.tests.tabular import ole

    path = ole(tmp_path / "a.xls", {"Workbook": b"\x09\x08\x04\x00abcd" + b"\0" * 5000})
    with pytest.raises(FileRejected) as caught:
        open_table(str(path))
    assert caught.value.code == "corrupt"


def test_open_table_rejects_through_the_guard(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"")
    with pytest.raises(FileRejected):
        open_table(str(path))
    book = xlsx(tmp_path / "a.xlsx", [["a"]])
    with zipfile.ZipFile(book, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\0")
    with pytest.raises(FileRejected) as caught:
        open_table(str(book))
    assert caught.value.code == "macro"


# --- XLSX: the streaming expat parser -----------------------------------------------

_STRINGS_TYPE = ("application/vnd.openxmlformats-officedocument.spreadsheetml."
                 "sharedStrings+xml")


def _crafted(tmp_path, sheet_rows: str, *, name: str = "c.xlsx", replace=None, add=None,
             source_rows=None):
    """An openpyxl workbook whose first sheet's rows (and maybe other parts) are swapped."""
    book = xlsx(tmp_path / "src.xlsx", source_rows or [["a"]])
    parts = {"xl/worksheets/sheet1.xml": sheet_xml(sheet_rows), **(replace or {})}
    return replace_members(book, tmp_path / name, parts, add)


def test_xlsx_path_without_extension(tmp_path):
    # CKAN keeps uploads under a name without extension: detection goes by content.
    book = xlsx(tmp_path / "a.xlsx", [["kode", "nilai"], [164, 2.5]], formats={"A2": "0000"})
    bare = tmp_path / "7f3c1b2a-upload"
    book.rename(bare)
    for filename in (None, "laporan.xlsx", "laporan"):
        with open_table(str(bare), filename) as table:
            assert table.format == "xlsx"
            assert list(table.rows()) == [(1, ["kode", "nilai"]), (2, ["0164", 2.5])]


def test_xlsx_1904_date_system(tmp_path):
    book = xlsx(tmp_path / "a.xlsx", [[dt.date(2025, 1, 1), dt.datetime(2025, 1, 1, 6)]])
    with zipfile.ZipFile(book) as zf:
        workbook = zf.read("xl/workbook.xml").replace(b"<workbookPr/>",
                                                      b'<workbookPr date1904="1"/>')
    shifted = replace_members(book, tmp_path / "b.xlsx", {"xl/workbook.xml": workbook})
    # The same serial numbers counted from 1904-01-01 land 1462 days later.
    assert _rows(book) == [(1, [dt.date(2025, 1, 1), dt.datetime(2025, 1, 1, 6)])]
    assert _rows(shifted) == [(1, [dt.date(2029, 1, 2), dt.datetime(2029, 1, 2, 6)])]


def test_xlsx_sparse_rows_and_cells(tmp_path):
    path = _crafted(tmp_path, (
        '<row r="3"><c r="C3"><v>1</v></c><c r="A3" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="7"><c r="B7" s="0"/><c r="C7" t="inlineStr"><is><t></t></is></c></row>'
        '<row><c><v>2</v></c><c><v>3</v></c><c r="E8"><v>4</v></c><c><v>5</v></c></row>'
        '<row r="10" spans="1:2"><c r="$B$10" t="b"><v>0</v></c><c r="c10" t="e">'
        "<v>#N/A</v></c></row>"))
    assert _rows(path) == [
        (3, ["x", None, 1]),
        (8, [2, 3, None, None, 4, 5]),  # a row without `r` follows the previous one
        (10, [None, False, "#N/A"]),
    ]


def test_xlsx_shared_strings_with_rich_text_and_phonetics(tmp_path):
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SHEET_NS}" count="4">'
        "<si><t>Desa A</t></si>"
        '<si><r><rPr><b/></rPr><t>Kec.</t></r><r><t xml:space="preserve"> Bangil</t></r>'
        "<rPh sb=\"0\" eb=\"1\"><t>ignored</t></rPh></si>"
        "<si><t/></si>"
        "<si><t>a &amp; b &#233;</t></si></sst>").encode()
    with zipfile.ZipFile(xlsx(tmp_path / "t.xlsx", [["a"]])) as zf:
        types = zf.read("[Content_Types].xml").replace(b"</Types>", (
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_STRINGS_TYPE}"/>'
            "</Types>").encode())
    path = _crafted(tmp_path, (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'),
        replace={"[Content_Types].xml": types}, add={"xl/sharedStrings.xml": strings})
    assert _rows(path) == [(1, ["Desa A", "Kec. Bangil", None, "a & b é"])]


def test_xlsx_inline_rich_text(tmp_path):
    path = _crafted(tmp_path, (
        '<row r="1"><c r="A1" t="inlineStr"><is><r><t>Kab.</t></r><r><rPr><i/></rPr>'
        '<t xml:space="preserve"> Pasuruan</t></r><rPh><t>x</t></rPh></is></c>'
        '<c r="B1" t="inlineStr"><v>ignored</v><is><t>&lt;ok&gt;</t></is></c>'
        '<c r="C1" t="str"><v>text result</v></c></row>'))
    assert _rows(path) == [(1, ["Kab. Pasuruan", "<ok>", "text result"])]


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_xlsx_parser_refuses_entities_without_the_guard(tmp_path, part):
    from ckanext.satudata.tabular.read import XlsxTable

    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    book = xlsx(tmp_path / "a.xlsx", [["a"]])
    with zipfile.ZipFile(book) as zf:
        original = zf.read(part)
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    body = body.replace(b"<is><t>a</t></is>", b"<is><t>&lol2;</t></is>")
    crafted = replace_members(book, tmp_path / "bomb.xlsx", {part: bomb + body})
    # XlsxTable directly: guard.check_file would refuse the file before any parser.
    with pytest.raises(FileRejected) as caught, XlsxTable(str(crafted), Limits()) as table:
        list(table.rows())
    assert caught.value.code == "xml_entities"


def test_xlsx_parser_caps_decompressed_bytes_and_reports_damage(tmp_path):
    from ckanext.satudata.tabular.read import XlsxTable

    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 5001))
    big = _crafted(tmp_path, rows, name="big.xlsx")
    with pytest.raises(FileRejected) as caught, \
            XlsxTable(str(big), Limits(max_uncompressed=64 * 1024)) as table:
        list(table.rows())
    assert caught.value.code == "zip_bomb"
    bad = _crafted(tmp_path, '<row r="1"><c r="1A"><v>1</v></c></row>', name="bad.xlsx")
    with pytest.raises(FileRejected) as caught:
        _rows(bad)
    assert caught.value.code == "corrupt"
    broken = _crafted(tmp_path, '<row r="1"><c r="A1"><v>1</v></c></row><row r="2">',
                      name="broken.xlsx")
    with pytest.raises(FileRejected) as caught:
        _rows(broken)
    assert caught.value.code == "corrupt"


def test_xls_values_as_seen():
    # Written by xlwt 1.3.0 (xlrd only reads): codes in `0000` and `@` formats,
    # negatives, decimals, dates, booleans, a text code, and a second sheet.
    path = Path(__file__).resolve().parent / "data" / "contoh.xls"
    with open_table(str(path)) as table:
        assert table.format == "xls"
        assert table.sheet_names == ["Data", "Lain"]
        assert list(table.rows()) == [
            (1, ["kode", "nama", "jumlah", "rasio", "tanggal", "aktif", "kode teks"]),
            (2, ["0164", "Sukorejo", 1234, -2.5, dt.date(2025, 12, 31), True, "0164A"]),
            (3, ["0007", "Desa Baru", -12, 0.75, dt.date(2025, 3, 1), False, "99"]),
        ]
        assert list(table.rows("Lain")) == [(1, ["catatan"])]
