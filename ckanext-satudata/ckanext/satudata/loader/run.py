"""One load: read a file, convert every cell, COPY into a shadow table, swap it in.

The steps of run_load: open the sheet and plan its columns (loader.columns), fill
a shadow table (loader.children converts, loader.copytext makes the COPY text),
swap, and index (on the shadow before the swap, or on the live table after it).
A column whose guessed type a value does not fit restarts the load with it as
text; a big CSV whose split point is not a record boundary restarts with one
reader. Either way nothing has been swapped in yet.
"""
from __future__ import annotations

import gc
import logging
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

import sqlalchemy as sa
from psycopg2 import errors as pg_errors

from ckanext.satudata.loader import children, config, copytext, csvbatch, shadow
from ckanext.satudata.loader.columns import Column, ambiguous_notice, column_ids, plan_columns
from ckanext.satudata.loader.errors import LoadFailed, Retype, message
from ckanext.satudata.tabular.guard import Limits
from ckanext.satudata.tabular.read import CsvTable, TableFile, open_table
from ckanext.satudata.tabular.sheets import data_sheet
from ckanext.satudata.tabular.values import display

log = logging.getLogger(__name__)

SAMPLE_ROWS = 1000

Progress = Callable[..., None]
Row = tuple[int, list[Any]]


@dataclass
class LoadResult:
    rows: int = 0
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    format: str | None = None
    columns: list[dict[str, str]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Plan:
    """One attempt's reading of the sheet: header, sample, the rows still to read, columns."""

    header: int  # the header's row number
    ids: list[str]
    sample: list[Row]
    rows: Iterator[Row]
    columns: list[Column]
    fields: list[shadow.Field]


def limits() -> Limits:
    size = config.max_bytes()
    return Limits(max_bytes=size, max_uncompressed=max(400 * 2**20, 8 * size),
                  max_rows=20_000_000, max_columns=1000)


def _no_progress(**_fields: Any) -> None:
    pass


def run_load(resource_id: str, path: str, filename: str | None, *, sheet: str | None = None,
             on_progress: Progress | None = None,
             before_swap: Callable[[], None] | None = None,
             index_after_swap: bool | None = None,
             decimal_separator: str | None = None) -> LoadResult:
    """Load a file into the resource's DataStore table through a shadow table.

    `on_progress(**status_fields)` is called at each stage and every heartbeat_rows
    rows; `before_swap()` runs after the data is in the shadow, right before the swap
    (tests read the live table there). `decimal_separator` ("," or ".") is the one
    declared for the file (see columns.plan_columns).
    """
    progress = on_progress or _no_progress
    after = config.index_after_swap() if index_after_swap is None else index_after_swap
    result = LoadResult()
    old = shadow.read_old_table(resource_id)
    forced_text: set[int] = set()
    may_split = True
    started = time.perf_counter()
    while True:
        with open_table(path, filename, limits()) as table:
            plan = _plan(table, sheet, old, forced_text, decimal_separator, result, progress)
            try:
                _fill_and_swap(resource_id, table, plan, result, progress, may_split=may_split,
                               index_in_shadow=not after, before_swap=before_swap)
            except csvbatch.SplitMismatch:
                may_split = False
                log.info("load of %s restarts with one reader: the split point of the file "
                         "is not at a record boundary", resource_id)
                continue
            except Retype as retype:
                forced_text.add(retype.index)
                result.notices.append(_retyped_notice(resource_id, retype, plan.columns))
                continue
        break
    result.timings["load"] = time.perf_counter() - started
    if after:
        _index_live(resource_id, plan.fields, result, progress)
    return result


def _open_sheet(table: TableFile, sheet: str | None, result: LoadResult,
                progress: Progress) -> Iterator[Row]:
    """The rows of the sheet asked for (else the first one that looks like data, see
    tabular.sheets.data_sheet); the result names it."""
    result.format, result.sheets = table.format, list(table.sheet_names)
    if sheet is not None and sheet not in table.sheet_names:
        raise LoadFailed([message('The file has no sheet named "{sheet}".', sheet=sheet)])
    result.sheet = sheet or data_sheet(table)
    progress(stage="reading", sheets=result.sheets, sheet=result.sheet, format=result.format)
    return table.rows(result.sheet)


def _plan(table: TableFile, sheet: str | None, old: shadow.OldTable | None,
          forced_text: set[int], decimal_separator: str | None, result: LoadResult,
          progress: Progress) -> _Plan:
    """Read the header and a sample, plan the columns; the result gets columns and notices."""
    rows = _open_sheet(table, sheet, result, progress)
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
        ambiguous_notice(c.id, sample[c.ambiguous_at][0], sample[c.ambiguous_at][1][index])
        for index, c in enumerate(columns) if c.ambiguous_at is not None]
    if sheet is None and len(result.sheets) > 1:
        result.notices.insert(0, dict(message(
            'The file has {n} sheets; the sheet "{sheet}" was read because it is the first '
            "one that looks like data (a header row followed by rows of values). If the "
            "data is on another sheet, choose it below.", n=len(result.sheets),
            sheet=result.sheet), notice=True, sheet_auto=True))
    progress(stage="loading", columns=result.columns, rows_loaded=0, notices=result.notices)
    fields = [shadow.Field(c.id, c.datastore_type, old.comments.get(c.id) if old else None)
              for c in columns]
    return _Plan(first[0], ids, sample, rows, columns, fields)


def _batch_progress(progress: Progress) -> Callable[[int], None]:
    """Reports rows_loaded every heartbeat_rows rows."""
    every = config.heartbeat_rows()
    last = [0]

    def on_batch(loaded: int) -> None:
        if loaded - last[0] >= every:
            last[0] = loaded
            progress(rows_loaded=loaded)

    return on_batch


def _fill_and_swap(resource_id: str, table: TableFile, plan: _Plan, result: LoadResult,
                   progress: Progress, *, may_split: bool, index_in_shadow: bool,
                   before_swap: Callable[[], None] | None) -> None:
    """COPY every row into a new shadow table, index it if asked, and swap it in."""
    with shadow.ShadowLoad(resource_id, plan.fields) as load:
        load.create()
        t0 = time.perf_counter()
        result.rows = _copy_rows(load, table, plan, _batch_progress(progress),
                                 may_split=may_split)
        load.finish_copy()
        result.timings["copy"] = time.perf_counter() - t0
        progress(rows_loaded=result.rows, rows_total=result.rows)
        if index_in_shadow:
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


def _copy_rows(load: shadow.ShadowLoad, table: TableFile, plan: _Plan,
               on_batch: Callable[[int], None], *, may_split: bool) -> int:
    """COPY the rows (two children, one child, or this process); the number of rows loaded."""
    # The cyclic GC would rescan millions of fresh cells every few batches
    # (half of the Python time); the conversion makes no reference cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if may_split and isinstance(table, CsvTable):
            split = children.split_of(table, plan.columns)
            if split:
                return children.copy_in_two_children(load, table, plan.header, split,
                                                     plan.columns, on_batch)
        if children.USE_CHILD:
            batches = children.child_batches(table, plan.header, plan.sample, plan.rows,
                                             len(plan.ids))
            return children.copy_in_child(load, batches, plan.columns, on_batch)
        return _copy_here(load, plan, on_batch)
    finally:
        if gc_was_enabled:
            gc.enable()


def _copy_here(load: shadow.ShadowLoad, plan: _Plan, on_batch: Callable[[int], None]) -> int:
    """COPY converted in this process (no fork on this platform)."""
    numbers = array("q")
    chunks = copytext.copy_chunks(copytext.row_batches(chain(plan.sample, plan.rows)),
                                  plan.columns, numbers=numbers, on_batch=on_batch)
    try:
        load.copy(chunks, freeze=True)
    except (sa.exc.DataError, pg_errors.DataError) as exc:
        raise copytext.copy_failed(exc, numbers) from None
    return len(numbers)


def _retyped_notice(resource_id: str, retype: Retype, columns: list[Column]) -> dict[str, Any]:
    """The notice of a column the load restarts with as text."""
    column = columns[retype.index]
    if retype.code == "ambiguous_number":
        return {**ambiguous_notice(column.id, retype.row, retype.value), "retyped": True}
    log.info("load of %s restarts with column %s as text", resource_id, column.id)
    return dict(message(
        'Column "{column}" was loaded as text: row {row} holds "{value}", which '
        "is not a {type}; the whole load was restarted so no value is changed.",
        column=column.id, row=retype.row, value=display(retype.value)[:100],
        type=column.tipe_data.lower()), retyped=True, notice=True)


def _index_live(resource_id: str, fields: list[shadow.Field], result: LoadResult,
                progress: Progress) -> None:
    """Full text and indexes of the swapped-in table (index_after_swap: readable meanwhile)."""
    progress(stage="indexing", viewable=True)
    t0 = time.perf_counter()
    shadow.fill_full_text_live(resource_id, fields, on_batch=lambda done, _total: progress(
        rows_indexed=done))
    shadow.create_indexes_live(resource_id)
    result.timings["index"] = time.perf_counter() - t0
