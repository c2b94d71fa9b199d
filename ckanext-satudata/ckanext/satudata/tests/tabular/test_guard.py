"""guard.check_file: what is refused before any parsing, and why."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest

from ckanext.satudata.tabular.guard import FileRejected, Limits, check_file
from ckanext.satudata.tests.tabular import ods, ole, replace_members, sheet_xml, xlsx

LIMITS = Limits()


def _rejected(path, filename=None, limits=LIMITS) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        check_file(str(path), filename or path.name, limits)
    assert str(caught.value) == caught.value.message
    assert caught.value.message
    return caught.value


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_known_types_by_content(tmp_path):
    book = xlsx(tmp_path / "a.xlsx", [["a"], [1]])
    assert check_file(str(book), "a.xlsx", LIMITS) == "xlsx"
    # A wrong extension is tolerated when the content is clearly a workbook.
    assert check_file(str(book), "laporan.xls", LIMITS) == "xlsx"
    assert check_file(str(book), None, LIMITS) == "xlsx"
    sheet = ods(tmp_path / "a.ods", '<table:table table:name="S"/>')
    assert check_file(str(sheet), "a.xlsx", LIMITS) == "ods"
    text = tmp_path / "a.csv"
    text.write_text("a;b\n1;2\n")
    assert check_file(str(text), "a.csv", LIMITS) == "csv"
    assert check_file(str(text), "data.txt", LIMITS) == "csv"
    assert check_file(str(ole(tmp_path / "a.xls", {"Workbook": b"\x09\x08\x04\x00abcd"
                                                   + b"\0" * 5000})), "x", LIMITS) == "xls"


def test_empty_and_oversized(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    assert _rejected(empty).code == "empty"
    big = tmp_path / "big.csv"
    big.write_bytes(b"a;b\n" * 1000)
    assert _rejected(big, limits=Limits(max_bytes=1000)).code == "too_large"


def test_unknown_types(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert _rejected(pdf).code == "unsupported_type"
    binary = tmp_path / "a.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0IHDR")
    assert _rejected(binary).code == "unsupported_type"
    renamed = tmp_path / "a.xlsx"
    renamed.write_text("a,b\n1,2\n")
    assert _rejected(renamed).code == "unsupported_type"
    html = tmp_path / "export.xls"
    html.write_text("<html><table><tr><td>1</td></tr></table></html>")
    assert _rejected(html).code == "html_spreadsheet"
    other_zip = tmp_path / "a.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert _rejected(other_zip, "a.xlsx").code == "unsupported_type"
    word = ole(tmp_path / "a.doc", {"WordDocument": b"x" * 5000})
    assert _rejected(word, "a.xls").code == "unsupported_type"


def test_corrupt_zip_truncated_and_bad_crc(tmp_path):
    book = xlsx(tmp_path / "a.xlsx", [["nama"], ["x" * 50]] * 200)
    data = book.read_bytes()
    truncated = tmp_path / "t.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    assert _rejected(truncated).code == "corrupt"
    # Flip a byte inside the (stored) sheet data: the CRC check must catch it.
    stored = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    raw = bytearray(stored.read_bytes())
    index = raw.index(b"xxxxxxxxxx")
    raw[index] = ord("y")
    crc = tmp_path / "crc.xlsx"
    crc.write_bytes(bytes(raw))
    assert _rejected(crc).code == "corrupt"


def test_zip_bomb_by_declared_size_ratio_and_actual_bytes(tmp_path):
    book = xlsx(tmp_path / "a.xlsx", [["a"], [1]])
    padding = b"<!-- " + b" " * (30 * 2**20) + b" -->"
    bomb = replace_members(book, tmp_path / "bomb.xlsx", {}, add={"xl/padding.xml": padding})
    assert _rejected(bomb).code == "zip_bomb"  # ratio ~1000:1
    assert _rejected(bomb, limits=Limits(max_uncompressed=10 * 2**20)).code == "zip_bomb"
    # Lie about the uncompressed size in the central directory: reading is capped anyway.
    big = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
                    + "<!-- " + "a" * (3 * 2**20) + " -->")
    liar = replace_members(book, tmp_path / "liar.xlsx", {"xl/worksheets/sheet1.xml": big})
    raw = bytearray(liar.read_bytes())
    with zipfile.ZipFile(liar) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    for header in (b"PK\x01\x02", b"PK\x03\x04"):
        pos = 0
        name = b"xl/worksheets/sheet1.xml"
        while (pos := raw.find(header, pos + 1)) != -1:
            size_at = pos + (24 if header == b"PK\x01\x02" else 22)
            name_at = pos + (46 if header == b"PK\x01\x02" else 30)
            if raw[name_at:name_at + len(name)] == name:
                raw[size_at:size_at + 4] = (1000).to_bytes(4, "little")
    liar.write_bytes(bytes(raw))
    assert info.file_size > 3 * 2**20
    assert _rejected(liar, limits=Limits(max_uncompressed=2 * 2**20)).code in (
        "zip_bomb", "corrupt")


def test_macro_workbooks(tmp_path):
    book = xlsx(tmp_path / "a.xlsx", [["a"], [1]])
    with zipfile.ZipFile(book) as zf:
        types = zf.read("[Content_Types].xml")
    xlsm_types = types.replace(b"spreadsheetml.sheet.main+xml",
                               b"ms-excel.sheet.macroEnabled.main+xml")
    assert xlsm_types != types
    xlsm = replace_members(book, tmp_path / "m.xlsx", {"[Content_Types].xml": xlsm_types})
    assert _rejected(xlsm).code == "macro"
    vba = replace_members(book, tmp_path / "v.xlsx", {}, add={"xl/vbaProject.bin": b"\0" * 64})
    assert _rejected(vba).code == "macro"
    assert _rejected(book, "a.xlsm").code == "macro"
    basic = ods(tmp_path / "m.ods", '<table:table table:name="S"/>',
                extra={"Basic/Standard/Module1.xml": b"<x/>"})
    assert _rejected(basic).code == "macro"
    for name in ("_VBA_PROJECT_CUR", "Macros", "VBA"):
        legacy = ole(tmp_path / f"{name}.xls", {"Workbook": b"x" * 5000, name: b""})
        assert _rejected(legacy).code == "macro"


def test_encrypted_files(tmp_path):
    ooxml = ole(tmp_path / "secret.xlsx", {"EncryptionInfo": b"x" * 10,
                                           "EncryptedPackage": b"y" * 100})
    assert _rejected(ooxml).code == "encrypted"
    filepass = b"\x09\x08\x04\x00abcd" + b"\x2f\x00\x02\x00xx" + b"\0" * 5000
    legacy = ole(tmp_path / "secret.xls", {"Workbook": filepass})
    assert _rejected(legacy).code == "encrypted"
    sheet = ods(tmp_path / "secret.ods", '<table:table table:name="S"/>')
    manifest = (b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                b'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path='
                b'"content.xml"><manifest:encryption-data/></manifest:file-entry>'
                b"</manifest:manifest>")
    locked = replace_members(sheet, tmp_path / "locked.ods", {"META-INF/manifest.xml": manifest})
    assert _rejected(locked).code == "encrypted"


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def test_xml_entity_bombs_and_external_entities(tmp_path):
    book = xlsx(tmp_path / "a.xlsx", [["a"], [1]])
    laughs = (BILLION_LAUGHS + f'<worksheet xmlns="{"http://schemas.openxmlformats.org/"}'
              'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr">'
              "<is><t>&lol3;</t></is></c></row></sheetData></worksheet>").encode()
    bomb = replace_members(book, tmp_path / "lol.xlsx", {"xl/worksheets/sheet1.xml": laughs})
    assert _rejected(bomb).code == "xml_entities"
    external = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b"&e;</Types>")
    xxe = replace_members(book, tmp_path / "xxe.xlsx", {"[Content_Types].xml": external})
    assert _rejected(xxe).code == "xml_entities"
    content = (BILLION_LAUGHS + "<office:document-content/>").encode()
    sheet = ods(tmp_path / "a.ods", '<table:table table:name="S"/>')
    ods_bomb = replace_members(sheet, tmp_path / "lol.ods", {"content.xml": content})
    assert _rejected(ods_bomb).code == "xml_entities"


def test_message_outside_a_request_is_the_msgid(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    assert _rejected(empty).message == "The file is empty."


def test_message_inside_a_request(app, tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with app.flask_app.test_request_context():
        assert _rejected(empty).message
