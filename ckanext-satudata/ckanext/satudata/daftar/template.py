"""The downloadable xlsx template of the Daftar Data import (`/daftar-data/template.xlsx`).

Built from `importer.COLUMNS`, the column definition the import reads, so the template
and the import cannot drift apart: the first sheet carries the header row (required
columns marked with `*`, which the import ignores), drop-down lists of the allowed
values, and the planned-date column formatted as a date; a second sheet explains each
column and lists the values with their labels.
"""
from __future__ import annotations

import io

import ckan.plugins.toolkit as tk
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ckanext.satudata.daftar import entries, importer
from ckanext.satudata.daftar import periods as P

SHEET = "Daftar Data"
#: Rows of the first sheet that get drop-down lists and date formats.
_ROWS = 2000


def _help() -> dict[str, str]:
    return {
        "year": tk._("The year of the Daftar Data, the same on every row (e.g. 2026)."),
        "organization": tk._("The OPD: its name in the portal (as in the OPD list)."),
        "title": tk._("The title of the data; one entry per OPD and title in a year."),
        "kategori": tk._("Category: a value of the list (code or label)."),
        "sektor": tk._("Sector: a value of the list (code or label)."),
        "prioritas": tk._("Priority data: Ya or Tidak."),
        "frequency": tk._("tahunan, semesteran, triwulanan, bulanan or sekali."),
        "period": tk._("The period of the row: empty for tahunan and sekali; Semester I-II, "
                       "Triwulan I-IV, or the month (Januari...Desember, or 1-12)."),
        "planned": tk._("Planned release date of the period (DD/MM/YYYY), in the year."),
        "pembina": tk._("BPS or DCKTR (Dinas Cipta Karya dan Tata Ruang); empty: DCKTR for "
                        "geospatial data, otherwise BPS."),
        "package_id": tk._("Optional: the name or address of the OPD's dataset serving the "
                           "entry."),
    }


def workbook() -> bytes:
    """The template as xlsx bytes, headers and help in the request's language."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    lists = book.create_sheet("Pilihan")
    guide = book.create_sheet("Petunjuk")
    choices = {
        "kategori": list(entries.choices("kategori")),
        "sektor": list(entries.choices("sektor_kegiatan")),
        "prioritas": ["Ya", "Tidak"],
        "frequency": list(P.FREQUENCIES),
        "pembina": list(P.PEMBINA),
    }
    list_column = 0
    help_texts = _help()
    guide.append([tk._("Column"), tk._("Required"), tk._("What to fill in")])
    for index, (key, header, required) in enumerate(importer.COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=f"{header}*" if required else header)
        cell.font, cell.fill = bold, fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(header) + 4)
        guide.append([header, tk._("Yes") if required else tk._("No"), help_texts[key]])
        if key == "planned":
            # A column style: no cells are created, so rows appended land on row 2.
            sheet.column_dimensions[letter].number_format = "DD/MM/YYYY"
        if key in choices:
            list_column += 1
            lists_letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=header).font = bold
            for row, value in enumerate(choices[key], start=2):
                lists.cell(row=row, column=list_column, value=value)
            last = len(choices[key]) + 1
            rule = DataValidation(
                type="list", allow_blank=not required,
                formula1=f"{quote_sheetname(lists.title)}!${lists_letter}$2:"
                         f"${lists_letter}${last}")
            rule.error = tk._("Choose a value of the list")
            rule.showErrorMessage = True
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{_ROWS + 1}")
    for cell in guide[1]:
        cell.font = bold
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["C"].width = 90
    guide.append([])
    guide.append([tk._("One row per period of an entry: a monthly entry has 12 rows, a "
                       "quarterly one 4; the rows of one entry repeat its fields.")])
    for title, values in ((tk._("Categories"), entries.choices("kategori")),
                          (tk._("Sectors"), entries.choices("sektor_kegiatan"))):
        guide.append([])
        guide.append([title])
        guide.cell(row=guide.max_row, column=1).font = bold
        for value, label in values.items():
            guide.append([value, "", label])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
