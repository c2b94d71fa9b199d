"""Which sheet of a workbook holds the data when nobody said which.

An OPD's workbook often starts with an instructions sheet ("Petunjuk"): reading the
first sheet would load prose. `data_sheet` picks, among the visible sheets in their
order, the first one that looks like data.
"""
from __future__ import annotations

import datetime as dt
from itertools import islice
from typing import Any

from ckanext.satudata.tabular.read import TableFile

__all__ = ["data_sheet", "looks_like_data"]

#: Rows read after the header to judge a sheet.
SAMPLE_ROWS = 20


def _filled(cells: list[Any]) -> list[Any]:
    return [c for c in cells if c is not None and not (isinstance(c, str) and not c.strip())]


def _typed(value: Any) -> bool:
    """A number, date or true/false value as the spreadsheet stores it (not text)."""
    return isinstance(value, (bool, int, float, dt.date))


def looks_like_data(rows: list[list[Any]]) -> int:
    """How much the first rows of a sheet look like a table of data: 2, 1 or 0.

    The first non-empty row is the header. It looks like data when the header has
    at least two filled cells, all text, and

    * 2: one of the next `SAMPLE_ROWS` rows has at least two filled cells, one of them
      a number, a date or a true/false value (a "typed row", as a spreadsheet stores it);
    * 1: one of them has at least two filled cells, all text (e.g. names and codes);
    * 0: otherwise (prose one cell per row, an empty sheet, a title page).
    """
    if not rows:
        return 0
    header = _filled(rows[0])
    if len(header) < 2 or not all(isinstance(c, str) for c in header):
        return 0
    score = 0
    for cells in rows[1:SAMPLE_ROWS + 1]:
        filled = _filled(cells)
        if len(filled) < 2:
            continue
        if any(_typed(c) for c in filled):
            return 2
        score = 1
    return score


def data_sheet(table: TableFile) -> str | None:
    """The sheet to read when none was chosen: the first sheet scoring 2 in
    `looks_like_data`, else the first scoring 1, else the first visible sheet
    (None when the file has no visible sheet). CSV files have one sheet."""
    names = list(table.sheet_names)
    if len(names) < 2:
        return names[0] if names else None
    fallback: str | None = None
    for name in names:
        rows = table.rows(name)
        try:
            sample = [cells for _number, cells in islice(rows, SAMPLE_ROWS + 1)]
        finally:
            close = getattr(rows, "close", None)
            if close:
                close()
        score = looks_like_data(sample)
        if score == 2:
            return name
        if score == 1 and fallback is None:
            fallback = name
    return fallback or names[0]
