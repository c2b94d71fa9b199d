"""Stream the rows of an XLSX sheet straight out of the zip with expat.

openpyxl's read-only worksheet parser builds an element per cell and goes
through a pure-Python defused XMLParser; here expat calls a few lean handlers
that build each row's values directly (about ten times faster). Every parser
refuses DTDs, entity declarations and external references itself, so nothing
depends on guard.check_file having looked at the prologs first.

The values are the ones openpyxl 3.1 (data_only) produced, which read.py used
before: number formats and the 1900/1904 date systems from the workbook's own
parts, shared and inline strings without phonetic runs, formulas by their
cached value.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, NoReturn
from xml.parsers import expat

from ckanext.satudata.tabular.guard import FileRejected, Limits, _, xml_entities

Row = tuple[int, list[Any]]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_WORKBOOK_TYPES = frozenset({
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
})
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_STYLES_PART = "xl/styles.xml"  # openpyxl reads the stylesheet from this fixed name too
_CHUNK = 1 << 18
_DATE_CACHE_MAX = 1 << 16
_WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
_MAC_EPOCH = dt.datetime(1904, 1, 1)
_DIGITS = "0123456789"
_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
_ZERO_PADDED = re.compile(r"0{2,}(?:;.*)?")
_MIDNIGHT = dt.time(0)


class _FormulaWithoutValue:
    """A formula cell saved without its computed value (e.g. written by a script)."""

    _instance: _FormulaWithoutValue | None = None

    def __new__(cls) -> _FormulaWithoutValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<formula without a saved value>"

    def __reduce__(self) -> str:
        return "FORMULA_WITHOUT_VALUE"


FORMULA_WITHOUT_VALUE = _FormulaWithoutValue()


def _q(name: str) -> str:
    """An element name as expat reports it with namespace processing."""
    return f"{_MAIN}}}{name}"


_C, _V, _F, _ROW, _T, _RPH, _SI = (_q(n) for n in ("c", "v", "f", "row", "t", "rPh", "si"))


class ColumnLimit(Exception):  # noqa: N818 - a signal for read.py, not an error shown as is
    """A non-empty cell lies beyond Limits.max_columns; read.py words the rejection."""

    def __init__(self, row: int) -> None:
        super().__init__(row)
        self.row = row


class XmlForbidden(Exception):  # noqa: N818
    """A DTD, entity declaration or external reference met by the parser."""


def _forbid(*_args: object) -> NoReturn:
    raise XmlForbidden


def xml_parser(interned: tuple[str, ...] = ()) -> Any:
    """An expat parser that refuses any DTD (and with it every entity declaration)."""
    # Seeding the intern dict makes expat hand out our constants: tag tests hit identity.
    parser = expat.ParserCreate(namespace_separator="}", intern={n: n for n in interned})
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    return parser


class CappedReader:
    """A file-like wrapper that refuses to hand out more than `cap` bytes."""

    def __init__(self, raw: IO[bytes], cap: int, limits: Limits) -> None:
        self._raw, self._left, self._limits = raw, cap, limits

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size if size and size > 0 else 1 << 16)
        self._left -= len(chunk)
        if self._left < 0:
            raise FileRejected("zip_bomb", _(
                "The file unpacks to more than {limit} MB; it is refused to protect "
                "the server.").format(limit=self._limits.max_uncompressed // 2**20))
        return chunk


def corrupt() -> FileRejected:
    return FileRejected("corrupt", _(
        "The file is damaged or incomplete and cannot be read. Save it again and upload it."))


# Everything a hostile or broken part can make the parsing code raise.
_BROKEN = (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError,
           ValueError, IndexError, TypeError, AttributeError, OverflowError, RecursionError)


# --- number formats -------------------------------------------------------------

def number_format_kind(fmt: str) -> int | str | None:
    """'text' for `@`, the width for zero-padded integer formats (`0000`), else None."""
    if fmt == "@":
        return "text"
    if _ZERO_PADDED.fullmatch(fmt):
        return len(fmt.split(";", 1)[0])
    return None


def as_displayed(value: Any, kind: int | str) -> Any:
    """A number formatted as text or as a zero-padded code, shown the way Excel shows it."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        return value if kind != "text" else repr(value)
    if kind == "text":
        return str(value)
    return f"{value:0{kind}d}" if value >= 0 else str(value)


@dataclass(frozen=True, slots=True)
class _Style:
    date: bool
    timedelta: bool
    kind: int | str | None  # as_displayed's kind; never set for style 0, as before


_PLAIN = _Style(False, False, None)


def _style_table(formats: dict[int, str], xf_formats: list[int]) -> list[_Style]:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    table = []
    for index, fmt_id in enumerate(xf_formats):
        code = formats.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
        table.append(_Style(is_date_format(code), is_timedelta_format(code),
                            number_format_kind(code or "General") if index else None))
    return table


# --- dates ----------------------------------------------------------------------

def _from_excel(value: float, epoch: dt.datetime, timedelta: bool) -> Any:
    """openpyxl.utils.datetime.from_excel, unchanged in behaviour."""
    if timedelta:
        td = dt.timedelta(days=value)
        if td.microseconds:
            td = dt.timedelta(seconds=td.total_seconds() // 1,
                              microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86400 * 1000))
    if 0 <= value < 1 and diff.days == 0:
        hours, rest = divmod(diff.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return dt.time(hours, minutes, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == _WINDOWS_EPOCH:
        day += 1  # Excel's phantom 29 February 1900
    return epoch + dt.timedelta(days=day) + diff


def _iso_date(text: str) -> Any:
    from openpyxl.utils.datetime import from_ISO8601  # rare: t="d" cells only

    return from_ISO8601(text)


# --- the workbook ---------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    name: str
    part: str
    visible: bool


class XlsxBook:
    """Workbook metadata read with the same expat parsers; sheets streamed on demand."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(path)  # by content: the path may have no extension
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise corrupt() from None
        try:
            self._names = set(self._zip.namelist())
            workbook = self._workbook_part()
            self.epoch, sheets = self._read_workbook(workbook)
            rels = self._read_rels(workbook)
            self.sheets: list[Sheet] = []
            for name, state, rel_id in sheets:
                if not rel_id:
                    continue
                target, rel_type = rels[rel_id]
                if target not in self._names or "chartsheet" in rel_type:
                    continue
                self.sheets.append(Sheet(name, target, state in (None, "visible")))
            self._styles = self._read_styles()
        except (XmlForbidden, FileRejected, *_BROKEN) as exc:
            self._zip.close()
            if isinstance(exc, XmlForbidden):
                raise xml_entities() from None
            if isinstance(exc, FileRejected):
                raise
            raise corrupt() from None
        self._strings: list[str] | None = None

    def close(self) -> None:
        self._zip.close()

    # -- parts --

    def _parse(self, part: str, start: Callable[..., None] | None = None,
               end: Callable[[str], None] | None = None,
               data: Callable[[str], None] | None = None,
               interned: tuple[str, ...] = ()) -> Iterator[None]:
        """Feed a member to a new safe parser chunk by chunk; yields after each chunk."""
        parser = xml_parser(interned)
        if start is not None:
            parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if data is not None:
            parser.CharacterDataHandler = data
        with self._zip.open(part) as raw:
            source = CappedReader(raw, self.limits.max_uncompressed, self.limits)
            while chunk := source.read(_CHUNK):
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
        yield

    def _consume(self, *args: Any, **kwargs: Any) -> None:
        for _step in self._parse(*args, **kwargs):
            pass

    def _workbook_part(self) -> str:
        """The workbook part, noting the shared strings part, both as [Content_Types].xml says."""
        workbooks: list[str] = []
        strings: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == f"{_TYPES}}}Override":
                content_type = attrs.get("ContentType")
                if content_type in _WORKBOOK_TYPES:
                    workbooks.append(attrs.get("PartName", "").lstrip("/"))
                elif content_type == _STRINGS_TYPE:
                    strings.append(attrs.get("PartName", "").lstrip("/"))

        if "[Content_Types].xml" in self._names:
            self._consume("[Content_Types].xml", start)
        # Like openpyxl: no shared strings unless [Content_Types].xml lists them.
        self._strings_part = strings[0] if strings else ""
        return next((p for p in workbooks if p in self._names), "xl/workbook.xml")

    def _read_workbook(self, part: str) -> tuple[dt.datetime, list[tuple[str, Any, Any]]]:
        epoch = [_WINDOWS_EPOCH]
        sheets: list[tuple[str, Any, Any]] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == _q("sheet"):
                sheets.append((attrs.get("name", ""), attrs.get("state"),
                               attrs.get(f"{_REL}}}id")))
            elif name == _q("workbookPr") and attrs.get("date1904", "0") not in (
                    "false", "f", "0"):  # openpyxl's Bool: only these strings are false
                epoch[0] = _MAC_EPOCH

        self._consume(part, start)
        return epoch[0], sheets

    def _read_rels(self, part: str) -> dict[str, tuple[str, str]]:
        folder, filename = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", filename + ".rels")
        rels: dict[str, tuple[str, str]] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name != f"{_PKG_REL}}}Relationship" or attrs.get("TargetMode") == "External":
                return
            target = attrs.get("Target", "")
            if target.startswith("/"):
                target = target[1:]
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            rels[attrs.get("Id", "")] = (target, attrs.get("Type", ""))

        if rels_part in self._names:
            self._consume(rels_part, start)
        return rels

    def _read_styles(self) -> list[_Style]:
        if _STYLES_PART not in self._names:
            return []
        formats: dict[int, str] = {}
        xf_formats: list[int] = []
        in_cell_xfs = [False]

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == _q("numFmt"):
                formats[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
            elif name == _q("cellXfs"):
                in_cell_xfs[0] = True
            elif name == _q("xf") and in_cell_xfs[0]:
                xf_formats.append(int(attrs.get("numFmtId", 0)))

        def end(name: str) -> None:
            if name == _q("cellXfs"):
                in_cell_xfs[0] = False

        self._consume(_STYLES_PART, start, end)
        return _style_table(formats, xf_formats)

    def _shared_strings(self) -> list[str]:
        if self._strings is not None:
            return self._strings
        strings: list[str] = []
        parts: list[str] = []
        state = {"capture": False, "phonetic": 0}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == _T:
                state["capture"] = not state["phonetic"]
            elif name == _SI:
                parts.clear()
            elif name == _RPH:
                state["phonetic"] += 1

        def end(name: str) -> None:
            if name == _T:
                state["capture"] = False
            elif name == _SI:
                # Text content: the plain text, then the rich-text runs, phonetics left out.
                strings.append("".join(parts).replace("x005F_", ""))
            elif name == _RPH:
                state["phonetic"] -= 1

        def data(text: str) -> None:
            if state["capture"]:
                parts.append(text)

        if self._strings_part and self._strings_part in self._names:
            self._consume(self._strings_part, start, end, data, interned=(_T, _SI, _RPH))
        self._strings = strings
        return strings

    # -- rows --

    def rows(self, sheet: Sheet, max_columns: int,
             on_cached_formula: Callable[[], None]) -> Iterator[Row]:
        """(row number, values) for every row with a value; gaps in a row are None.

        Raises ColumnLimit for a value beyond max_columns, FileRejected otherwise.
        """
        try:
            strings = self._shared_strings()
            yield from self._rows(sheet, strings, max_columns, on_cached_formula)
        except XmlForbidden:
            raise xml_entities() from None
        except (FileRejected, ColumnLimit):
            raise
        except _BROKEN:
            raise FileRejected("corrupt", _(
                "The file is damaged or incomplete and cannot be read.")) from None

    def _rows(self, sheet: Sheet, strings: list[str], max_columns: int,
              on_cached_formula: Callable[[], None]) -> Iterator[Row]:
        # All per-cell state lives in closure variables and the tests are ordered by
        # how often each element occurs: expat calls these twice per XML element.
        decode = _cell_decoder(self._styles, self.epoch, strings)
        columns: dict[str, int] = {}
        out: list[Row] = []
        values: list[Any] = []
        number = column = 0
        ref: str | None = None
        kind: str | None = None
        style: str | None = None
        text = ""
        capture = has_value = formula = noticed = False
        phonetic = 0
        C, V, F, ROW, T, RPH = _C, _V, _F, _ROW, _T, _RPH  # noqa: N806

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal ref, kind, style, text, capture, has_value, formula, number, column, \
                values, phonetic
            if name == C:
                ref = attrs.get("r")
                kind = attrs.get("t")
                style = attrs.get("s")
                text = ""
                has_value = formula = False
            elif name == T:
                # Only text of inline strings counts, phonetic runs (<rPh>) left out.
                capture = kind == "inlineStr" and not phonetic
            elif name == V:
                has_value = True
                capture = kind != "inlineStr"  # openpyxl ignores <v> of inline strings
            elif name == ROW:
                number = _row_number(attrs.get("r"), number)
                column = 0
                values = []
            elif name == F:
                formula = True
            elif name == RPH:
                phonetic += 1

        def data(chunk: str) -> None:
            nonlocal text
            if capture:
                text += chunk

        def end(name: str) -> None:
            nonlocal capture, column, values, noticed, phonetic
            if name != C:
                if name in (V, T):
                    capture = False
                elif name == ROW:
                    if values:
                        out.append((number, values))
                    values = []
                elif name == RPH:
                    phonetic -= 1
                return
            if ref:
                index = columns.get(ref.rstrip(_DIGITS))
                column = index if index is not None else _column_index(ref, columns)
            else:
                column += 1
            if formula and (not has_value or (not text and kind != "str")):
                value: Any = FORMULA_WITHOUT_VALUE
            else:
                if formula and not noticed:
                    noticed = True
                    on_cached_formula()
                if not text:
                    return  # empty: nothing to place (inline strings included)
                value = decode(kind, text, style)
                if value is _NOTHING:
                    return
            if column > max_columns:
                raise ColumnLimit(number)
            n = len(values)
            if column > n:
                if column > n + 1:
                    values.extend([None] * (column - n - 1))
                values.append(value)
            else:
                values[column - 1] = value

        for _step in self._parse(sheet.part, start, end, data,
                                 interned=(C, V, F, ROW, T, RPH)):
            if out:
                yield from out
                out.clear()


# A decoded cell that places nothing (an empty shared string, an unreadable t="d" date).
_NOTHING: Any = object()


def _cell_decoder(styles: list[_Style], epoch: dt.datetime,
                  strings: list[str]) -> Callable[[str | None, str, str | None], Any]:
    """decode(t, text, s): a cell's value as openpyxl gives it, or _NOTHING.

    `t` and `s` are the cell's type and style attributes, `text` its non-empty
    <v> (or inline string). Numbers get their style: dates (the workbook's epoch),
    text and zero-padded formats (as_displayed); styles and dates are cached.
    """
    style_info: dict[str | None, _Style | None] = {}
    dates: dict[tuple[str, bool], Any] = {}

    def decode(kind: str | None, text: str, style: str | None) -> Any:
        if kind is None or kind == "n":
            # openpyxl's _cast_number
            value: Any = float(text) if "." in text or "E" in text or "e" in text \
                else int(text)
            info = style_info.get(style, _PLAIN)
            if info is _PLAIN:
                info = style_info[style] = _style_for(styles, style)
            if info is None:
                return value
            if info.date:
                key = (text, info.timedelta)
                converted = dates.get(key)
                if converted is None:
                    converted = _date_value(value, epoch, info.timedelta)
                    if len(dates) >= _DATE_CACHE_MAX:
                        dates.clear()
                    dates[key] = converted
                return converted
            return value if info.kind is None else as_displayed(value, info.kind)
        if kind == "s":
            return strings[int(text)] or _NOTHING
        if kind == "inlineStr":
            return text
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            value = _iso_date(text)
            if value is None:
                return _NOTHING
            if isinstance(value, dt.datetime) and value.time() == _MIDNIGHT:
                return value.date()
            return value
        return text  # "str", "e" (#N/A, #DIV/0!, ...) and unknown types: the text

    return decode


def _row_number(attribute: str | None, previous: int) -> int:
    """A <row>'s number: its `r` attribute (an integral float accepted), else the next one."""
    if not attribute:
        return previous + 1
    try:
        return int(attribute)
    except ValueError:
        as_float = float(attribute)
        if not as_float.is_integer():
            raise
        return int(as_float)


def _style_for(styles: list[_Style], attribute: str | None) -> _Style | None:
    """The style of a cell's `s` attribute (absent: style 0, as for openpyxl); None if plain."""
    index = int(attribute) if attribute else 0
    style = styles[index] if 0 <= index < len(styles) else _PLAIN
    return None if style == _PLAIN else style


def _date_value(value: float, epoch: dt.datetime, timedelta: bool) -> Any:
    """A serial number in a date format: a date at midnight, else datetime/time/timedelta."""
    try:
        converted = _from_excel(value, epoch, timedelta)
    except (OverflowError, ValueError):
        return "#VALUE!"  # openpyxl's value for serials outside the calendar
    if isinstance(converted, dt.datetime) and converted.time() == _MIDNIGHT:
        return converted.date()
    return converted


def _column_index(ref: str, cache: dict[str, int]) -> int:
    """The column of a cell reference such as `AB12`, remembered by its letters."""
    match = _COORDINATE.fullmatch(ref)
    if match is None or int(match.group(2)) == 0:
        raise ValueError(f"invalid cell reference {ref!r}")
    index = 0
    for letter in match.group(1).upper():
        index = index * 26 + ord(letter) - 64
    cache[ref.rstrip(_DIGITS)] = index
    return index
