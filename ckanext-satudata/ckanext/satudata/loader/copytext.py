"""Rows to PostgreSQL's COPY text format, converted column by column, in batches.

Runs in the converting child (loader.children) or, without fork, in the job itself.
A cell that does not convert raises Retype (a guessed column: the load restarts
with it as text) or LoadFailed (a declared column: the row and column named).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, Protocol

from ckanext.satudata.loader import csvbatch, shadow
from ckanext.satudata.loader.columns import Column
from ckanext.satudata.loader.errors import LoadFailed, Retype, message
from ckanext.satudata.tabular.values import CellError, display, readings

BATCH_ROWS = 5000
_NULL = "\\N"
_SPECIALS = ("\\", "\t", "\n", "\r")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

# (row numbers, rows): rows as lists of cells, column by column, or plain CSV lines.
Batch = tuple[Sequence[int], "Sequence[Sequence[Any]] | csvbatch.Plain"]


class NumberSink(Protocol):
    """Where copy_chunks records the file's row number of each COPY line."""

    def extend(self, numbers: Iterable[int], /) -> None: ...


class RowNumbers(Protocol):
    """The file's row number of each COPY line, by line (0-based)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int, /) -> int: ...


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
                columns: list[Column], *, numbers: NumberSink,
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
                plain_lines[cells.delimiter] = plain_pattern(columns, cells.delimiter)
            pattern = plain_lines[cells.delimiter]
            if pattern is not None and pattern.fullmatch(cells.text):
                loaded += len(row_numbers)
                yield plain_copy(cells, None if first_id is None
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


def plain_pattern(columns: list[Column], delimiter: str) -> re.Pattern[str] | None:
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


def plain_copy(batch: csvbatch.Plain, first_id: int | None) -> str:
    """COPY text of a Plain batch that plain_pattern matched."""
    if first_id is None:
        text = batch.text
    else:
        ids = map("{}\t".format, range(first_id, first_id + len(batch.lines)))
        text = "".join(map(str.__add__, ids, batch.lines))
    return text if batch.delimiter == "\t" else text.replace(batch.delimiter, "\t")


def _per_cell(convert: Callable[[Any], str | None]) -> Callable[[Any], list[str | None]]:
    return lambda values: list(map(convert, values))


def _fit(row: Sequence[Any], width: int, number: int) -> list[Any]:
    """The row at the header's width: padded with None, or cut if only empty cells go."""
    if len(row) < width:
        return [*row, *[None] * (width - len(row))]
    extra = [c for c in row[width:] if c not in (None, "")]
    if extra:
        raise LoadFailed([dict(message(
            "Row {row} has more values than the {columns} columns in the header "
            "(extra value: {value}).", row=number, columns=width, value=display(extra[0])[:100]),
            row=number)])
    return list(row[:width])


def _raise_cell_error(column: Column, index: int, values: Sequence[Any],
                      row_numbers: Sequence[int]) -> None:
    for position, value in enumerate(values):
        try:
            column.convert(value)
        except CellError as exc:
            row = row_numbers[position]
            if column.source in ("inferred",):
                raise Retype(index, row, value, exc.code) from None
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


def copy_failed(exc: BaseException, numbers: RowNumbers) -> LoadFailed:
    """The COPY error as a status message naming the file's row (`numbers`: row of each line)."""
    line, column = shadow.copy_error_location(exc)
    row = numbers[line - 1] if line and line <= len(numbers) else None
    detail = str(getattr(exc, "orig", exc)).splitlines()[0]
    return LoadFailed([dict(message(
        'Row {row}, column "{column}": PostgreSQL refused the value ({detail}).',
        row=row, column=column, detail=detail), row=row, column=column)])
