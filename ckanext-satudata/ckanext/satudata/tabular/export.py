"""CSV and XLSX downloads that a spreadsheet cannot turn into formulas.

A text cell starting with =, +, -, @, a tab or a carriage return is read by
Excel and LibreOffice as a formula (CSV injection, e.g. =HYPERLINK(...)).
Such text gets a leading single quote. Only text columns are touched, so
the number -5 in a numeric column stays -5.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import IO, Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMERIC_TYPES = frozenset({
    "int", "int2", "int4", "int8", "integer", "smallint", "bigint", "numeric", "decimal",
    "float", "float4", "float8", "real", "double precision", "serial", "bigserial",
})
_DATE_TYPES = frozenset({"date"})
_TIMESTAMP_TYPES = frozenset({"timestamp", "timestamptz", "timestamp without time zone",
                              "timestamp with time zone"})
_BOOL_TYPES = frozenset({"bool", "boolean"})
_SHEET_TITLE_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})
_EXCEL_DIGITS = 15  # beyond this Excel silently rounds numbers


def neutralise(value: Any) -> Any:
    """Prefix a formula-looking string with a single quote; anything else unchanged."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def _kind(field: dict) -> str:
    kind = str(field.get("type") or "text").lower()
    if kind in _NUMERIC_TYPES:
        return "number"
    if kind in _DATE_TYPES:
        return "date"
    if kind in _TIMESTAMP_TYPES:
        return "timestamp"
    if kind in _BOOL_TYPES:
        return "bool"
    return "text"  # text, json, arrays and anything unknown: treated as text, the safe side


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_csv(fields: list[dict], records: Iterable[dict], out: IO[str], *,
              delimiter: str = ",") -> None:
    """Write DataStore records as CSV; text fields are neutralised."""
    writer = csv.writer(out, delimiter=delimiter)
    ids = [f["id"] for f in fields]
    text = [_kind(f) == "text" for f in fields]
    writer.writerow([neutralise(i) for i in ids])
    for record in records:
        row = []
        for field_id, is_text in zip(ids, text, strict=True):
            value = record.get(field_id)
            if value is None:
                row.append("")
            elif is_text:
                row.append(neutralise(_as_text(value)))
            elif isinstance(value, bool):
                row.append("true" if value else "false")
            else:
                row.append(value)
        writer.writerow(row)


def write_xlsx(fields: list[dict], records: Iterable[dict], out: IO[bytes], *,
               sheet_title: str = "Data") -> None:
    """Write DataStore records as a streamed (write-only) XLSX workbook."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet((sheet_title or "Data").translate(_SHEET_TITLE_BAD)[:31])
    kinds = [_kind(f) for f in fields]
    ids = [f["id"] for f in fields]

    def text_cell(value: str) -> WriteOnlyCell:
        value = ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        return cell

    ws.append([text_cell(i) for i in ids])
    for record in records:
        row: list[Any] = []
        for field_id, kind in zip(ids, kinds, strict=True):
            value = record.get(field_id)
            if value is None or value == "":
                row.append(None)
            elif kind == "text":
                row.append(text_cell(_as_text(value)))
            elif kind == "number":
                row.append(_number_cell(ws, value, text_cell))
            elif kind in ("date", "timestamp"):
                row.append(_date_cell(ws, value, kind, text_cell))
            elif kind == "bool":
                row.append(value if isinstance(value, bool) else text_cell(_as_text(value)))
            else:
                row.append(text_cell(_as_text(value)))
        ws.append(row)
    wb.save(out)


def _number_cell(ws: Any, value: Any, text_cell: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        number: Any = value
    else:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return text_cell(_as_text(value))
        if not number.is_finite():
            return text_cell(_as_text(value))
        if number == number.to_integral_value():
            number = int(number)
    if isinstance(number, int) and len(str(abs(number))) > _EXCEL_DIGITS:
        return text_cell(str(number))  # keep every digit rather than let Excel round
    return number


def _date_cell(ws: Any, value: Any, kind: str, text_cell: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    moment: Any = value
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return text_cell(value)
        if kind == "date":
            moment = moment.date()
    if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
        moment = moment.replace(tzinfo=None)  # Excel has no time zones
    if not isinstance(moment, dt.date):
        return text_cell(_as_text(value))
    cell = WriteOnlyCell(ws, value=moment)
    cell.number_format = "DD/MM/YYYY" if not isinstance(moment, dt.datetime) \
        else "DD/MM/YYYY HH:MM:SS"
    return cell
