"""Check a file against an input package's structure and yield its rows ready for COPY.

Every problem is reported, not just the first: file-level errors (columns,
template stamp, period) and row-level errors (types, allowed values, required
values, duplicate keys, formulas without results, stray cells). Iterating
Validation.rows() to the end yields the valid rows and completes the summary;
a loader must check `summary.ok` before it commits anything.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import chain, islice
from typing import Any

from ckanext.satudata.tabular.batch import BatchConverter, batch_converter
from ckanext.satudata.tabular.guard import FileRejected, _
from ckanext.satudata.tabular.read import FORMULA_WITHOUT_VALUE, TableFile
from ckanext.satudata.tabular.structure import PERIOD_COLUMN, Column, Period, Structure
from ckanext.satudata.tabular.template import STAMP_SHEET
from ckanext.satudata.tabular.values import (
    CellError,
    Converter,
    column_decimal,
    converter,
    decide_decimal,
    display,
    readings,
)

_VALUE_MAX = 100
_CODES_SHOWN = 10
_SAMPLE_ROWS = 1000
_CHUNK_ROWS = 100  # small: rows alive across a GC pass get promoted and make full passes frequent
_UNIT = re.compile(r"\s*\([^()]*\)\s*$")
_AMBIGUOUS_ROWS_SHOWN = 5


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    code: str
    message: str


@dataclass
class Summary:
    sheet: str
    rows_read: int = 0
    rows_valid: int = 0
    rows_rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_total: int = 0
    file_errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    # The decimal separator declared for the file ("," or "."), None: read from the columns.
    decimal_separator: str | None = None

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors_total

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        data = dict(data)
        data["errors"] = [RowError(**e) for e in data.get("errors") or ()]
        data["file_errors"] = [RowError(**e) for e in data.get("file_errors") or ()]
        return cls(**data)


def _clip(value: Any) -> str | None:
    if value is None:
        return None
    text = display(value) if value is not FORMULA_WITHOUT_VALUE else "=…"
    if not text.strip():
        return None
    return text if len(text) <= _VALUE_MAX else text[:_VALUE_MAX - 1] + "…"


def _norm(text: Any) -> str:
    """Header text compared case- and space-insensitively; template markers removed."""
    value = " ".join(display(text).split()).casefold()
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        value = value[1:]  # a label the template escaped
    return value.rstrip("*").rstrip()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_names(column: Column) -> list[str]:
    names = [_norm(column.id), _norm(column.label)]
    if column.satuan:
        names.append(_norm(f"{column.label} ({column.satuan})"))
    return names


class _Cell:
    """How one structure column turns a raw cell into its stored value."""

    def __init__(self, column: Column, decimal: str | None = None) -> None:
        self.column = column
        self.required = column.required or column.key
        base = converter(column.tipe_data, decimal=decimal)
        self.convert: Converter
        self.batch: BatchConverter
        if column.value_domain:
            lookup: dict[str, str] = {}
            for kode, nilai in column.value_domain:
                lookup.setdefault(_norm(nilai), kode)
            for kode, _nilai in column.value_domain:
                lookup[_norm(kode)] = kode  # a code wins over a value that looks like it
            self.convert = self._domain(base, lookup)
            self.batch = self._per_cell
        else:
            self.convert = base
            self.batch = batch_converter(column.tipe_data, decimal=decimal)

    def _per_cell(self, values: Sequence[Any]) -> list[str | None]:
        convert = self.convert
        return [convert(v) for v in values]

    def _domain(self, base: Callable[[Any], str | None],
                lookup: dict[str, str]) -> Callable[[Any], str | None]:
        column = self.column

        def convert(value: Any) -> str | None:
            if value is None or value is FORMULA_WITHOUT_VALUE:
                return base(value)
            key = _norm(value)
            if not key:
                return None
            kode = lookup.get(key)
            if kode is None:
                codes = [k for k, _v in column.value_domain]
                shown = ", ".join(codes[:_CODES_SHOWN])
                if len(codes) > _CODES_SHOWN:
                    shown += _(" … ({count} in total)").format(count=len(codes))
                raise CellError("not_in_domain", _(
                    "Not one of the allowed values: {codes}.").format(codes=shown), value)
            return base(kode)
        return convert

    def check(self, raw: Any) -> tuple[str | None, tuple[str, str] | None]:
        """(value, None) or (None, (code, message))."""
        if raw is FORMULA_WITHOUT_VALUE:
            return None, ("formula_without_value", _(
                "The formula has no saved result. Open the file in Excel or LibreOffice, "
                "let it calculate, save it and upload it again."))
        try:
            value = self.convert(raw)
        except CellError as exc:
            return None, (exc.code, exc.message)
        if value is None and self.required:
            return None, ("required", _("A value is required."))
        return value, None


class Validation:
    """Validate `table` against `structure`; rows() yields the valid rows for COPY."""

    def __init__(self, table: TableFile, structure: Structure, *, sheet: str | None = None,
                 period: Period | None = None, require_stamp: bool = False,
                 max_errors_kept: int = 5000, package_id: str | None = None,
                 decimal_separator: str | None = None) -> None:
        self.table = table
        self.structure = structure
        self.period = period
        self.max_errors_kept = max_errors_kept
        self._sheet = sheet if sheet is not None else (table.sheet_names or [""])[0]
        self.summary = Summary(sheet=self._sheet, notices=list(table.notices),
                               decimal_separator=decimal_separator or None)
        # column id -> (rows, first value) of numbers its decimal separator must decide
        self._ambiguous: dict[str, tuple[list[int], Any]] = {}
        self.summary.columns = ([PERIOD_COLUMN] if period else []) + [
            c.id for c in structure.columns]
        if sheet is not None and sheet not in table.sheet_names:
            self._file_error("sheet_not_found", _(
                'The file has no sheet named "{sheet}".').format(sheet=sheet))
        elif not table.sheet_names:
            self._file_error("no_sheet", _("The file has no visible sheet."))
        self._check_stamp(require_stamp, package_id)

    # --- errors ------------------------------------------------------------

    def _file_error(self, code: str, message: str, *, row: int | None = None,
                    column: str | None = None, value: Any = None) -> None:
        self.summary.file_errors.append(RowError(
            self.summary.sheet, row, column, _clip(value), code, message))

    def _row_error(self, row: int | None, column: str | None, value: Any, code: str,
                   message: str) -> None:
        self.summary.errors_total += 1
        if len(self.summary.errors) < self.max_errors_kept:
            self.summary.errors.append(RowError(
                self.summary.sheet, row, column, _clip(value), code, message))

    # --- stamp -------------------------------------------------------------

    def _check_stamp(self, require_stamp: bool, package_id: str | None) -> None:
        rows = self.table.hidden_sheet(STAMP_SHEET)
        if not rows:
            if require_stamp:
                self._file_error("stamp_missing", _(
                    "The file was not made from this dataset's template. "
                    "Download the template and fill it in."))
            return
        stamp = {display(r[0]).strip(): display(r[1]).strip() if len(r) > 1 else ""
                 for r in rows if r and r[0] is not None}
        if stamp.get("stamp") != self.structure.stamp():
            self._file_error("wrong_template", _(
                "The file was made from an older or different template. "
                "Download the current template and copy your data into it."))
        if package_id and stamp.get("package_id") and stamp["package_id"] != package_id:
            self._file_error("wrong_package", _(
                "The file was made from the template of another dataset."))
        found = stamp.get("period") or ""
        if self.period and found and found != self.period.code():
            self._file_error("period_mismatch", _(
                "The template is for the period {found}, but you are uploading data "
                "for {expected}.").format(found=_period_label(found),
                                          expected=self.period.label()))

    # --- header ------------------------------------------------------------

    def _read_header(self, number: int, cells: list[Any]) -> tuple[dict[str, int], list[int]]:
        lookup: dict[str, str] = {}
        for column in self.structure.columns:
            lookup.setdefault(_norm(column.id), column.id)
        for column in self.structure.columns:
            for name in _header_names(column)[1:]:
                lookup.setdefault(name, column.id)
        lookup.setdefault(PERIOD_COLUMN, PERIOD_COLUMN)
        lookup.setdefault(_norm("Periode"), PERIOD_COLUMN)

        positions: dict[str, int] = {}
        self._headers: dict[str, str] = {}
        blank: list[int] = []
        for index, cell in enumerate(cells):
            text = display(cell).strip() if cell is not None else ""
            if not text:
                blank.append(index)
                continue
            key = lookup.get(_norm(text)) or lookup.get(_norm(_UNIT.sub("", text)))
            letter = column_letter(index)
            if key is None:
                self._file_error("unknown_column", _(
                    'Column {letter} "{header}" is not a variable of this dataset.').format(
                    letter=letter, header=text), row=number, column=text, value=text)
            elif key in positions:
                self._file_error("duplicate_column", _(
                    'Column {letter} "{header}" repeats column {first}.').format(
                    letter=letter, header=text, first=column_letter(positions[key])),
                    row=number, column=text, value=text)
            else:
                positions[key] = index
                self._headers[key] = text
        for column in self.structure.columns:
            if column.id in positions:
                continue
            if column.required or column.key:
                self._file_error("missing_column", _(
                    'The required column "{column}" is missing.').format(column=column.label),
                    row=number, column=column.label)
            else:
                self.summary.notices.append(_(
                    'The column "{column}" is not in the file; it is left empty.').format(
                    column=column.label))
        return positions, blank

    # --- rows --------------------------------------------------------------

    def rows(self) -> Iterator[tuple[int, list[str | None]]]:
        """The valid rows, normalised for COPY, period first when given; fills the summary."""
        summary = self.summary
        if summary.file_errors and any(
                e.code in ("sheet_not_found", "no_sheet") for e in summary.file_errors):
            return
        stream = self.table.rows(self._sheet)
        try:
            yield from self._validate(stream)
        except FileRejected as exc:
            self._file_error(exc.code, exc.message)
        if summary.file_errors:
            summary.rows_valid = 0
            summary.rows_rejected = summary.rows_read

    def _validate(self, stream: Iterator[tuple[int, list[Any]]]) -> Iterator[
            tuple[int, list[str | None]]]:
        summary = self.summary
        first = next(stream, None)
        if first is None:
            self._file_error("empty_sheet", _("The sheet is empty: no header row was found."))
            return
        header_row, header = first
        positions, blank = self._read_header(header_row, header)
        width = len(header)
        sample = list(islice(stream, _SAMPLE_ROWS))
        cells_of = [self._cell_for(c, positions, sample) for c in self.structure.columns]
        plan = [(positions.get(c.id, -1), cell.convert)
                for c, cell in zip(self.structure.columns, cells_of, strict=True)]
        required = [i for i, cell in enumerate(cells_of) if cell.required]
        keys = [i for i, c in enumerate(self.structure.columns) if c.key]
        seen_keys: dict[str, int] = {}
        self._seen_keys = seen_keys
        period_pos = positions.get(PERIOD_COLUMN, -1) if self.period else -1
        accepted_periods = self._accepted_periods()
        period_code = self.period.code() if self.period else None
        blocked = bool(summary.file_errors)

        ctx = _RowContext(width, blank, cells_of, positions, plan, required, keys,
                          period_pos, accepted_periods)
        batches = [(pos, cell.batch) for pos, cell in zip(
            [p for p, _c in plan], cells_of, strict=True)]
        fast = not blank and period_pos < 0 and bool(plan)
        rows = chain(sample, stream)
        while chunk := list(islice(rows, _CHUNK_ROWS)):
            converted = _convert_chunk(chunk, width, batches, required) if fast else None
            # else lazily, so errors and duplicate keys are reported in row order
            outs: Iterable[list[Any] | None] = converted if converted is not None else (
                self._slow_row(number, cells, ctx) for number, cells in chunk)
            for (number, cells), out in zip(chunk, outs, strict=True):
                if out is None or not any(out):
                    continue  # rejected (already counted) or an empty row
                if out is not _BAD:
                    summary.rows_read += 1
                if out is _BAD or (keys and self._duplicate(
                        number, out, keys, seen_keys, cells, positions)) or blocked:
                    summary.rows_rejected += 1
                    continue
                summary.rows_valid += 1
                if period_code is not None:
                    out.insert(0, period_code)
                yield number, out
        if summary.rows_read == 0:
            self._file_error("no_rows", _("The sheet has a header row but no data rows."))
        self._report_ambiguous()

    def _report_ambiguous(self) -> None:
        """One file error per column holding numbers like 15.085 without a known separator.

        Reading them either way could change their magnitude a thousandfold, so
        nothing is written until the user says which separator the file uses.
        """
        for column in self.structure.columns:
            if column.id not in self._ambiguous:
                continue
            rows, first = self._ambiguous[column.id]
            grouped, decimal = readings(first)
            shown = ", ".join(map(str, rows[:_AMBIGUOUS_ROWS_SHOWN]))
            if len(rows) > _AMBIGUOUS_ROWS_SHOWN:
                shown += ", …"
            self._file_error("ambiguous_number", _(
                'Column "{column}": {count} number(s) such as "{value}" (rows {rows}) can be '
                "read as {grouped} or as {decimal}, and nothing in the file tells which. "
                "Choose the decimal separator the file uses and check the file again.").format(
                column=self._headers.get(column.id, column.label), count=len(rows),
                value=display(first).strip(), rows=shown, grouped=grouped,
                decimal=decimal),
                row=rows[0], column=self._headers.get(column.id, column.label), value=first)

    def _slow_row(self, number: int, cells: list[Any], ctx: _RowContext) -> list[Any] | None:
        """One row the careful way: None for an empty row, _BAD once its errors are reported.

        A row with errors is counted as read here; its key is still recorded so a
        later row with the same key is reported too.
        """
        width, blank, n = ctx.width, ctx.blank, len(cells)
        if n < width:
            cells.extend([None] * (width - n))
        try:
            out = [conv(cells[pos]) if pos >= 0 else None for pos, conv in ctx.plan]
        except CellError:
            out = None
        stray = (n > width or blank) and _stray(cells, width, blank, n)
        period_pos = ctx.period_pos
        if out is not None and not any(out) and not stray and (
                period_pos < 0 or not _has_value(cells[period_pos])):
            return None  # only blanks and spaces: an empty row
        if not (out is None
                or (ctx.required and any(out[i] is None for i in ctx.required))
                or stray
                or (period_pos >= 0 and not _period_ok(cells[period_pos], ctx.accepted))):
            return out
        self.summary.rows_read += 1
        out = self._report_row(number, cells, ctx.cells_of, ctx.positions, width, blank, n,
                               period_pos, ctx.accepted)
        if ctx.keys:
            self._duplicate(number, out, ctx.keys, self._seen_keys, cells, ctx.positions)
        return _BAD

    def _duplicate(self, number: int, out: list[str | None], keys: list[int],
                   seen_keys: dict[str, int], cells: list[Any],
                   positions: dict[str, int]) -> bool:
        """Record the row's key; report it if an earlier row had the same one."""
        key_values = [value for value in (out[i] for i in keys) if value is not None]
        if len(key_values) < len(keys):
            return False  # a missing key value is already a "required" error
        key = "\x1f".join(key_values)
        first_row = seen_keys.setdefault(key, number)
        if first_row == number:
            return False
        columns = self.structure.columns
        shown = ", ".join(f"{columns[i].label} = {out[i]}" for i in keys)
        column = columns[keys[0]]
        pos = positions.get(column.id, -1)
        self._row_error(number, self._headers.get(column.id, column.label),
                        cells[pos] if pos >= 0 else None, "duplicate_key", _(
                            "The key ({key}) is already used in row {row}.").format(
                            key=shown, row=first_row))
        return True

    def _cell_for(self, column: Column, positions: dict[str, int],
                  sample: list[tuple[int, list[Any]]]) -> _Cell:
        """The cell converter; number columns take the decimal separator the file declares,
        else the one a sample of the column shows (see values.decide_decimal)."""
        if column.tipe_data not in ("INTEGER", "DECIMAL") or column.id not in positions:
            return _Cell(column)
        pos = positions[column.id]
        shown, _ambiguous = column_decimal(cells[pos] for _n, cells in sample if pos < len(cells))
        return _Cell(column, decide_decimal(shown, declared=self.summary.decimal_separator,
                                            tipe_data=column.tipe_data))

    def _accepted_periods(self) -> frozenset[str]:
        if not self.period:
            return frozenset()
        return frozenset({self.period.code(), _norm(self.period.code()),
                          _norm(self.period.label())})

    def _report_row(self, number: int, cells: list[Any], cells_of: list[_Cell],
                    positions: dict[str, int], width: int, blank: list[int], n: int,
                    period_pos: int, accepted: frozenset[str]) -> list[str | None]:
        """The slow path: every error in one row; returns the values that did convert."""
        out: list[str | None] = []
        for cell in cells_of:
            column = cell.column
            pos = positions.get(column.id, -1)
            if pos < 0:
                out.append(None)  # left empty, or a file error (missing required column)
                continue
            raw = cells[pos]
            value, error = cell.check(raw)
            out.append(value)
            if error and error[0] == "ambiguous_number":
                # One problem of the column (reported at the end), not one per row.
                rows, _first = self._ambiguous.setdefault(column.id, ([], raw))
                rows.append(number)
            elif error:
                self._row_error(number, self._headers.get(column.id, column.label), raw, *error)
        if period_pos >= 0 and not _period_ok(cells[period_pos], accepted):
            self._row_error(number, self._headers.get(PERIOD_COLUMN), cells[period_pos],
                            "period_mismatch", _(
                                "The period does not match the upload period {period}.").format(
                                period=self.period.label() if self.period else ""))
        for index in [*blank, *range(width, n)]:
            if index < n and _has_value(cells[index]):
                self._row_error(number, column_letter(index), cells[index], "extra_value", _(
                    "Column {letter} has a value but no header.").format(
                    letter=column_letter(index)))
        return out


_BAD: list[Any] = ["<rejected row>"]  # marker: a row whose errors were reported


@dataclass
class _RowContext:
    width: int
    blank: list[int]
    cells_of: list[_Cell]
    positions: dict[str, int]
    plan: list[tuple[int, Callable[[Any], str | None]]]
    required: list[int]
    keys: list[int]
    period_pos: int
    accepted: frozenset[str]


def _convert_chunk(chunk: list[tuple[int, list[Any]]], width: int,
                   batches: Sequence[tuple[int, BatchConverter]],
                   required: list[int]) -> list[list[str | None]] | None:
    """Convert a chunk of rows column by column; None if any row needs the careful path."""
    for _number, cells in chunk:
        n = len(cells)
        if n < width:
            cells.extend([None] * (width - n))
        elif n > width:
            return None  # possibly stray values right of the header
    columns = list(zip(*[cells for _number, cells in chunk], strict=True))
    empty: list[str | None] = [None] * len(chunk)
    try:
        converted = [batch(columns[pos]) if pos >= 0 else empty for pos, batch in batches]
    except CellError:
        return None
    if any(None in converted[i] for i in required):
        return None
    return [list(row) for row in zip(*converted, strict=True)]


def _has_value(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _stray(cells: list[Any], width: int, blank: list[int], n: int) -> bool:
    """A value under an empty header cell or right of the header."""
    if n > width and any(_has_value(v) for v in cells[width:]):
        return True
    return bool(blank) and any(_has_value(cells[i]) for i in blank)


def _period_ok(value: Any, accepted: frozenset[str]) -> bool:
    if value is None or value in accepted:
        return True
    text = _norm(value)
    return not text or text in accepted


def _period_label(code: str) -> str:
    try:
        return Period.parse(code).label()
    except ValueError:
        return code


def validate_file(table: TableFile, structure: Structure, *, sheet: str | None = None,
                  period: Period | None = None, require_stamp: bool = False,
                  max_errors_kept: int = 5000, package_id: str | None = None,
                  decimal_separator: str | None = None) -> Summary:
    """The dry run: validate every row and return the summary."""
    validation = Validation(table, structure, sheet=sheet, period=period,
                            require_stamp=require_stamp, max_errors_kept=max_errors_kept,
                            package_id=package_id, decimal_separator=decimal_separator)
    for _row in validation.rows():
        pass
    return validation.summary


def validate_row(structure: Structure, values: dict[str, Any], *,
                 period: Period | None) -> tuple[list[str | None], list[RowError]]:
    """One row from a form or survey, {column id: raw value} -> (values for COPY, errors)."""
    out: list[str | None] = []
    errors: list[RowError] = []
    if period is not None:
        given = values.get(PERIOD_COLUMN)
        accepted = frozenset({period.code(), _norm(period.code()), _norm(period.label())})
        if not _period_ok(given, accepted):
            errors.append(RowError("", None, "Periode", _clip(given), "period_mismatch", _(
                "The period does not match the upload period {period}.").format(
                period=period.label())))
        out.append(period.code())
    for column in structure.columns:
        raw = values.get(column.id)
        # One value: no column to learn from. "15.085" is asked about, except as a whole number.
        value, error = _Cell(column, decide_decimal(None, tipe_data=column.tipe_data)).check(raw)
        if error:
            errors.append(RowError("", None, column.label, _clip(raw), *error))
        out.append(value)
    return out, errors
