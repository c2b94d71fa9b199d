"""Fill-in templates for an input package: XLSX with guidance and a hidden stamp, or CSV.

The template text is Indonesian on purpose: it is a working file for the
regional government's operators and is passed around offline, so it reads
the same whoever downloaded it. The hidden stamp sheet lets validation tell
an out-of-date template or the wrong period from an honest typing mistake.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ckanext.satudata.tabular.export import neutralise
from ckanext.satudata.tabular.structure import Column, Period, Structure

STAMP_SHEET = "_satudata"
LIST_SHEET = "_daftar"
FORMAT_VERSION = "1"
_INLINE_LIST_MAX = 255  # Excel's limit for a list typed into a validation rule
_LAST_ROW = 1_048_576
_TYPE_NAMES = {
    "CHARACTER": "Teks", "INTEGER": "Bilangan bulat", "DECIMAL": "Bilangan desimal",
    "DATE": "Tanggal (hari/bulan/tahun)", "BOOLEAN": "Ya/Tidak",
}
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def header_text(column: Column) -> str:
    """The header a template writes for a column: "Label (satuan)"."""
    return f"{column.label} ({column.satuan})" if column.satuan else column.label


def _text(cell: Any, value: str) -> None:
    """Write user-provided text so it can never become a formula."""
    cell.value = neutralise(value)
    cell.data_type = "s"


def build_xlsx_template(structure: Structure, *, title: str, period: Period | None,
                        package_id: str, out: IO[bytes]) -> None:
    wb = Workbook()
    data = wb.active
    data.title = "Data"
    instructions = wb.create_sheet("Petunjuk")
    lists = None
    for index, column in enumerate(structure.columns, 1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index)
        required = column.required or column.key
        _text(cell, header_text(column) + (" *" if required else ""))
        cell.font = _BOLD
        cell.fill = _REQUIRED_FILL if required else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if required:
            cell.comment = Comment("Wajib diisi" + (" (kolom kunci: tidak boleh ada baris "
                                                   "kembar)" if column.key else ""), "Satu Data")
        dimension = data.column_dimensions[letter]
        dimension.width = min(max(len(header_text(column)) + 4, 12), 50)
        if column.tipe_data == "CHARACTER":
            dimension.number_format = "@"  # codes such as 0164 keep their leading zeros
        elif column.tipe_data == "DATE":
            dimension.number_format = "DD/MM/YYYY"
        validation = _validation(column)
        if column.value_domain:
            codes = [k for k, _v in column.value_domain]
            inline = '"' + ",".join(codes) + '"'
            if len(inline) <= _INLINE_LIST_MAX and not any(
                    "," in c or '"' in c for c in codes):
                validation.formula1 = inline
            else:
                if lists is None:
                    lists = wb.create_sheet(LIST_SHEET)
                    lists.sheet_state = "hidden"
                for row, code in enumerate(codes, 1):
                    _text(lists.cell(row=row, column=index), code)
                validation.formula1 = (f"{quote_sheetname(LIST_SHEET)}!${letter}$1:"
                                       f"${letter}${len(codes)}")
        if validation.type:
            validation.add(f"{letter}2:{letter}{_LAST_ROW}")
            data.add_data_validation(validation)
    data.freeze_panes = "A2"
    data.row_dimensions[1].height = 30
    _instructions(instructions, structure, title=title, period=period)
    stamp = wb.create_sheet(STAMP_SHEET)
    stamp.sheet_state = "veryHidden"
    for key, value in (
        ("package_id", package_id),
        ("stamp", structure.stamp()),
        ("period", period.code() if period else ""),
        ("created", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
        ("format_version", FORMAT_VERSION),
    ):
        stamp.append([key, None])
        _text(stamp.cell(row=stamp.max_row, column=2), value)
    wb.active = 0
    wb.save(out)


def _validation(column: Column) -> DataValidation:
    label = column.label[:200]
    if column.value_domain:
        return DataValidation(
            type="list", allow_blank=True, showDropDown=False, showErrorMessage=True,
            errorTitle="Isian tidak dikenal",
            error=f"Pilih salah satu kode yang tersedia untuk {label}"[:255],
            promptTitle="Pilih kode", prompt="Pilih dari daftar"[:255], showInputMessage=True)
    rules = {
        "INTEGER": ("whole", "Harus bilangan bulat, misalnya 1234 (tanpa koma)."),
        "DECIMAL": ("decimal", "Harus angka, misalnya 1234,5."),
        "DATE": ("date", "Harus tanggal, misalnya 31/12/2025."),
    }
    if column.tipe_data not in rules:
        return DataValidation()
    kind, message = rules[column.tipe_data]
    if kind == "date":
        formula1, formula2 = "DATE(1900,1,1)", "DATE(2100,12,31)"
    else:
        formula1, formula2 = "-1000000000000000", "1000000000000000"
    return DataValidation(
        type=kind, operator="between", formula1=formula1, formula2=formula2, allow_blank=True,
        showErrorMessage=True, errorTitle="Isian tidak sesuai", error=message[:255])


def _instructions(ws: Any, structure: Structure, *, title: str, period: Period | None) -> None:
    lines = [
        ("Petunjuk pengisian", True),
        (title, False),
        (f"Periode: {period.label()} ({period.code()})" if period else "Periode: sesuai pilihan "
         "saat mengunggah", False),
        ("", False),
        ("1. Isi data pada lembar \"Data\" mulai baris 2, satu baris untuk satu catatan.", False),
        ("2. Jangan mengubah, menambah atau menghapus judul kolom pada baris 1.", False),
        ("3. Kolom bertanda * wajib diisi. Kolom kunci tidak boleh memiliki isian kembar.", False),
        ("4. Tanggal ditulis hari/bulan/tahun (31/12/2025); angka desimal memakai koma "
         "(1234,5).", False),
        ("5. Jangan memakai rumus; bila memakai, simpan berkas setelah dihitung.", False),
        ("6. Simpan sebagai .xlsx lalu unggah pada halaman dataset. Sistem memeriksa seluruh "
         "berkas dan menampilkan semua kesalahan sebelum data disimpan.", False),
        ("", False),
    ]
    for text, bold in lines:
        ws.append([None])
        cell = ws.cell(row=ws.max_row, column=1)
        _text(cell, text)
        cell.font = Font(bold=bold)
    headers = ["Kolom", "Judul kolom", "Nama variabel", "Tipe data", "Satuan", "Wajib",
               "Kunci", "Isian yang diperbolehkan"]
    ws.append(headers)
    for cell in ws[ws.max_row]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for index, column in enumerate(structure.columns, 1):
        allowed = "; ".join(f"{k} = {v}" for k, v in column.value_domain)
        row = [get_column_letter(index), header_text(column), column.id,
               _TYPE_NAMES.get(column.tipe_data, column.tipe_data), column.satuan,
               "Ya" if column.required or column.key else "Tidak",
               "Ya" if column.key else "Tidak", allowed[:32000]]
        ws.append([None] * len(row))
        for offset, value in enumerate(row, 1):
            _text(ws.cell(row=ws.max_row, column=offset), value)
    for letter, width in zip("ABCDEFGH", (8, 35, 22, 24, 14, 8, 8, 60), strict=True):
        ws.column_dimensions[letter].width = width


def build_csv_template(structure: Structure, *, out: IO[bytes]) -> None:
    """A header-only CSV: UTF-8 with BOM and `;`, as Excel in the Indonesian locale expects."""
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=";").writerow(
        [neutralise(header_text(c)) for c in structure.columns])
    out.write(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
