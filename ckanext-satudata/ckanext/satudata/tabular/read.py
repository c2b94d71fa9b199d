"""Stream rows out of CSV, XLSX, XLS and ODS files, cells as the user sees them.

Files pass guard.check_file first. Nothing loads a whole sheet: CSV goes
through the csv module line by line, XLSX through our expat parser on the
streamed sheet part (xlsx.py: no DTDs, no entities), ODS through the same
expat parser for the sheet list and defusedxml's iterparse on content.xml for
the rows. Only XLS is read whole by xlrd (at most max_bytes). Every reader
opens the path by content: CKAN stores uploads without extension. Why not
python-calamine (faster, but no number formats): README, "Reading
spreadsheets".
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from defusedxml import DefusedXmlException

from ckanext.satudata.tabular.guard import (
    FileRejected,
    Limits,
    _,
    check_file,
    xml_entities,
)
from ckanext.satudata.tabular.xlsx import (
    FORMULA_WITHOUT_VALUE,
    CappedReader,
    ColumnLimit,
    XlsxBook,
    XmlForbidden,
    as_displayed,
    number_format_kind,
    xml_parser,
)

__all__ = ["FORMULA_WITHOUT_VALUE", "TableFile", "open_table"]

Row = tuple[int, list[Any]]
_DELIMITERS = (";", "\t", ",", "|")  # tie order: `;` first, Indonesian decimals use commas
_SNIFF_LINES = 20
_HIDDEN_ROWS_MAX = 1000


def _too_many_rows(limits: Limits) -> FileRejected:
    return FileRejected("too_many_rows", _(
        "The sheet has more than {limit} rows.").format(limit=limits.max_rows))


def _too_many_columns(row: int, limits: Limits) -> FileRejected:
    return FileRejected("too_many_columns", _(
        "Row {row} has more than {limit} columns.").format(row=row, limit=limits.max_columns))


def _trim(cells: list[Any]) -> list[Any]:
    """Drop trailing empty cells."""
    while cells and (cells[-1] is None or cells[-1] == ""):
        cells.pop()
    return cells


class TableFile:
    """An open spreadsheet or CSV file. Use as a context manager."""

    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None

    def __init__(self, path: str, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.sheet_names: list[str] = []
        self.notices: list[str] = []

    def __enter__(self) -> TableFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        pass

    def rows(self, sheet: str | None = None) -> Iterator[Row]:
        """(row number as shown to the user, cells) for every non-empty row of a visible sheet."""
        name = self._sheet(sheet)
        for produced, (number, cells) in enumerate(self._rows(name)):
            if len(cells) > self.limits.max_columns:
                raise _too_many_columns(number, self.limits)
            if number > self.limits.max_rows or produced >= self.limits.max_rows:
                raise _too_many_rows(self.limits)
            yield number, cells

    def hidden_sheet(self, name: str) -> list[list[Any]] | None:
        """The rows of a small hidden sheet (e.g. the template stamp), or None if absent."""
        return None

    def _sheet(self, sheet: str | None) -> str:
        if sheet is None:
            if not self.sheet_names:
                raise FileRejected("no_sheet", _("The file has no visible sheet."))
            return self.sheet_names[0]
        if sheet not in self.sheet_names:
            raise FileRejected("sheet_not_found", _(
                'The file has no sheet named "{sheet}".').format(sheet=sheet))
        return sheet

    def _rows(self, sheet: str) -> Iterator[Row]:
        raise NotImplementedError

    def _notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)


def open_table(path: str, filename: str | None = None, limits: Limits | None = None) -> TableFile:
    """Check the file with guard.check_file and open it for reading."""
    limits = limits or Limits()
    fmt = check_file(path, filename, limits)
    cls = {"csv": CsvTable, "xlsx": XlsxTable, "xls": XlsTable, "ods": OdsTable}[fmt]
    return cls(path, limits)


# --- CSV ---------------------------------------------------------------------

def _detect_encoding(path: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        else:
            encoding = "utf-8"
        # Validate the whole file as UTF-8 (fast, in C): a stray cp1252 byte on row
        # 900,000 must not break a load that already started.
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            pass
        # Windows "ANSI" (cp1252) is what Excel writes in Indonesia; its five
        # undefined bytes fall back to latin-1, which decodes anything.
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("cp1252")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"


def _sniff_delimiter(lines: list[str]) -> str:
    """Pick the delimiter whose field count is >1 on the header and steady on the next lines."""
    # One column only: the delimiter is whichever character the data does not use.
    best = min(_DELIMITERS, key=lambda d: (sum(line.count(d) for line in lines),
                                           _DELIMITERS.index(d)))
    best_score = (0, 0, 0)
    for rank, delimiter in enumerate(_DELIMITERS):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:  # e.g. an oversized cell: reported with its row when reading
            continue
        if not counts or counts[0] < 2:
            continue
        steady = sum(1 for c in counts if c == counts[0])
        score = (steady, counts[0] if steady == len(counts) else 0, -rank)
        if score > best_score:
            best, best_score = delimiter, score
    return best


class CsvTable(TableFile):
    format = "csv"
    encoding: str  # detected when opened
    delimiter: str  # sniffed when opened

    def __init__(self, path: str, limits: Limits) -> None:
        super().__init__(path, limits)
        self.sheet_names = ["CSV"]
        self.encoding = _detect_encoding(path)
        if self.encoding in ("cp1252", "latin-1"):
            self._notice(_("The file is not UTF-8; it was read as Windows-1252 (ANSI) text."))
        lines: list[str] = []
        with open(path, encoding=self.encoding, newline="") as fh:
            for line in fh:
                if line.strip():
                    lines.append(line)
                if len(lines) >= _SNIFF_LINES:
                    break
        self.delimiter = _sniff_delimiter(lines)

    def _rows(self, sheet: str) -> Iterator[Row]:
        max_columns = self.limits.max_columns
        with open(self.path, encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            number = 0
            try:
                for number, cells in enumerate(reader, 1):  # noqa: B007 - used after the loop
                    if not any(cells):
                        continue
                    if not cells[-1]:
                        _trim(cells)
                    if len(cells) > max_columns:
                        raise _too_many_columns(number, self.limits)
                    yield number, cells
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise FileRejected("cell_too_large", _(
                        "A cell in row {row} is longer than {limit} characters.").format(
                        row=number + 1, limit=csv.field_size_limit())) from None
                raise FileRejected("corrupt", _(
                    "Row {row} cannot be read as CSV.").format(row=number + 1)) from None


# --- XLSX --------------------------------------------------------------------

class XlsxTable(TableFile):
    format = "xlsx"

    def __init__(self, path: str, limits: Limits) -> None:
        super().__init__(path, limits)
        self._book = XlsxBook(path, limits)
        self._sheets = {sheet.name: sheet for sheet in self._book.sheets}
        self.sheet_names = [sheet.name for sheet in self._book.sheets if sheet.visible]

    def close(self) -> None:
        self._book.close()

    def _formula_notice(self) -> None:
        self._notice(_("The file contains formulas; their saved results were used."))

    def _rows(self, sheet: str) -> Iterator[Row]:
        try:
            yield from self._book.rows(self._sheets[sheet], self.limits.max_columns,
                                       self._formula_notice)
        except ColumnLimit as exc:
            raise _too_many_columns(exc.row, self.limits) from None

    def hidden_sheet(self, name: str) -> list[list[Any]] | None:
        sheet = self._sheets.get(name)
        if sheet is None or sheet.visible:
            return None
        rows = []
        for _number, values in self._rows(name):
            rows.append(values)
            if len(rows) >= _HIDDEN_ROWS_MAX:
                break
        return rows


# --- XLS ---------------------------------------------------------------------

class XlsTable(TableFile):
    format = "xls"

    def __init__(self, path: str, limits: Limits) -> None:
        super().__init__(path, limits)
        import xlrd

        try:
            # formatting_info: number formats tell codes (`0000`, `@`) from numbers.
            self._book = xlrd.open_workbook(path, on_demand=True, formatting_info=True)
        except xlrd.XLRDError as exc:
            if "encrypted" in str(exc).lower():
                raise FileRejected("encrypted", _(
                    "The file is protected with a password. "
                    "Remove the password and upload it again.")) from None
            raise FileRejected("corrupt", _(
                "The file is damaged or incomplete and cannot be read.")) from None
        except Exception:
            raise FileRejected("corrupt", _(
                "The file is damaged or incomplete and cannot be read.")) from None
        self._visibility = {}
        for index, name in enumerate(self._book.sheet_names()):
            sheet = self._book.sheet_by_index(index)
            self._visibility[name] = sheet.visibility
        self.sheet_names = [n for n, v in self._visibility.items() if v == 0]

    def close(self) -> None:
        self._book.release_resources()

    def _format_kind(self, xf_index: int, kinds: dict[int, int | str | None]) -> int | str | None:
        """number_format_kind of a cell style (kept per style: many cells share one)."""
        if xf_index not in kinds:
            xf = self._book.xf_list[xf_index]
            fmt = self._book.format_map.get(xf.format_key)
            kinds[xf_index] = number_format_kind(fmt.format_str) if fmt else None
        return kinds[xf_index]

    def _rows(self, sheet: str) -> Iterator[Row]:
        import xlrd

        ws = self._book.sheet_by_name(sheet)
        if ws.nrows > self.limits.max_rows:
            raise _too_many_rows(self.limits)
        datemode = self._book.datemode
        kinds: dict[int, int | str | None] = {}
        for index in range(ws.nrows):
            number = index + 1
            if ws.row_len(index) > self.limits.max_columns:
                types = ws.row_types(index)
                last = max((i for i, t in enumerate(types) if t not in (0, 6)), default=-1)
                if last >= self.limits.max_columns:
                    raise _too_many_columns(number, self.limits)
            values = []
            for column, (ctype, value) in enumerate(
                    zip(ws.row_types(index), ws.row_values(index), strict=False)):
                if ctype == xlrd.XL_CELL_NUMBER:
                    kind = self._format_kind(ws.cell_xf_index(index, column), kinds)
                    values.append(as_displayed(value, kind) if kind else
                                  int(value) if value.is_integer() else value)
                elif ctype == xlrd.XL_CELL_DATE:
                    try:
                        moment = xlrd.xldate.xldate_as_datetime(value, datemode)
                        values.append(moment.date() if moment.time() == dt.time(0) else moment)
                    except (xlrd.xldate.XLDateError, OverflowError, ValueError):
                        values.append(value)
                elif ctype == xlrd.XL_CELL_BOOLEAN:
                    values.append(bool(value))
                elif ctype == xlrd.XL_CELL_ERROR:
                    values.append(xlrd.error_text_from_code.get(value, "#ERROR"))
                elif ctype == xlrd.XL_CELL_TEXT:
                    values.append(value)
                else:
                    values.append(None)
            if _trim(values):
                yield number, values

    def hidden_sheet(self, name: str) -> list[list[Any]] | None:
        if self._visibility.get(name, 0) == 0:
            return None
        return [cells for _n, cells in self._rows(name)][:_HIDDEN_ROWS_MAX]


# --- ODS ---------------------------------------------------------------------

_NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
}
_T = "{" + _NS["table"] + "}"
_O = "{" + _NS["office"] + "}"
_X = "{" + _NS["text"] + "}"
_S = "{" + _NS["style"] + "}"
_ODS_CELLS = (_T + "table-cell", _T + "covered-table-cell")


def _ods_text(element: Any) -> str:
    """Visible text of a cell: paragraphs joined by newlines, <text:s c="n"/> as spaces."""
    paragraphs = []
    for p in element.iter(_X + "p"):
        parts: list[str] = []
        _collect_text(p, parts)
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _collect_text(element: Any, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag
        if tag == _X + "s":
            parts.append(" " * min(int(child.get(_X + "c", "1") or 1), 1000))
        elif tag == _X + "tab":
            parts.append("\t")
        elif tag == _X + "line-break":
            parts.append("\n")
        else:
            _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)


_ODS_PADDED = re.compile(r"0\d+")


def _ods_value(cell: Any) -> Any:
    kind = cell.get(_O + "value-type")
    if kind is None:
        text = _ods_text(cell)
        if cell.get(_T + "formula") is not None and not text:
            return FORMULA_WITHOUT_VALUE
        return text or None
    if kind in ("float", "percentage", "currency"):
        text = _ods_text(cell)
        if _ODS_PADDED.fullmatch(text):
            return text  # a zero-padded number format: the code as displayed
        raw = cell.get(_O + "value", "")
        try:
            number = float(raw)
        except ValueError:
            return text or None
        return int(number) if number.is_integer() and abs(number) < 1e16 else number
    if kind == "date":
        raw = cell.get(_O + "date-value", "")
        try:
            if "T" in raw:
                moment = dt.datetime.fromisoformat(raw)
                return moment.date() if moment.time() == dt.time(0) else moment
            return dt.date.fromisoformat(raw)
        except ValueError:
            return _ods_text(cell) or None
    if kind == "boolean":
        return cell.get(_O + "boolean-value", "").lower() == "true"
    return _ods_text(cell) or None


class OdsTable(TableFile):
    format = "ods"

    def __init__(self, path: str, limits: Limits) -> None:
        super().__init__(path, limits)
        self._tables = self._read_tables()
        self.sheet_names = [n for n, hidden in self._tables if not hidden]

    def _read_tables(self) -> list[tuple[str, bool]]:
        """(name, hidden) of every table, from one expat pass over content.xml.

        Only start tags matter here, so no element tree is built: this pass
        over the whole part costs a fraction of the row pass.
        """
        style, props, table = (_NS["style"] + "}style", _NS["style"] + "}table-properties",
                               _NS["table"] + "}table")
        style_name, display = _NS["style"] + "}name", _NS["table"] + "}display"
        table_name, table_style = _NS["table"] + "}name", _NS["table"] + "}style-name"
        tables: list[tuple[str, bool]] = []
        hidden_styles: set[str] = set()
        current: list[str | None] = [None]

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == style:
                current[0] = attrs.get(style_name, "")
            elif name == props:
                if current[0] is not None and attrs.get(display) == "false":
                    hidden_styles.add(current[0])
            elif name == table:
                tables.append((attrs.get(table_name) or f"Sheet{len(tables) + 1}",
                               attrs.get(table_style) in hidden_styles))

        def end(name: str) -> None:
            if name == style:
                current[0] = None

        parser = xml_parser()
        parser.StartElementHandler, parser.EndElementHandler = start, end
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open("content.xml") as raw:
                source = CappedReader(raw, self.limits.max_uncompressed, self.limits)
                while chunk := source.read(1 << 18):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except XmlForbidden:
            raise xml_entities() from None
        except FileRejected:
            raise
        except Exception:
            raise FileRejected("corrupt", _(
                "The file is damaged or incomplete and cannot be read.")) from None
        return tables

    def _events(self, events: tuple[str, ...]) -> Iterator[tuple[str, Any, list[Any]]]:
        from defusedxml.ElementTree import iterparse

        stack: list[Any] = []
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open("content.xml") as raw:
                source = CappedReader(raw, self.limits.max_uncompressed, self.limits)
                for event, element in iterparse(source, events=("start", "end"),
                                                forbid_dtd=True):
                    if event == "start":
                        stack.append(element)
                        if "start" in events:
                            yield event, element, stack
                        continue
                    stack.pop()
                    yield event, element, stack
                    if element.tag in (_T + "table-row", _S + "style") and stack:
                        del stack[-1][:]  # keep memory flat: drop processed rows
        except DefusedXmlException:
            raise xml_entities() from None
        except FileRejected:
            raise
        except Exception:
            raise FileRejected("corrupt", _(
                "The file is damaged or incomplete and cannot be read.")) from None

    def _rows(self, sheet: str) -> Iterator[Row]:
        max_columns, max_rows = self.limits.max_columns, self.limits.max_rows
        current: str | None = None
        number = 0
        for event, element, _stack in self._events(("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _T + "table":
                    current = element.get(_T + "name")
                    number = 0
                continue
            if tag == _T + "table":
                if current == sheet:
                    return
                current = None
                continue
            if current != sheet or tag != _T + "table-row":
                continue
            repeat = int(element.get(_T + "number-rows-repeated", "1") or 1)
            values: list[Any] = []
            pending = 0  # empty cells not yet added: often a run up to column 1024 or 16384
            for cell in element:
                if cell.tag not in _ODS_CELLS:
                    continue
                span = int(cell.get(_T + "number-columns-repeated", "1") or 1)
                value = _ods_value(cell)
                if value is None or value == "":
                    pending += span
                    continue
                if len(values) + pending + span > max_columns:
                    raise _too_many_columns(number + 1, self.limits)
                if pending:
                    values.extend([None] * pending)
                    pending = 0
                values.extend([value] * span)
            _trim(values)
            if not values:
                number += repeat  # repeated empty rows, often ~1 million of them
                continue
            if number + repeat > max_rows:
                raise _too_many_rows(self.limits)
            for _i in range(repeat):
                number += 1
                yield number, list(values)

    def hidden_sheet(self, name: str) -> list[list[Any]] | None:
        if not any(n == name and hidden for n, hidden in self._tables):
            return None
        rows = []
        for _number, cells in self._rows(name):
            rows.append(cells)
            if len(rows) >= _HIDDEN_ROWS_MAX:
                break
        return rows
