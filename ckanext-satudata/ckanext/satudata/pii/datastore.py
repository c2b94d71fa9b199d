"""Scan of DataStore tables: server-side SQL prefilter, candidates streamed in batches.

PostgreSQL counts the filled cells of every column and returns only the cells shaped like
personal data (16/18 digits, phone-like, e-mail-like); Python checks those candidates.
Rows are never all loaded: results are fetched BATCH rows at a time.
"""
from __future__ import annotations

import sqlalchemy as sa
from ckanext.datastore.backend.postgres import get_read_engine, identifier

from .detect import ColumnTally, Finding, findings

BATCH = 10_000
CANDIDATE = (r"^(\d{16}|\d{18}|(\+62|62|0) ?8[0-9 ().-]{7,16}"
             r"|[^@\s]+@[^@\s]+\.[A-Za-z]{2,})$")


def _columns(conn: sa.engine.Connection, table: str) -> list[str]:
    stmt = sa.text(
        "SELECT pa.attname FROM pg_class pc JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
        "JOIN pg_attribute pa ON pa.attrelid = pc.oid "
        "WHERE pn.nspname = 'public' AND pc.relkind = 'r' AND pc.relname = :t "
        "AND pa.attnum > 0 AND NOT pa.attisdropped "
        "AND pa.attname NOT IN ('_id', '_full_text') ORDER BY pa.attnum")
    return list(conn.execute(stmt, {"t": table}).scalars())


def scan_table(resource_id: str, resource_name: str) -> list[Finding]:
    """Findings of one DataStore table (row numbers are the table's _id)."""
    with get_read_engine().connect() as conn:
        headers = _columns(conn, resource_id)
        if not headers:
            return []
        table = identifier(resource_id)
        texts = [f"NULLIF({identifier(c)}::text, '')" for c in headers]
        counts = conn.execute(sa.text(
            "SELECT " + ", ".join(f"count({t})" for t in texts) + f" FROM {table}")).one()
        tallies = [ColumnTally(filled=int(n)) for n in counts]
        cells = [f"CASE WHEN {t} ~ :p THEN {t} END" for t in texts]
        where = " OR ".join(f"{t} ~ :p" for t in texts)
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
            sa.text(f"SELECT _id, {', '.join(cells)} FROM {table} WHERE {where} ORDER BY _id"),
            {"p": CANDIDATE})
        for batch in result.partitions(BATCH):
            for row in batch:
                for index, value in enumerate(row[1:]):
                    if value is not None:
                        tallies[index].add_candidate(int(row[0]), value)
    return findings(resource_id, resource_name, headers, tallies)
