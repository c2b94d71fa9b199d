"""The converting children: a forked process reads and converts, the job only COPYs.

PostgreSQL's COPY and the conversion then use both cores. A big CSV is converted
by two children at once, one for each half, in the file's order. Whatever a
child raises (a declared type refused, a column to retype, an unreadable file) or
a child that dies is re-raised in the job: its transaction rolls back and the
live table stays as it was.
"""
from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

import sqlalchemy as sa
from psycopg2 import errors as pg_errors

from ckanext.satudata.loader import copytext, csvbatch, pipe, shadow
from ckanext.satudata.loader.columns import Column
from ckanext.satudata.loader.copytext import BATCH_ROWS, Batch, copy_failed
from ckanext.satudata.loader.errors import LoadFailed, Retype, message
from ckanext.satudata.tabular.guard import Limits
from ckanext.satudata.tabular.read import CsvTable, TableFile

# Convert in a forked child so PostgreSQL's COPY and the conversion use both cores.
USE_CHILD = hasattr(os, "fork")
# A CSV this big is converted by two children, one for each half (the file's order is kept).
SPLIT_MIN_BYTES = 8 << 20
SPLIT_AT = 0.5  # where the first child's part ends (fraction of the bytes)


class NumbersFile:
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


def child_batches(table: TableFile, header: int, sample: list[tuple[int, list[Any]]],
                  rows: Iterator[tuple[int, list[Any]]],
                  width: int) -> Callable[[], Iterable[Batch]]:
    """What the child converts: a CSV is read again from its start in batches (csvbatch)."""
    if isinstance(table, CsvTable):
        csv_table = table
        return lambda: csvbatch.CsvBatches(csv_table.path, csv_table.encoding,
                                           csv_table.delimiter, csv_table.limits, skip=header,
                                           width=width, batch_rows=BATCH_ROWS, plain=True)
    return lambda: copytext.row_batches(chain(sample, rows))


def _producer(batches: Callable[[], Iterable[Batch]], columns: list[Column],
              numbers: NumbersFile, first_id: int = 1) -> Callable[..., tuple[int, int, int]]:
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
        for text in copytext.copy_chunks(source, columns, numbers=numbers, on_batch=counted,
                                         first_id=first_id):
            write(text.encode("utf-8"))
        return loaded[0], getattr(source, "records", 0), getattr(source, "last", 0)
    return produce


def copy_in_child(load: shadow.ShadowLoad,
                  batches: Callable[[], Iterable[Batch]],
                  columns: list[Column], on_batch: Callable[[int], None]) -> int:
    """COPY what a forked child reads and converts; the number of rows loaded.

    A conversion error in the child (declared type, restart as text, unreadable
    file) is re-raised here, as is a child that died: the caller's transaction
    then rolls back and the live table stays as it was.
    """
    numbers = NumbersFile()
    with numbers.file, pipe.ChildStream(_producer(batches, columns, numbers),
                                        on_count=on_batch) as stream:
        try:
            load.copy(stream, freeze=True, with_id=True)
        except (sa.exc.DataError, pg_errors.DataError) as exc:
            if stream.exited():  # the child stopped first: its own error explains the cut
                stream.result()
            raise copy_failed(exc, numbers) from None
        return stream.result()[0]


def split_of(table: CsvTable, columns: list[Column]) -> int | None:
    """Where to cut a big CSV for two converting children, or None for one."""
    if not USE_CHILD or \
            table.encoding not in csvbatch.SPLIT_ENCODINGS or _plain_start(table, columns):
        return None
    return csvbatch.find_split(table.path, SPLIT_MIN_BYTES, SPLIT_AT)


def _plain_start(table: CsvTable, columns: list[Column]) -> bool:
    """Whether the file starts with lines that go to COPY unconverted (copytext.plain_pattern).

    Then one child keeps up with PostgreSQL and a second one only takes CPU from it
    (measured: 0.6-0.7x of raw COPY with two children, 0.7-0.85x with one).
    """
    pattern = copytext.plain_pattern(columns, table.delimiter)
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

    def __init__(self, first: NumbersFile, second: NumbersFile) -> None:
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
    if isinstance(exc, Retype):
        return Retype(exc.index, exc.row + offset, exc.value, exc.code)
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


def copy_in_two_children(load: shadow.ShadowLoad, table: CsvTable, header: int, split: int,
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

    numbers = _TwoNumbers(NumbersFile(), NumbersFile())
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
        except (csvbatch.RowProblem, Retype, LoadFailed) as exc:
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
            raise copy_failed(exc, numbers) from None
        return loaded[0]
