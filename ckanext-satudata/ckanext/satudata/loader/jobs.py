"""The load job: read a resource's file, convert every cell, COPY into a shadow table, swap.

Column types, in order of precedence:
1. the MS-Var `tipe_data` in the live table's data dictionary (declared);
2. a data-dictionary `type_override` (as xloader supports);
3. otherwise inferred by tabular.values.infer_types from the first 1000 rows.

A value that does not fit a declared type fails the load with an error naming
the row and column (the live table stays as it was). A value that does not fit
an inferred type never fails and is never mangled: the load starts again with
that column as text, and the status says so.
"""
from __future__ import annotations

import copyreg
import gc
import hashlib
import logging
import os
import re
import tempfile
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from psycopg2 import errors as pg_errors

from ckanext.satudata.loader import config, csvbatch, pipe, shadow, status
from ckanext.satudata.loader.heartbeat import Heartbeat
from ckanext.satudata.tabular.guard import FileRejected, Limits
from ckanext.satudata.tabular.read import open_table
from ckanext.satudata.tabular.structure import DATASTORE_TYPES
from ckanext.satudata.tabular.values import (
    DECIMAL_SEPARATORS,
    CellError,
    batch_converter,
    column_decimal,
    converter,
    decide_decimal,
    display,
    infer_types,
    readings,
)

log = logging.getLogger(__name__)

# Convert in a forked child so PostgreSQL's COPY and the conversion use both cores.
USE_CHILD = hasattr(os, "fork")
# A CSV this big is converted by two children, one for each half (the file's order is kept).
SPLIT_MIN_BYTES = 8 << 20
SPLIT_AT = 0.5  # where the first child's part ends (fraction of the bytes)
SAMPLE_ROWS = 1000
BATCH_ROWS = 5000
_NULL = "\\N"
_SPECIALS = ("\\", "\t", "\n", "\r")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_OVERRIDE_TIPE = {"text": "CHARACTER", "numeric": "DECIMAL", "int": "INTEGER", "int4": "INTEGER",
                  "int8": "INTEGER", "integer": "INTEGER", "bigint": "INTEGER", "date": "DATE",
                  "bool": "BOOLEAN", "boolean": "BOOLEAN"}


def message(msgid: str, **params: Any) -> dict[str, Any]:
    """An error or notice kept in the status: English msgid + parameters, translated when shown."""
    return {"msgid": msgid, "params": params, "message": msgid.format(**params)}


class LoadFailed(Exception):
    """The load cannot go on; `errors` are status messages (with row/column where known)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"] if errors else "load failed")
        self.errors = errors

    def __reduce__(self) -> tuple[Any, ...]:  # raised in the converting child, re-raised here
        return LoadFailed, (self.errors,)


class _Retype(Exception):
    def __init__(self, index: int, row: int, value: Any, code: str = "") -> None:
        super().__init__(index)
        self.index, self.row, self.value, self.code = index, row, value, code

    def __reduce__(self) -> tuple[Any, ...]:
        return _Retype, (self.index, self.row, self.value, self.code)


# FileRejected(code, message) cannot be rebuilt from its args when the child raises it.
copyreg.pickle(FileRejected, lambda exc: (FileRejected, (exc.code, exc.message)))


@dataclass
class Column:
    id: str
    tipe_data: str  # CHARACTER ... or "TIMESTAMP" for an xloader timestamp override
    datastore_type: str
    source: str  # declared | override | inferred | text_fallback
    convert: Callable[[Any], str | None]
    # Converts a whole column slice (same results as `convert`, C-level for common shapes).
    batch: Callable[[Any], list[str | None]] | None = None
    decimal: str | None = None  # the decimal separator its numbers are read with
    # Sample position of a number like 15.085 that made an otherwise numeric column text.
    ambiguous_at: int | None = None

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "type": self.datastore_type, "tipe_data": self.tipe_data,
                "source": self.source}


@dataclass
class LoadResult:
    rows: int = 0
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    format: str | None = None
    columns: list[dict[str, str]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


# --- columns -----------------------------------------------------------------

def column_ids(header: list[Any]) -> list[str]:
    """Valid, unique DataStore column ids from a header row (nothing dropped, nothing merged)."""
    ids: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(header, 1):
        text = display(cell).replace('"', "").replace("\x00", "").strip().lstrip("_").strip()
        text = text[:63].strip() or f"kolom_{index}"
        candidate, n = text, 2
        while candidate in seen:
            suffix = f"_{n}"
            candidate, n = text[:63 - len(suffix)] + suffix, n + 1
        seen.add(candidate)
        ids.append(candidate)
    return ids


def _timestamp(value: Any) -> str | None:
    text = display(value).strip()
    return text or None


def plan_columns(ids: list[str], sample: list[list[Any]], old: shadow.OldTable | None,
                 forced_text: set[int], decimal_separator: str | None = None) -> list[Column]:
    """The columns' types and converters from the data dictionary and a sample.

    A number like 15.085 is 15085 or 15.085: the decimal separator declared for
    the file decides, else the column's other numbers, else a declared INTEGER
    type (values.decide_decimal). Still undecided, a declared column fails on it
    (LoadFailed) and a guessed one is loaded as text, values as written, with a
    notice asking for the separator: the loader never guesses a magnitude.
    """
    old_types = {f["id"]: f["type"] for f in (old.fields if old else [])}
    shown = [column_decimal(r[index] if index < len(r) else None for r in sample)
             for index in range(len(ids))]
    guessed = infer_types(sample, len(ids),
                          [decide_decimal(d, declared=decimal_separator) for d, _a in shown])
    columns = []
    for index, column_id in enumerate(ids):
        info = old.info(column_id) if old and column_id in old_types else {}
        declared = str(info.get("tipe_data") or "").upper()
        override = str(info.get("type_override") or "").lower()
        if declared in DATASTORE_TYPES:
            tipe, source = declared, "declared"
        elif override in _OVERRIDE_TIPE:
            tipe, source = _OVERRIDE_TIPE[override], "override"
        elif override.startswith("timestamp"):
            columns.append(Column(column_id, "TIMESTAMP", "timestamp", "override", _timestamp))
            continue
        elif index in forced_text:
            tipe, source = "CHARACTER", "text_fallback"
        else:
            tipe, source = guessed[index], "inferred"
        decimal = decide_decimal(shown[index][0], declared=decimal_separator,
                                 tipe_data=tipe if source != "inferred" else None)
        ambiguous_at = None
        if source == "inferred" and tipe == "CHARACTER" and decimal is None and shown[index][1] \
                and infer_types([[r[index] if index < len(r) else None] for r in sample], 1,
                                [","]) != ["CHARACTER"]:
            ambiguous_at, source = shown[index][1][0], "ambiguous_number"
        convert = converter(tipe, decimal=decimal)
        batch = batch_converter(tipe, decimal=decimal)
        columns.append(Column(column_id, tipe, DATASTORE_TYPES[tipe], source, convert, batch,
                              decimal, ambiguous_at))
    return columns


def declared_separator(resource: dict[str, Any]) -> str | None:
    """The decimal separator an editor declared for the resource's file, if any."""
    value = resource.get("satudata_decimal_separator") or None
    return value if value in DECIMAL_SEPARATORS else None


def _ambiguous_notice(column: str, row: int, value: Any) -> dict[str, Any]:
    grouped, decimal = readings(value)
    return dict(message(
        'Column "{column}" was loaded as text, values as written: its numbers, such as '
        '"{value}" in row {row}, can be read as {grouped} or as {decimal}, and nothing in the '
        "file tells which. Choose the decimal separator of the file and load it again.",
        column=column, value=display(value)[:100], row=row, grouped=grouped,
        decimal=decimal), notice=True, column=column)


# --- rows -> COPY text ---------------------------------------------------------

Batch = tuple[Sequence[int], Sequence[list[Any]]]


def row_batches(rows: Iterator[tuple[int, list[Any]]],
                batch_rows: int = BATCH_ROWS) -> Iterator[Batch]:
    """(row numbers, rows) batches out of a (row number, cells) iterator."""
    while True:
        batch = list(islice(rows, batch_rows))
        if not batch:
            return
        row_numbers, cells = zip(*batch, strict=True)
        yield row_numbers, cells


def copy_chunks(batches: Iterable[Batch],
                columns: list[Column], *, numbers: Any,
                on_batch: Callable[[int], None] | None = None,
                first_id: int | None = None) -> Iterator[str]:
    """COPY text format, one chunk per batch of (row numbers, rows), converted column by column.

    Column-wise conversion keeps the per-cell work to one converter call: rows
    are transposed with zip (in C), NULL marking and escaping only run when a
    column holds a None or a special character, and each line is one join.
    With `first_id` each line starts with its `_id` (first_id, first_id + 1, ...):
    PostgreSQL then evaluates no sequence default per row.
    """
    width = len(columns)
    convs = [c.batch or _per_cell(c.convert) for c in columns]
    escape_cols = {i for i, c in enumerate(columns) if c.datastore_type in ("text", "timestamp")}
    loaded = 0
    plain_lines: dict[str, re.Pattern[str] | None] = {}
    for row_numbers, cells in batches:
        numbers.extend(row_numbers)
        if isinstance(cells, csvbatch.Plain):
            if cells.delimiter not in plain_lines:
                plain_lines[cells.delimiter] = _plain_pattern(columns, cells.delimiter)
            pattern = plain_lines[cells.delimiter]
            if pattern is not None and pattern.fullmatch(cells.text):
                loaded += len(row_numbers)
                yield _plain_copy(cells, None if first_id is None
                                  else first_id + loaded - len(row_numbers))
                if on_batch:
                    on_batch(loaded)
                continue
            cells = cells.columns()
        if isinstance(cells, csvbatch.Columns):  # already column-wise, `width` cells a row
            by_column: Iterable[Sequence[Any]] = cells
        else:
            if set(map(len, cells)) != {width}:
                cells = [_fit(row, width, number)
                         for number, row in zip(row_numbers, cells, strict=True)]
            by_column = zip(*cells, strict=True)
        outs: list[Any] = []
        if first_id is not None:
            outs.append(map(str, range(first_id + loaded, first_id + loaded + len(row_numbers))))
        for index, column in enumerate(by_column):
            conv = convs[index]
            try:
                out = conv(column)
            except CellError:
                _raise_cell_error(columns[index], index, column, row_numbers)
                raise
            if index in escape_cols:
                joined = "".join(filter(None, out))
                if any(ch in joined for ch in _SPECIALS):
                    out = [v.translate(_ESCAPES) if v else v for v in out]
            if None in out:
                out = [_NULL if v is None else v for v in out]
            outs.append(out)
        loaded += len(row_numbers)
        yield "\n".join(map("\t".join, zip(*outs, strict=True))) + "\n"
        if on_batch:
            on_batch(loaded)


# Cells the batch converters give back unchanged and COPY reads as they are (nothing to
# escape, never empty). Digits as [0-9]: \d would take other scripts' digits too.
_DAY = (r"(?:[1-9][0-9]{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
        r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
        r"|(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
        r"-02-29)")  # real dates only (29 February of leap years)


def _plain_pattern(columns: list[Column], delimiter: str) -> re.Pattern[str] | None:
    """A regex matching a batch of plain lines whose every cell converts to itself.

    Such a batch goes to COPY as it is (delimiters made tabs, `_id` in front):
    no split, no conversion, no join. BOOLEAN cells qualify as true/false, which
    PostgreSQL reads as the t/f the converter gives.
    """
    sep = re.escape(delimiter)
    shapes = {
        "INTEGER": rf"(?:-(?!0[{sep}\n]))?[0-9]{{1,18}}",  # not -0 (the converter gives 0)
        "DATE": _DAY,
        "BOOLEAN": "(?:true|false)",
        # Not empty (NULL), no space at either end (stripped), no \ or tab (escaped).
        "CHARACTER": rf"(?!\s)[^\\\t\n{sep}]+(?<!\s)",
    }
    parts = []
    for column in columns:
        if column.tipe_data == "DECIMAL":
            parts.append(r"-?[0-9]+(?:\.[0-9]+)?" if column.decimal == "." else "-?[0-9]+")
        elif column.tipe_data in shapes:
            parts.append(shapes[column.tipe_data])
        else:
            return None
    return re.compile(rf"(?:{sep.join(parts)}\n)*")


def _plain_copy(batch: csvbatch.Plain, first_id: int | None) -> str:
    """COPY text of a Plain batch that _plain_pattern matched."""
    if first_id is None:
        text = batch.text
    else:
        ids = map("{}\t".format, range(first_id, first_id + len(batch.lines)))
        text = "".join(map(str.__add__, ids, batch.lines))
    return text if batch.delimiter == "\t" else text.replace(batch.delimiter, "\t")


def _per_cell(convert: Callable[[Any], str | None]) -> Callable[[Any], list[str | None]]:
    return lambda values: list(map(convert, values))


def _fit(row: list[Any], width: int, number: int) -> list[Any]:
    if len(row) < width:
        return row + [None] * (width - len(row))
    extra = [c for c in row[width:] if c not in (None, "")]
    if extra:
        raise LoadFailed([dict(message(
            "Row {row} has more values than the {columns} columns in the header "
            "(extra value: {value}).", row=number, columns=width, value=display(extra[0])[:100]),
            row=number)])
    return row[:width]


def _raise_cell_error(column: Column, index: int, values: tuple[Any, ...],
                      row_numbers: Sequence[int]) -> None:
    for position, value in enumerate(values):
        try:
            column.convert(value)
        except CellError as exc:
            row = row_numbers[position]
            if column.source in ("inferred",):
                raise _Retype(index, row, value, exc.code) from None
            if exc.code == "ambiguous_number":
                grouped, decimal = readings(value)
                raise LoadFailed([dict(message(
                    'Row {row}, column "{column}": "{value}" can be read as {grouped} or as '
                    "{decimal}, and nothing in the file tells which. Choose the decimal "
                    "separator of the file and load it again.", row=row, column=column.id,
                    value=display(value)[:100], grouped=grouped, decimal=decimal),
                    row=row, column=column.id, value=display(value)[:100])]) from None
            raise LoadFailed([dict(message(
                'Row {row}, column "{column}": {problem} (value: "{value}"; the data '
                "dictionary declares this column as {type}).",
                row=row, column=column.id, problem=exc.message,
                value=display(value)[:100], type=column.tipe_data),
                row=row, column=column.id, value=display(value)[:100])]) from None


# --- one load ----------------------------------------------------------------

def limits() -> Limits:
    size = config.max_bytes()
    return Limits(max_bytes=size, max_uncompressed=max(400 * 2**20, 8 * size),
                  max_rows=20_000_000, max_columns=1000)


def run_load(resource_id: str, path: str, filename: str | None, *, sheet: str | None = None,
             on_progress: Callable[..., None] | None = None,
             before_swap: Callable[[], None] | None = None,
             index_after_swap: bool | None = None,
             decimal_separator: str | None = None) -> LoadResult:
    """Load a file into the resource's DataStore table through a shadow table.

    `on_progress(**status_fields)` is called at each stage and every heartbeat_rows
    rows; `before_swap()` runs after the data is in the shadow, right before the swap
    (tests read the live table there). `decimal_separator` ("," or ".") is the one
    declared for the file (see plan_columns).
    """
    import time

    progress = on_progress or (lambda **_kw: None)
    after = config.index_after_swap() if index_after_swap is None else index_after_swap
    result = LoadResult()
    old = shadow.read_old_table(resource_id)
    forced_text: set[int] = set()
    may_split = True
    every = config.heartbeat_rows()
    started = time.perf_counter()
    while True:
        with open_table(path, filename, limits()) as table:
            result.format, result.sheets = table.format, list(table.sheet_names)
            if sheet is not None and sheet not in table.sheet_names:
                raise LoadFailed([message('The file has no sheet named "{sheet}".', sheet=sheet)])
            result.sheet = sheet or (table.sheet_names[0] if table.sheet_names else None)
            progress(stage="reading", sheets=result.sheets, sheet=result.sheet,
                     format=result.format)
            rows = table.rows(result.sheet)
            first = next(rows, None)
            if first is None:
                raise LoadFailed([message("The sheet is empty: no header row was found.")])
            ids = column_ids(first[1])
            sample = list(islice(rows, SAMPLE_ROWS))
            columns = plan_columns(ids, [cells for _n, cells in sample], old, forced_text,
                                   decimal_separator)
            result.columns = [c.to_dict() for c in columns]
            result.notices = [dict(message(n), notice=True) for n in table.notices] + [
                n for n in result.notices if n.get("retyped")] + [
                _ambiguous_notice(c.id, sample[c.ambiguous_at][0],
                                  sample[c.ambiguous_at][1][index])
                for index, c in enumerate(columns) if c.ambiguous_at is not None]
            progress(stage="loading", columns=result.columns, rows_loaded=0,
                     notices=result.notices)
            fields = [shadow.Field(c.id, c.datastore_type,
                                   old.comments.get(c.id) if old else None) for c in columns]
            numbers = array("q")
            last = [0]

            def on_batch(loaded: int, last: list[int] = last) -> None:
                if loaded - last[0] >= every:
                    last[0] = loaded
                    progress(rows_loaded=loaded)

            try:
                with shadow.ShadowLoad(resource_id, fields) as load:
                    load.create()
                    t0 = time.perf_counter()
                    # The cyclic GC would rescan millions of fresh cells every few batches
                    # (half of the Python time); the conversion makes no reference cycles.
                    gc_was_enabled = gc.isenabled()
                    gc.disable()
                    try:
                        split = _split_of(table, columns) if may_split else None
                        if split:
                            result.rows = _copy_in_two_children(
                                load, table, first[0], split, columns, on_batch)
                        elif USE_CHILD:
                            result.rows = _copy_in_child(
                                load, _child_batches(table, first[0], sample, rows, len(ids)),
                                columns, on_batch)
                        else:
                            try:
                                load.copy(copy_chunks(row_batches(chain(sample, rows)), columns,
                                                      numbers=numbers, on_batch=on_batch),
                                          freeze=True)
                            except (sa.exc.DataError, pg_errors.DataError) as exc:
                                raise _copy_failed(exc, numbers) from None
                            result.rows = len(numbers)
                    finally:
                        if gc_was_enabled:
                            gc.enable()
                    load.finish_copy()
                    result.timings["copy"] = time.perf_counter() - t0
                    progress(rows_loaded=result.rows, rows_total=result.rows)
                    if not after:
                        progress(stage="indexing", viewable=False)
                        t0 = time.perf_counter()
                        load.populate_full_text()
                        load.create_indexes()
                        load.analyze()
                        result.timings["index"] = time.perf_counter() - t0
                    if before_swap:
                        before_swap()
                    t0 = time.perf_counter()
                    load.swap()
                result.timings["swap"] = time.perf_counter() - t0
            except csvbatch.SplitMismatch:
                may_split = False
                log.info("load of %s restarts with one reader: the split point of the file "
                         "is not at a record boundary", resource_id)
                continue
            except _Retype as retype:
                forced_text.add(retype.index)
                if retype.code == "ambiguous_number":
                    result.notices.append({**_ambiguous_notice(
                        ids[retype.index], retype.row, retype.value), "retyped": True})
                    continue
                result.notices.append(dict(message(
                    'Column "{column}" was loaded as text: row {row} holds "{value}", which '
                    "is not a {type}; the whole load was restarted so no value is changed.",
                    column=ids[retype.index], row=retype.row,
                    value=display(retype.value)[:100],
                    type=columns[retype.index].tipe_data.lower()), retyped=True,
                    notice=True))
                log.info("load of %s restarts with column %s as text", resource_id,
                         ids[retype.index])
                continue
        break
    result.timings["load"] = time.perf_counter() - started
    if after:
        progress(stage="indexing", viewable=True)
        t0 = time.perf_counter()
        shadow.fill_full_text_live(resource_id, fields, on_batch=lambda done, total: progress(
            rows_indexed=done))
        shadow.create_indexes_live(resource_id)
        result.timings["index"] = time.perf_counter() - t0
    return result


class _NumbersFile:
    """The row number of each COPY line, as the child writes them (8 bytes a line)."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - the caller's `with`
        self.fd = self.file.fileno()

    def extend(self, numbers: Iterable[int]) -> None:
        os.write(self.fd, array("q", numbers).tobytes())

    def __len__(self) -> int:
        return os.fstat(self.fd).st_size // 8

    def __getitem__(self, index: int) -> int:
        return array("q", os.pread(self.fd, 8, index * 8))[0]


def _child_batches(table: Any, header: int, sample: list[tuple[int, list[Any]]],
                   rows: Iterator[tuple[int, list[Any]]],
                   width: int) -> Callable[[], Iterable[Batch]]:
    """What the child converts: a CSV is read again from its start in batches (csvbatch)."""
    if table.format == "csv":
        return lambda: csvbatch.CsvBatches(table.path, table.encoding, table.delimiter,
                                        table.limits, skip=header, width=width,
                                        batch_rows=BATCH_ROWS, plain=True)
    return lambda: row_batches(chain(sample, rows))


def _producer(batches: Callable[[], Iterable[Batch]], columns: list[Column],
              numbers: _NumbersFile, first_id: int = 1) -> Callable[..., tuple[int, int, int]]:
    """The child's work: (rows loaded, records read, number of the last row).

    Its COPY lines carry `_id` from `first_id` on (see ShadowLoad.copy with_id).
    """

    def produce(write: Callable[[bytes], None], count: Callable[[int], None]
                ) -> tuple[int, int, int]:
        loaded = [0]

        def counted(rows_so_far: int) -> None:
            loaded[0] = rows_so_far
            count(rows_so_far)

        source = batches()
        for text in copy_chunks(source, columns, numbers=numbers, on_batch=counted,
                                first_id=first_id):
            write(text.encode("utf-8"))
        return loaded[0], getattr(source, "records", 0), getattr(source, "last", 0)
    return produce


def _copy_in_child(load: shadow.ShadowLoad,
                   batches: Callable[[], Iterable[Batch]],
                   columns: list[Column], on_batch: Callable[[int], None]) -> int:
    """COPY what a forked child reads and converts; the number of rows loaded.

    A conversion error in the child (declared type, restart as text, unreadable
    file) is re-raised here, as is a child that died: the caller's transaction
    then rolls back and the live table stays as it was.
    """
    numbers = _NumbersFile()
    with numbers.file, pipe.ChildStream(_producer(batches, columns, numbers),
                                        on_count=on_batch) as stream:
        try:
            load.copy(stream, freeze=True, with_id=True)
        except (sa.exc.DataError, pg_errors.DataError) as exc:
            if stream.exited():  # the child stopped first: its own error explains the cut
                stream.result()
            raise _copy_failed(exc, numbers) from None
        return stream.result()[0]


def _split_of(table: Any, columns: list[Column]) -> int | None:
    """Where to cut a big CSV for two converting children, or None for one."""
    if not USE_CHILD or table.format != "csv" or \
            table.encoding not in csvbatch.SPLIT_ENCODINGS or _plain_start(table, columns):
        return None
    return csvbatch.find_split(table.path, SPLIT_MIN_BYTES, SPLIT_AT)


def _plain_start(table: Any, columns: list[Column]) -> bool:
    """Whether the file starts with lines that go to COPY unconverted (_plain_pattern).

    Then one child keeps up with PostgreSQL and a second one only takes CPU from it
    (measured: 0.6-0.7x of raw COPY with two children, 0.7-0.85x with one).
    """
    pattern = _plain_pattern(columns, table.delimiter)
    if pattern is None:
        return False
    with open(table.path, "rb") as fh:
        head = fh.read(1 << 16)
    try:
        text = head[:head.rfind(b"\n") + 1].decode(table.encoding)
    except UnicodeDecodeError:
        return False
    body = text.partition("\n")[2]  # after a one-line header (else no match: split)
    return bool(body) and '"' not in body and "\r" not in body and "\x00" not in body \
        and pattern.fullmatch(body) is not None


class _TwoNumbers:
    """Row numbers of the COPY lines of both parts (the second's shifted once known)."""

    def __init__(self, first: _NumbersFile, second: _NumbersFile) -> None:
        self.first, self.second, self.offset = first, second, 0

    def __len__(self) -> int:
        return len(self.first) + len(self.second)

    def __getitem__(self, index: int) -> int:
        head = len(self.first)
        return self.first[index] if index < head else self.second[index - head] + self.offset


def _shifted(exc: BaseException, offset: int, limits: Limits) -> BaseException:
    """An error of the second part with the file's row numbers (`offset` records before it)."""
    row = getattr(exc, "row", None)
    if isinstance(exc, LoadFailed):
        rows = [e["row"] for e in exc.errors if isinstance(e.get("row"), int)]
        row = rows[0] if rows else None
    if isinstance(row, int) and row + offset > limits.max_rows:
        # One reader would have stopped at the row limit before reaching this row.
        return csvbatch.RowProblem("too_many_rows", row).rejected(offset, limits)
    if isinstance(exc, csvbatch.RowProblem):
        return exc.rejected(offset, limits)
    if isinstance(exc, _Retype):
        return _Retype(exc.index, exc.row + offset, exc.value, exc.code)
    if isinstance(exc, LoadFailed):
        errors = []
        for error in exc.errors:
            if isinstance(error.get("row"), int):
                params = {**error["params"], "row": error["params"]["row"] + offset} \
                    if "row" in error.get("params", {}) else error["params"]
                msgid = error["msgid"]  # a variable: the extractor would take a literal as a msgid
                error = {**error, **message(msgid, **params), "row": error["row"] + offset}
            errors.append(error)
        return LoadFailed(errors)
    return exc


def _copy_in_two_children(load: shadow.ShadowLoad, table: Any, header: int, split: int,
                          columns: list[Column], on_batch: Callable[[int], None]) -> int:
    """COPY a CSV converted by two children at once: bytes [0, split) and [split, end).

    The first child's COPY text goes through a pipe as it comes; the second's is
    spooled to a temporary file, read as it grows once the first part is sent,
    in the same COPY: the rows keep the file's order and the swap stays one
    transaction (nothing commits before both children reported success). The second part counts
    its rows from 1 (it cannot know how many records precede it); its errors get
    the file's row numbers once the first part is done, and an error of the first
    part wins, as it would for one reader going from the top.
    """
    width = len(columns)

    def part(start: int, end: int | None, skip: int) -> Callable[[], Iterable[Batch]]:
        return lambda: csvbatch.CsvBatches(
            table.path, table.encoding, table.delimiter, table.limits, skip=skip,
            start=start, end=end, relative=bool(start), width=width, batch_rows=BATCH_ROWS,
            plain=True)

    counts = [0, 0]

    def counter(index: int) -> Callable[[int], None]:
        def on_count(rows: int) -> None:
            counts[index] = rows
            on_batch(counts[0] + counts[1])
        return on_count

    numbers = _TwoNumbers(_NumbersFile(), _NumbersFile())
    first = pipe.ChildStream(_producer(part(0, split, header), columns, numbers.first),
                             on_count=counter(0))
    # The second part's ids start past the first part's line count, an upper bound of
    # its records: ids keep the file's order without the children talking (gaps are fine).
    second_id = csvbatch.lines_before(table.path, split) + 1
    second = pipe.ChildStream(_producer(part(split, None, 0), columns, numbers.second,
                                        second_id), on_count=counter(1), spool=True)
    loaded = [0]

    def between() -> None:
        loaded[0], numbers.offset, _last = first.result()

    def finish() -> None:
        records = numbers.offset
        try:
            more, _records, last = second.result()
        except (csvbatch.RowProblem, _Retype, LoadFailed) as exc:
            raise _shifted(exc, records, table.limits) from None
        if more and last + records > table.limits.max_rows:
            raise csvbatch.RowProblem("too_many_rows", last).rejected(records, table.limits)
        loaded[0] += more

    # Leaving the block kills whichever child still runs (the other one failed).
    with numbers.first.file, numbers.second.file, second, first:
        stream = pipe.TwoParts(first, second, between, finish)
        try:
            load.copy(stream, freeze=True, with_id=True)
        except (sa.exc.DataError, pg_errors.DataError) as exc:
            # A child that stopped first: its own error explains the cut.
            if stream.current is first and first.exited():
                first.result()
            elif stream.current is second and second.exited():
                finish()
            raise _copy_failed(exc, numbers) from None
        return loaded[0]


def _copy_failed(exc: BaseException, numbers: Any) -> LoadFailed:
    line, column = shadow.copy_error_location(exc)
    row = numbers[line - 1] if line and line <= len(numbers) else None
    detail = str(getattr(exc, "orig", exc)).splitlines()[0]
    return LoadFailed([dict(message(
        'Row {row}, column "{column}": PostgreSQL refused the value ({detail}).',
        row=row, column=column, detail=detail), row=row, column=column)])


# --- the RQ job --------------------------------------------------------------

def _site_context() -> dict[str, Any]:
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"ignore_auth": True, "user": user["name"]}


def _file_of(resource: dict[str, Any]) -> tuple[str, str | None, Callable[[], None]]:
    """A local path to the resource's file (uploads are read in place), its name, and a cleanup."""
    url = resource.get("url") or ""
    filename = url.split("/")[-1].split("?")[0].split("#")[0] or None
    if resource.get("url_type") == "upload":
        from ckan.lib.uploader import get_resource_uploader

        path = get_resource_uploader(resource).get_path(resource["id"])
        if not os.path.exists(path):
            raise LoadFailed([message("The uploaded file of this resource is missing.")])
        # CKAN stores uploads without an extension and openpyxl refuses such paths:
        # read the file in place through a link that carries the original name.
        folder = tempfile.mkdtemp(prefix="satudata-load-")
        name = re.sub(r"[^\w.\-]", "_", filename or "data")
        link = os.path.join(folder, name)
        os.symlink(path, link)

        def cleanup() -> None:
            os.unlink(link)
            os.rmdir(folder)

        return link, filename, cleanup
    from ckanext.satudata import safe_fetch  # every server-side fetch: checked addresses

    handle, path = tempfile.mkstemp(prefix="satudata-load-")
    try:
        with os.fdopen(handle, "wb") as out:
            safe_fetch.fetch_to_file(url, out, max_bytes=config.max_bytes())
    except safe_fetch.FetchError as exc:
        os.unlink(path)
        raise LoadFailed([message(exc.msgid, **exc.params)]) from None
    except BaseException:
        os.unlink(path)
        raise
    return path, filename, lambda: os.unlink(path)


def _md5(path: str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def enqueue(resource_id: str, *, attempt: int = 1, ignore_hash: bool = False,
            note: str | None = None) -> str:
    """Queue a load of the resource; its status says "queued" before the worker can see it."""
    job_id = str(uuid.uuid4())
    notices = [dict(message(note), notice=True)] if note else []
    status.write(resource_id, job_id=job_id, stage="queued", attempt=attempt,
                 heartbeat=status.now(), queued=status.now(), rows_loaded=0, rows_total=None,
                 errors=[], notices=notices, reload_requested=False, started=None,
                 finished=None, message=None, viewable=False)
    tk.enqueue_job(load_resource, [resource_id], {"attempt": attempt, "ignore_hash": ignore_hash},
                   title=f"satudata_loader: resource {resource_id} attempt {attempt}",
                   queue="default",
                   rq_kwargs={"timeout": config.job_timeout(), "job_id": job_id})
    return job_id


def load_resource(resource_id: str, attempt: int = 1, ignore_hash: bool = False) -> None:
    """The RQ job. Never leaves the status in a running stage when it ends."""
    from rq import get_current_job

    job = get_current_job()
    job_id = job.id if job else f"direct-{uuid.uuid4()}"
    beat = Heartbeat(resource_id, job_id)
    beat.start()

    def progress(claim: bool = False, **fields: Any) -> None:
        # The first write claims the record; later ones stop if a successor took it over.
        status.write(resource_id, only_job=None if claim else job_id,
                     heartbeat=status.now(), **fields)

    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    try:
        with shadow.resource_lock(resource_id):
            progress(claim=True, job_id=job_id, stage="reading", attempt=attempt,
                     started=status.now())
            try:
                resource = tk.get_action("resource_show")(_site_context(), {"id": resource_id})
            except tk.ObjectNotFound:
                progress(stage="error", finished=status.now(), message="Resource not found",
                         errors=[message("Resource not found")])
                return

            if not config.handles(resource):
                # Became DataStore-managed after it was queued (datastore_create makes
                # the resource first and marks it afterwards): its table is the data.
                progress(stage="complete", finished=status.now())
                return
            path, filename, cleanup = _file_of(resource)
            file_hash = _md5(path)
            sheet = resource.get("satudata_sheet") or None
            separator = declared_separator(resource)
            previous = (status.read(resource_id) or {}).get("value", {})
            if (not ignore_hash and previous.get("last_loaded_hash") == file_hash
                    and previous.get("last_loaded_sheet") == sheet
                    and previous.get("last_loaded_decimal") == separator
                    and resource.get("datastore_active")):
                progress(stage="complete", finished=status.now(), notices=[dict(message(
                    "The file has not changed since the last load; nothing was reloaded."),
                    notice=True)])
                return
            result = run_load(resource_id, path, filename, sheet=sheet, on_progress=progress,
                              decimal_separator=separator)
            after_swap(resource)
            progress(stage="complete", finished=status.now(), rows_loaded=result.rows,
                     rows_total=result.rows, sheets=result.sheets, sheet=result.sheet,
                     columns=result.columns, notices=result.notices, file_hash=file_hash,
                     last_loaded_hash=file_hash, last_loaded_sheet=sheet,
                     last_loaded_decimal=separator,
                     timings={k: round(v, 3) for k, v in result.timings.items()},
                     viewable=True)
    except LoadFailed as exc:
        progress(stage="error", finished=status.now(), errors=exc.errors,
                 message=exc.errors[0]["message"] if exc.errors else None)
    except FileRejected as exc:
        errors = [dict(msgid=exc.message, params={}, message=exc.message, code=exc.code)]
        progress(stage="error", finished=status.now(), errors=errors, message=exc.message)
    except Exception as exc:
        log.exception("load of %s failed", resource_id)
        errors = [message("The load failed unexpectedly: {error}", error=str(exc)[:300])]
        progress(stage="error", finished=status.now(), errors=errors,
                 message=errors[0]["message"])
    finally:
        beat.halt.set()
        cleanup()
    current = (status.read(resource_id) or {}).get("value", {})
    if current.get("job_id") == job_id and current.get("reload_requested"):
        enqueue(resource_id, ignore_hash=True)


def after_swap(resource: dict[str, Any]) -> None:
    """What xloader does once the table is in: the resource flags, its views, IXloader hooks."""
    from ckan import plugins
    from ckanext.xloader.interfaces import IXloader
    from ckanext.xloader.utils import set_resource_metadata

    set_resource_metadata({"resource_id": resource["id"], "datastore_active": True,
                           "datastore_contains_all_records_of_source_file": True})
    context = _site_context()
    resource = tk.get_action("resource_show")(context, {"id": resource["id"]})
    package = tk.get_action("package_show")(context, {"id": resource["package_id"]})
    for plugin in plugins.PluginImplementations(IXloader):
        plugin.after_upload(context, resource, package)
    tk.get_action("resource_create_default_resource_views")(
        context, {"resource": resource, "package": package, "create_datastore_views": True})


def iter_errors(value: dict[str, Any]) -> Iterable[dict[str, Any]]:
    return value.get("errors") or []
