"""Working tables: the rows of an input package before they are published.

Each input package keeps its rows in `satudata_input."<input id>"` in the
DataStore database. That schema is not granted to the DataStore's read-only
user and no resource points at it, so neither the DataStore API nor SQL
search can read it: pending rows stay with the OPD. Publishing copies the
rows into the package's DataStore resource in one transaction, so readers
of the resource see either the old rows or the new ones, never a mix.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckanext.datastore.backend.postgres import get_write_engine

from ckanext.satudata.loader.shadow import CopyStream
from ckanext.satudata.tabular.structure import PERIOD_COLUMN, Structure

SCHEMA = "satudata_input"
ROW_ID = "_row"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table(input_id: str) -> str:
    if not _UUID.match(input_id):
        raise ValueError(f"not an input package id: {input_id!r}")
    return f"{_ident(SCHEMA)}.{_ident(input_id)}"


@contextmanager
def transaction() -> Iterator[sa.Connection]:
    with get_write_engine().begin() as conn:
        yield conn


def _existing_columns(conn: sa.Connection, input_id: str) -> dict[str, str]:
    rows = conn.execute(sa.text(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema AND c.relname = :table AND a.attnum > 0 "
        "AND NOT a.attisdropped"), {"schema": SCHEMA, "table": input_id})
    return dict(rows.all())


_PG_NAMES = {"text": "text", "int8": "bigint", "numeric": "numeric", "date": "date",
             "bool": "boolean"}


def ensure(conn: sa.Connection, input_id: str, structure: Structure) -> None:
    """Create the working table, or bring it to the structure (all or nothing).

    A column whose type changes is converted in place; values that do not fit
    the new type abort the change with an error naming the column.
    """
    table = _table(input_id)
    conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {_ident(SCHEMA)}"))
    existing = _existing_columns(conn, input_id)
    if not existing:
        columns = [f"{_ident(ROW_ID)} bigserial PRIMARY KEY",
                   f"{_ident(PERIOD_COLUMN)} text NOT NULL"]
        columns += [f"{_ident(c.id)} {c.datastore_type}" for c in structure.columns]
        conn.execute(sa.text(f"CREATE TABLE {table} ({', '.join(columns)})"))
        conn.execute(sa.text(
            f"CREATE INDEX {_ident(input_id[:8] + '_periode_idx')} ON {table} "
            f"({_ident(PERIOD_COLUMN)})"))
    else:
        wanted = {c.id: c for c in structure.columns}
        for name in existing:
            if name not in wanted and name not in (ROW_ID, PERIOD_COLUMN):
                conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {_ident(name)}"))
        for column in structure.columns:
            pg_type = _PG_NAMES[column.datastore_type]
            if column.id not in existing:
                conn.execute(sa.text(
                    f"ALTER TABLE {table} ADD COLUMN {_ident(column.id)} {pg_type}"))
            elif existing[column.id] != pg_type:
                try:
                    with conn.begin_nested():
                        conn.execute(sa.text(
                            f"ALTER TABLE {table} ALTER COLUMN {_ident(column.id)} "
                            f"TYPE {pg_type} USING {_ident(column.id)}::text::{pg_type}"))
                except sa.exc.DBAPIError as err:
                    raise tk.ValidationError({"columns": [tk._(
                        'Column "{label}": the rows already entered do not fit the type '
                        '{type}').format(label=column.label, type=column.tipe_data)]}) from err
    _ensure_key_index(conn, input_id, structure)


def _ensure_key_index(conn: sa.Connection, input_id: str, structure: Structure) -> None:
    name = input_id[:8] + "_key_idx"
    conn.execute(sa.text(f"DROP INDEX IF EXISTS {_ident(SCHEMA)}.{_ident(name)}"))
    if structure.key_ids:
        columns = ", ".join(_ident(c) for c in [PERIOD_COLUMN, *structure.key_ids])
        try:
            with conn.begin_nested():
                conn.execute(sa.text(
                    f"CREATE UNIQUE INDEX {_ident(name)} ON {_table(input_id)} ({columns})"))
        except sa.exc.IntegrityError as err:
            raise tk.ValidationError({"columns": [tk._(
                "The key columns are not unique in the rows already entered")]}) from err


def drop(conn: sa.Connection, input_id: str) -> None:
    conn.execute(sa.text(f"DROP TABLE IF EXISTS {_table(input_id)}"))


def _copy_text(value: str | None) -> str:
    if value is None:
        return "\\N"
    return (value.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def copy_rows(conn: sa.Connection, table: str, columns: Sequence[str],
              rows: Iterable[Sequence[str | None]]) -> int:
    """COPY rows (already normalised to PostgreSQL text) into `table`; returns the count."""
    cursor = conn.connection.dbapi_connection.cursor()
    names = ", ".join(_ident(c) for c in columns)
    lines = ("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", CopyStream(lines))
    return cursor.rowcount


def columns_of(structure: Structure) -> list[str]:
    return [PERIOD_COLUMN, *(c.id for c in structure.columns)]


def replace_period(conn: sa.Connection, input_id: str, structure: Structure, period: str,
                   rows: Iterable[Sequence[str | None]]) -> int:
    """The period's rows become `rows` (each starting with the period code); others stay."""
    conn.execute(sa.text(f"DELETE FROM {_table(input_id)} WHERE {_ident(PERIOD_COLUMN)} = :p"),
                 {"p": period})
    return copy_rows(conn, _table(input_id), columns_of(structure), rows)


def insert_rows(conn: sa.Connection, input_id: str, structure: Structure,
                rows: Iterable[Sequence[str | None]]) -> int:
    return copy_rows(conn, _table(input_id), columns_of(structure), rows)


def update_row(conn: sa.Connection, input_id: str, structure: Structure, row_id: int,
               row: Sequence[str | None]) -> bool:
    names = columns_of(structure)
    sets = ", ".join(f"{_ident(n)} = CAST(:v{i} AS {_cast(structure, n)})"
                     for i, n in enumerate(names))
    params = {f"v{i}": v for i, v in enumerate(row)} | {"row": row_id}
    result = conn.execute(sa.text(
        f"UPDATE {_table(input_id)} SET {sets} WHERE {_ident(ROW_ID)} = :row"), params)
    return result.rowcount == 1


def _cast(structure: Structure, name: str) -> str:
    column = structure.column(name)
    return _PG_NAMES[column.datastore_type] if column else "text"


def delete_rows(conn: sa.Connection, input_id: str, period: str, row_ids: list[int]) -> int:
    if not row_ids:
        return 0
    result = conn.execute(sa.text(
        f"DELETE FROM {_table(input_id)} WHERE {_ident(ROW_ID)} = ANY(:rows) "
        f"AND {_ident(PERIOD_COLUMN)} = :p"), {"rows": row_ids, "p": period})
    return result.rowcount


def period_counts(conn: sa.Connection, input_id: str) -> dict[str, int]:
    rows = conn.execute(sa.text(
        f"SELECT {_ident(PERIOD_COLUMN)}, count(*) FROM {_table(input_id)} "
        f"GROUP BY 1 ORDER BY 1"))
    return dict(rows.all())


def read_rows(conn: sa.Connection, input_id: str, structure: Structure, period: str, *,
              offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Rows of a period as text (as they would be exported), oldest first."""
    names = [ROW_ID, *columns_of(structure)]
    select = ", ".join(f"{_ident(n)}::text" if n != ROW_ID else _ident(n) for n in names)
    result = conn.execute(sa.text(
        f"SELECT {select} FROM {_table(input_id)} WHERE {_ident(PERIOD_COLUMN)} = :p "
        f"ORDER BY {_ident(ROW_ID)} OFFSET :o LIMIT :l"),
        {"p": period, "o": offset, "l": limit})
    return [dict(zip(names, row, strict=True)) for row in result.all()]


def keys_of_period(conn: sa.Connection, input_id: str, structure: Structure,
                   period: str) -> dict[tuple[str | None, ...], int]:
    """{key values as text: row id} of a period, for duplicate-key checks of new rows."""
    if not structure.key_ids:
        return {}
    keys = ", ".join(f"{_ident(k)}::text" for k in structure.key_ids)
    result = conn.execute(sa.text(
        f"SELECT {_ident(ROW_ID)}, {keys} FROM {_table(input_id)} "
        f"WHERE {_ident(PERIOD_COLUMN)} = :p"), {"p": period})
    return {tuple(row[1:]): row[0] for row in result.all()}


def publish(conn: sa.Connection, input_id: str, structure: Structure, resource_id: str,
            periods: list[str] | None = None) -> int:
    """Replace the rows of the DataStore resource table with the working rows (one
    transaction): of the given periods only, or all of them."""
    names = ", ".join(_ident(n) for n in columns_of(structure))
    target = _ident(resource_id)
    where, params = "", {}
    if periods is not None:
        where, params = f"WHERE {_ident(PERIOD_COLUMN)} = ANY(:periods)", {"periods": periods}
    conn.execute(sa.text(f"DELETE FROM {target} {where}"), params)
    result = conn.execute(sa.text(
        f"INSERT INTO {target} ({names}) SELECT {names} FROM {_table(input_id)} {where} "
        f"ORDER BY {_ident(PERIOD_COLUMN)}, {_ident(ROW_ID)}"), params)
    return result.rowcount
