"""Scan of DataStore tables: server-side SQL prefilter, candidates streamed in batches.

PostgreSQL counts the filled cells of every column and returns only the cells shaped like
personal data (16/18 digits, phone-like, e-mail-like); Python checks those candidates.
Rows are never all loaded: results are fetched BATCH rows at a time.

A table larger than the caller's `sample_rows` is scanned on a random sample of about that
many rows (`TABLESAMPLE BERNOULLI ... REPEATABLE`: every page is read, but the regular
expressions, the costly part, run on the sampled rows only): a column is flagged by the
share of its filled cells that hold personal data, and a sample of 20,000 rows estimates
that share within about one percentage point. `table_state` gives a fingerprint that
changes whenever the table's rows or columns change, so a result can be reused while it
stays the same.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from ckan import model
from ckanext.datastore.backend.postgres import get_read_engine, get_write_engine, identifier

from .detect import ColumnTally, Finding, findings

BATCH = 10_000
CANDIDATE = (r"^(\d{16}|\d{18}|(\+62|62|0) ?8[0-9 ().-]{7,16}"
             r"|[^@\s]+@[^@\s]+\.[A-Za-z]{2,})$")
#: Seed of the sample: the same table state gives the same sample.
SAMPLE_SEED = 14


@dataclass(frozen=True)
class Target:
    """Where a table lives: a DataStore resource's table (`public`, key `_id`, read by the
    read-only user) or a data-input working table (`satudata_input`, key `_row`, which
    only the DataStore's writing user may read)."""
    table: str
    schema: str = "public"
    key: str = "_id"
    write: bool = False

    @property
    def qualified(self) -> str:
        return f"{identifier(self.schema)}.{identifier(self.table)}"

    def engine(self) -> sa.engine.Engine:
        return get_write_engine() if self.write else get_read_engine()


@dataclass(frozen=True)
class TableState:
    """What identifies the current content of a table, and its size."""
    fingerprint: str
    rows: int


def _columns(conn: sa.engine.Connection, target: Target) -> list[str]:
    stmt = sa.text(
        "SELECT pa.attname FROM pg_class pc JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
        "JOIN pg_attribute pa ON pa.attrelid = pc.oid "
        "WHERE pn.nspname = :s AND pc.relkind = 'r' AND pc.relname = :t "
        "AND pa.attnum > 0 AND NOT pa.attisdropped "
        "AND pa.attname NOT IN (:k, '_full_text') ORDER BY pa.attnum")
    return list(conn.execute(stmt, {"s": target.schema, "t": target.table,
                                    "k": target.key}).scalars())


def columns(resource_id: str) -> list[str]:
    """The table's data columns (empty when the resource has no DataStore table)."""
    with get_read_engine().connect() as conn:
        return _columns(conn, Target(resource_id))


def table_state(target: Target | str) -> TableState | None:
    """The table's fingerprint: its oid (a reload into a new table changes it), columns,
    row count and newest row version (`xmin`: every insert and update writes a newer
    one; a delete lowers the count). One sequential read without the regular
    expressions: about half a second for a million rows. None when there is no table."""
    target = Target(target) if isinstance(target, str) else target
    with target.engine().connect() as conn:
        oid = conn.execute(sa.text(
            "SELECT pc.oid FROM pg_class pc JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
            "WHERE pn.nspname = :s AND pc.relkind = 'r' AND pc.relname = :t"),
            {"s": target.schema, "t": target.table}).scalar()
        if oid is None:
            return None
        headers = _columns(conn, target)
        count, newest = conn.execute(sa.text(
            f"SELECT count(*), max(xmin::text::bigint) FROM {target.qualified}")).one()
    digest = hashlib.sha256("\x1f".join(headers).encode()).hexdigest()[:16]
    return TableState(f"{oid}:{count}:{newest or 0}:{digest}", int(count))


def scan_table(resource_id: str, resource_name: str,
               sample_rows: int | None = None, total_rows: int | None = None,
               target: Target | None = None) -> list[Finding]:
    """Findings of one DataStore table (row numbers are the table's _id), or of the
    `target` table (row numbers from its key column).

    With `sample_rows` and a table of more rows (`total_rows`, counted when not given),
    only a random sample of about `sample_rows` rows is checked.
    """
    target = target or Target(resource_id)
    with target.engine().connect() as conn:
        headers = _columns(conn, target)
        if not headers:
            return []
        table = target.qualified
        source = table
        if sample_rows:
            if total_rows is None:
                total_rows = int(conn.execute(sa.text(f"SELECT count(*) FROM {table}"))
                                 .scalar_one())
            if total_rows > sample_rows:
                percent = max(0.01, min(100.0, 100.0 * sample_rows / total_rows))
                source = (f"{table} TABLESAMPLE BERNOULLI ({percent:.4f}) "
                          f"REPEATABLE ({SAMPLE_SEED})")
        texts = [f"NULLIF({identifier(c)}::text, '')" for c in headers]
        counts = conn.execute(sa.text(
            "SELECT " + ", ".join(f"count({t})" for t in texts) + f" FROM {source}")).one()
        tallies = [ColumnTally(filled=int(n)) for n in counts]
        cells = [f"CASE WHEN {t} ~ :p THEN {t} END" for t in texts]
        where = " OR ".join(f"{t} ~ :p" for t in texts)
        key = identifier(target.key)
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
            sa.text(f"SELECT {key}, {', '.join(cells)} FROM {source} WHERE {where} "
                    f"ORDER BY {key}"),
            {"p": CANDIDATE})
        for batch in result.partitions(BATCH):
            for row in batch:
                for index, value in enumerate(row[1:]):
                    if value is not None:
                        tallies[index].add_candidate(int(row[0]), value)
    return findings(resource_id, resource_name, headers, tallies)


def resource_of(resource_id_or_alias: str) -> model.Resource | None:
    """The active resource a DataStore write names, by its id or by an alias of its
    table (the DataStore accepts both)."""
    resource = model.Resource.get(resource_id_or_alias)
    if resource is None:
        with get_read_engine().connect() as conn:
            target = conn.execute(sa.text(
                'SELECT alias_of FROM "_table_metadata" WHERE name = :n AND alias_of '
                "IS NOT NULL"), {"n": resource_id_or_alias}).scalar()
        resource = model.Resource.get(target) if target else None
    return resource if resource is not None and resource.state == "active" else None
