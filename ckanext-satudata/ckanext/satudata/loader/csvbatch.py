"""Read a CSV straight into batches of rows for the converting child.

`tabular.read.CsvTable.rows()` yields one row at a time through two generator
layers; the loader only needs batches, so here `islice` takes thousands of
lines at a time from the decoded file. A batch of lines that csv would read
as plain split lines (no quotes, one number of fields) is split column-wise
in C; any other batch goes through `csv.reader`. The rows, their numbers and
their errors are the ones `rows()` gives: record numbers (header = its record
number), fully empty records skipped, trailing empty cells ignored, the same
row/column/size limits. Batches are `batch_rows` lines, so a batch may hold
fewer rows than that (empty or multi-line records).

A file can also be read in two parts split at a byte offset (see `find_split`):
the first part ends with a sentinel line that must come back as a record of
its own, which proves the split fell on a record boundary; the second part
numbers its records from 1 and its errors carry those relative numbers
(`RowProblem`) until the caller knows how many records the first part had.
"""
from __future__ import annotations

import csv
import io
import mmap
import os
from collections.abc import Iterator, Sequence
from itertools import chain, islice, repeat
from typing import Any

from ckanext.satudata.tabular.guard import FileRejected, Limits, _

_SENTINEL = "\x00satudata-split-end\x00"
_SENTINEL_ROW = [_SENTINEL]
# Encodings in which a 0x0A byte is always a newline (never part of another character).
SPLIT_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
_READ_SIZE = 1 << 20

class Columns(list[Sequence[str | None]]):
    """A batch given column by column (lists of cells), not row by row."""


class Plain:
    """A batch of plain lines (one record each, `width` fields) not split yet.

    The loader may send such a batch to COPY as it is (see copytext.plain_copy) when
    every cell is already what its converter would give; `columns()` splits it.
    """

    def __init__(self, lines: list[str], text: str, delimiter: str, width: int) -> None:
        self.lines, self.text, self.delimiter, self.width = lines, text, delimiter, width

    def __len__(self) -> int:
        return len(self.lines)

    def columns(self) -> Columns:
        cells = self.text.replace("\n", self.delimiter).split(self.delimiter)
        cells.pop()  # after the last newline
        width = self.width
        return Columns(cells[index::width] for index in range(width))


# (row numbers, rows): rows one list of cells each, or column by column, or plain lines.
Batch = tuple[Sequence[int], "list[list[str]] | Columns | Plain"]


class SplitMismatch(Exception):
    """The first part did not end on a record boundary (e.g. a stray quote): read it whole."""


class RowProblem(Exception):
    """A reading error at a row number relative to the part being read."""

    def __init__(self, kind: str, row: int) -> None:
        super().__init__(kind, row)
        self.kind, self.row = kind, row

    def __reduce__(self) -> tuple[Any, ...]:
        return RowProblem, (self.kind, self.row)

    def rejected(self, offset: int, limits: Limits) -> FileRejected:
        """The FileRejected tabular.read raises for this problem, at the absolute row."""
        row = self.row + offset
        if self.kind == "too_many_rows":
            return FileRejected("too_many_rows", _(
                "The sheet has more than {limit} rows.").format(limit=limits.max_rows))
        if self.kind == "too_many_columns":
            return FileRejected("too_many_columns", _(
                "Row {row} has more than {limit} columns.").format(
                row=row, limit=limits.max_columns))
        if self.kind == "cell_too_large":
            return FileRejected("cell_too_large", _(
                "A cell in row {row} is longer than {limit} characters.").format(
                row=row, limit=csv.field_size_limit()))
        return FileRejected("corrupt", _("Row {row} cannot be read as CSV.").format(row=row))


class _Range(io.RawIOBase):
    """Bytes [start, end) of a file."""

    def __init__(self, path: str, start: int, end: int | None) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        self.pos = start
        self.end = os.fstat(self.fd).st_size if end is None else end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), self.end - self.pos)
        if size <= 0:
            return 0
        data = os.pread(self.fd, size, self.pos)
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
        super().close()


def _count(data: mmap.mmap, byte: bytes, start: int, end: int) -> int:
    """data.count(byte, start, end) in 8 MB slices (mmap has no count before Python 3.12)."""
    return sum(data[at:min(at + (8 << 20), end)].count(byte)
               for at in range(start, end, 8 << 20))


def lines_before(path: str, offset: int) -> int:
    """The number of newlines in the file's first `offset` bytes."""
    if offset <= 0:
        return 0
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return _count(data, b"\n", 0, min(offset, len(data)))


def find_split(path: str, min_bytes: int, fraction: float = 0.5) -> int | None:
    """A byte offset near `fraction` of the file that starts a line outside quotes, or None.

    CSV escapes a quote by doubling it, so an even number of quotes before a
    newline means the newline ends a record (the first part's sentinel checks
    it for files with stray quotes). mmap: the file is never read into memory.
    """
    size = os.path.getsize(path)
    if size < min_bytes:
        return None
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        middle = int(size * fraction)
        limit = middle + (size - middle) // 2
        quotes = _count(data, b'"', 0, middle)
        at = middle
        while True:
            newline = data.find(b"\n", at, limit)
            if newline < 0:
                return None
            quotes += _count(data, b'"', at, newline)
            at = newline + 1
            if quotes % 2 == 0:
                return at if at < size else None


class CsvBatches:
    """(row numbers, rows) of `batch_rows` non-empty records each, after `skip` records.

    `start`/`end` read a part of the file (byte offsets at line starts); with
    `end` the part must end on a record boundary, else SplitMismatch. With
    `relative` the errors are RowProblem (row numbers from the part's start)
    and the row limit is left to the caller. `records` counts the records read
    and `last` is the number of the last row given, as the iteration goes.
    """

    def __init__(self, path: str, encoding: str, delimiter: str, limits: Limits, *,
                 skip: int = 0, start: int = 0, end: int | None = None,
                 relative: bool = False, width: int, batch_rows: int,
                 plain: bool = False) -> None:
        self.path, self.delimiter, self.limits = path, delimiter, limits
        # The BOM is at the file's start only.
        self.encoding = "utf-8" if start and encoding == "utf-8-sig" else encoding
        self.skip, self.start, self.end, self.relative = skip, start, end, relative
        self.width, self.batch_rows = width, batch_rows
        # plain: a batch of plain lines with the header's width comes as Plain, unsplit.
        self.plain = plain
        self.records = self.last = 0

    def __iter__(self) -> Iterator[Batch]:
        raw = _Range(self.path, self.start, self.end)
        with io.TextIOWrapper(io.BufferedReader(raw, _READ_SIZE), encoding=self.encoding,
                              newline="") as text:
            # A part that ends before the file does gets a sentinel line (see _read).
            lines = chain(text, [_SENTINEL + "\n"]) if self.end is not None else chain(text)
            yield from self._read(lines)

    def _read(self, source: Iterator[str]) -> Iterator[Batch]:
        limits, relative, delimiter = self.limits, self.relative, self.delimiter
        sentinel, width, batch_rows = self.end is not None, self.width, self.batch_rows
        max_columns = limits.max_columns
        max_rows = None if relative else limits.max_rows
        read = 0  # records read so far (numbers are 1-based record counts, as in read.py)

        def problem(kind: str, row: int) -> Exception:
            return RowProblem(kind, row) if relative else RowProblem(kind, row).rejected(0, limits)

        def parse(lines: list[str], records: list[list[str]]) -> None:
            """csv records from `lines` (and the source, to finish a record they open)."""
            reader = csv.reader(chain(lines, source), delimiter=delimiter)
            try:
                if self.skip and not read:
                    records.extend(islice(reader, self.skip))
                    return
                for record in reader:
                    records.append(record)
                    if reader.line_num >= len(lines):
                        return
            except csv.Error as exc:
                row = read + len(records) + 1
                if "field larger than field limit" in str(exc):
                    raise problem("cell_too_large", row) from None
                raise problem("corrupt", row) from None

        if self.skip:
            header: list[list[str]] = []
            parse([], header)
            if len(header) < self.skip:
                raise SplitMismatch("the header is not in the first part")
            read = self.records = self.skip
        done = False
        while not done:
            lines = list(islice(source, batch_rows))
            done = len(lines) < batch_rows
            columns = self._columns(lines)
            if columns is not None:  # one record a line, none empty
                numbers: Sequence[int] = range(read + 1, read + 1 + len(lines))
                read = self.records = read + len(lines)
                self.last = numbers[-1]
                if max_rows is not None and self.last > max_rows:
                    raise problem("too_many_rows", self.last)
                yield numbers, columns
                continue
            records: list[list[str]] = []
            parse(lines, records)
            if sentinel and records and records[-1] == _SENTINEL_ROW:
                records.pop()
                done = True
            elif done and sentinel:  # the sentinel was swallowed by an open quoted field
                raise SplitMismatch("the first part did not end on a record boundary")
            first, read = read + 1, read + len(records)
            self.records = read
            if all(map(any, records)):  # no empty record: the numbers are a plain range
                numbers = range(first, read + 1)
                rows = records
            else:
                numbers = [first + i for i, r in enumerate(records) if any(r)]
                rows = [r for r in records if any(r)]
            if not rows:
                continue
            self.last = numbers[-1]
            if max_rows is not None and self.last > max_rows:
                raise problem("too_many_rows", self.last)
            for index, row in enumerate(rows):
                if len(row) > width:  # trailing empty cells do not count (read.py trims them)
                    rows[index] = row = _trim(row)
                    if len(row) > max_columns:
                        raise problem("too_many_columns", numbers[index])
            yield numbers, rows

    def _columns(self, lines: list[str]) -> Columns | Plain | None:
        """The columns of lines that csv would read as plain split lines, else None.

        No quote, CR or NUL anywhere, the same number of fields on every line, no
        line of empty fields only, no line longer than csv's field limit: then
        each line is one record and splitting the joined text gives the cells
        column-wise without building a list per row. Fields past the header's
        width must be empty (read.py trims them); missing ones are None.
        """
        if not lines:
            return None
        text = "".join(lines)
        delimiter, width = self.delimiter, self.width
        if '"' in text or "\r" in text or "\x00" in text:
            return None
        counts = set(map(str.count, lines, repeat(delimiter)))
        if len(counts) != 1:
            return None
        fields = counts.pop() + 1
        if min(map(len, lines)) <= fields or max(map(len, lines)) > csv.field_size_limit():
            return None
        if self.plain and fields == width and text[-1] == "\n":
            return Plain(lines, text, delimiter, width)
        cells = text.replace("\n", delimiter).split(delimiter)
        if text[-1] == "\n":
            cells.pop()
        if any(any(cells[index::fields]) for index in range(width, fields)):
            return None  # a value past the header: the row by row path reports it
        columns = Columns(cells[index::fields] for index in range(min(width, fields)))
        columns.extend([None] * len(lines) for _i in range(width - fields))
        return columns


def _trim(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]
