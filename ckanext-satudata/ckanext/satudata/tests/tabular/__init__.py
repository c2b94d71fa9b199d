"""Builders for the test files of the tabular package: every hostile file is made here."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx(path: Path, rows: list[list], *, formats: dict[str, str] | None = None,
         hidden: dict[str, list[list]] | None = None) -> Path:
    """An ordinary workbook written by openpyxl; `formats` maps cell -> number format."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in rows:
        ws.append(row)
    for coordinate, fmt in (formats or {}).items():
        ws[coordinate].number_format = fmt
    for name, hidden_rows in (hidden or {}).items():
        sheet = wb.create_sheet(name)
        sheet.sheet_state = "veryHidden"
        for row in hidden_rows:
            sheet.append(row)
    wb.save(path)
    return path


def replace_members(source: Path, target: Path, replace: dict[str, bytes],
                    add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip, swapping some members' content and adding others."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info))
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return target


def sheet_xml(rows_xml: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}">'
            f"<sheetData>{rows_xml}</sheetData></worksheet>").encode()


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
)


def ods(path: Path, body: str, *, styles: str = "", extra: dict[str, bytes] | None = None) -> Path:
    """An ODS package whose spreadsheet body is `body` (table:table elements)."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}>'
               f"<office:automatic-styles>{styles}</office:automatic-styles>"
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
               "</office:document-content>")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def ole(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal OLE compound file (512-byte sectors, one FAT and one directory sector).

    Streams are stored in ordinary sectors whatever their size, which real
    readers accept for directory inspection; enough for the guard's checks.
    """
    sector = 512
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    data_sectors: list[bytes] = []
    entries = []
    next_sector = 2  # 0 = FAT, 1 = directory
    for name, payload in streams.items():
        count = max(1, -(-len(payload) // sector)) if payload else 0
        start = next_sector if count else end
        chunks = [payload[i:i + sector].ljust(sector, b"\0")
                  for i in range(0, max(len(payload), 1), sector)][:count]
        data_sectors += chunks
        entries.append((name, 2, start, len(payload), count))
        next_sector += count
    fat = [fat_sect, end]
    for _name, _kind, start, _size, count in entries:
        for i in range(count):
            fat.append(start + i + 1 if i < count - 1 else end)
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int = free,
              right: int = free) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        raw = encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
        raw += struct.pack("<III", free, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
        raw += struct.pack("<IQ", start, size)
        return raw.ljust(128, b"\0")

    directory = entry("Root Entry", 5, end, 0, child=1 if entries else free)
    for index, (name, kind, start, size, _count) in enumerate(entries, 1):
        right = index + 1 if index < len(entries) else free
        directory += entry(name, kind, start, size, right=right)
    directory = directory.ljust(sector * (-(-len(directory) // sector)), b"\0")[:sector]
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9) + struct.pack("<H", 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    path.write_bytes(header + struct.pack(f"<{sector // 4}I", *fat) + directory
                     + b"".join(data_sectors))
    return path
