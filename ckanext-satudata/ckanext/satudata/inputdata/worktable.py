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
from ckanext.datastore.backend.postgres import get_write_engine, identifier
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ckanext.satudata.loader.shadow import CopyStream
from ckanext.satudata.tabular.structure import PERIOD_COLUMN, Structure

SCHEMA = "satudata_input"
ROW_ID = "_row"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SA_TYPES: dict[str, type[sa.types.TypeEngine[Any]]] = {
    "text": sa.Text, "int8": sa.BigInteger, "numeric": sa.Numeric, "date": sa.Date,
    "bool": sa.Boolean}


def _table(input_id: str, structure: Structure | None = None) -> sa.Table:
    """The working table: `_row` (bigserial key), the period and the structure's columns.

    Without a structure only `_row` and the period are declared, enough for
    statements that touch no other column.
    """
    if not _UUID.match(input_id):
        raise ValueError(f"not an input package id: {input_id!r}")
    table = sa.Table(
        input_id, sa.MetaData(),
        sa.Column(ROW_ID, sa.BigInteger, primary_key=True),  # BIGSERIAL
        sa.Column(PERIOD_COLUMN, sa.Text, nullable=False),
        *(sa.Column(c.id, _SA_TYPES[c.datastore_type]()) for c in
          (structure.columns if structure else ())),
        schema=SCHEMA)
    sa.Index(input_id[:8] + "_periode_idx", table.c[PERIOD_COLUMN])
    return table


def _name(table: sa.Table) -> str:
    return f"{identifier(SCHEMA)}.{identifier(table.name)}"


@contextmanager
def transaction() -> Iterator[Connection]:
    with get_write_engine().begin() as conn:
        yield conn


def _existing_columns(conn: Connection, table: sa.Table) -> dict[str, str]:
    """{column: PostgreSQL type in lower case} of the table in the database; {} if absent."""
    inspector = sa.inspect(conn)
    if not inspector.has_table(table.name, schema=SCHEMA):
        return {}
    return {c["name"]: c["type"].compile(dialect=conn.dialect).lower()
            for c in inspector.get_columns(table.name, schema=SCHEMA)}


_PG_NAMES = {"text": "text", "int8": "bigint", "numeric": "numeric", "date": "date",
             "bool": "boolean"}


def ensure(conn: Connection, input_id: str, structure: Structure) -> None:
    """Create the working table, or bring it to the structure (all or nothing).

    A column whose type changes is converted in place; values that do not fit
    the new type abort the change with an error naming the column.
    """
    table = _table(input_id, structure)
    name = _name(table)
    conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {identifier(SCHEMA)}"))
    existing = _existing_columns(conn, table)
    if not existing:
        table.create(conn)  # with its period index
    else:
        # ALTER TABLE has no SQLAlchemy Core construct (that is Alembic's job).
        wanted = {c.id: c for c in structure.columns}
        for column_name in existing:
            if column_name not in wanted and column_name not in (ROW_ID, PERIOD_COLUMN):
                conn.execute(sa.text(
                    f"ALTER TABLE {name} DROP COLUMN {identifier(column_name)}"))
        for column in structure.columns:
            pg_type = _PG_NAMES[column.datastore_type]
            if column.id not in existing:
                conn.execute(sa.text(
                    f"ALTER TABLE {name} ADD COLUMN {identifier(column.id)} {pg_type}"))
            elif existing[column.id] != pg_type:
                try:
                    with conn.begin_nested():
                        conn.execute(sa.text(
                            f"ALTER TABLE {name} ALTER COLUMN {identifier(column.id)} "
                            f"TYPE {pg_type} USING {identifier(column.id)}::text::{pg_type}"))
                except sa.exc.DBAPIError as err:
                    raise tk.ValidationError({"columns": [tk._(
                        'Column "{label}": the rows already entered do not fit the type '
                        '{type}').format(label=column.label, type=column.tipe_data)]}) from err
    _ensure_key_index(conn, table, structure)


def _ensure_key_index(conn: Connection, table: sa.Table, structure: Structure) -> None:
    name = table.name[:8] + "_key_idx"
    conn.execute(sa.schema.DropIndex(sa.Index(name, table.c[ROW_ID]), if_exists=True))
    if structure.key_ids:
        index = sa.Index(name, *(table.c[c] for c in [PERIOD_COLUMN, *structure.key_ids]),
                         unique=True)
        try:
            with conn.begin_nested():
                conn.execute(sa.schema.CreateIndex(index))
        except sa.exc.IntegrityError as err:
            raise tk.ValidationError({"columns": [tk._(
                "The key columns are not unique in the rows already entered")]}) from err


def drop(conn: Connection, input_id: str) -> None:
    conn.execute(sa.schema.DropTable(_table(input_id), if_exists=True))


def _copy_text(value: str | None) -> str:
    if value is None:
        return "\\N"
    return (value.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def copy_rows(conn: Connection, table: sa.Table, columns: Sequence[str],
              rows: Iterable[Sequence[str | None]]) -> int:
    """COPY rows (already normalised to PostgreSQL text) into `table`; returns the count."""
    # psycopg2's own connection: COPY is its API, not the DB-API's.
    raw: Any = conn.connection.dbapi_connection
    cursor = raw.cursor()
    names = ", ".join(identifier(c) for c in columns)
    lines = ("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    cursor.copy_expert(f"COPY {_name(table)} ({names}) FROM STDIN", CopyStream(lines))
    return cursor.rowcount


def columns_of(structure: Structure) -> list[str]:
    return [PERIOD_COLUMN, *(c.id for c in structure.columns)]


def replace_period(conn: Connection, input_id: str, structure: Structure, period: str,
                   rows: Iterable[Sequence[str | None]]) -> int:
    """The period's rows become `rows` (each starting with the period code); others stay."""
    table = _table(input_id, structure)
    conn.execute(sa.delete(table).where(table.c[PERIOD_COLUMN] == period))
    return copy_rows(conn, table, columns_of(structure), rows)


def insert_rows(conn: Connection, input_id: str, structure: Structure,
                rows: Iterable[Sequence[str | None]]) -> int:
    return copy_rows(conn, _table(input_id, structure), columns_of(structure), rows)


def update_row(conn: Connection, input_id: str, structure: Structure, row_id: int,
               row: Sequence[str | None]) -> bool:
    """Set a row's values (PostgreSQL text, cast to each column's type)."""
    table = _table(input_id, structure)
    values = {name: sa.cast(sa.literal(value, sa.Text), table.c[name].type)
              for name, value in zip(columns_of(structure), row, strict=True)}
    result = conn.execute(sa.update(table).where(table.c[ROW_ID] == row_id).values(values))
    return result.rowcount == 1


def delete_rows(conn: Connection, input_id: str, period: str, row_ids: list[int]) -> int:
    if not row_ids:
        return 0
    table = _table(input_id)
    result = conn.execute(sa.delete(table).where(
        table.c[ROW_ID] == sa.any_(sa.literal(row_ids, sa.ARRAY(sa.BigInteger))),
        table.c[PERIOD_COLUMN] == period))
    return result.rowcount


def period_counts(conn: Connection, input_id: str) -> dict[str, int]:
    table = _table(input_id)
    period = table.c[PERIOD_COLUMN]
    rows = conn.execute(sa.select(period, sa.func.count()).group_by(period).order_by(period))
    return {name: count for name, count in rows}


def _as_text(table: sa.Table, names: Sequence[str]) -> list[ColumnElement[Any]]:
    return [sa.cast(table.c[n], sa.Text).label(n) for n in names]


def read_rows(conn: Connection, input_id: str, structure: Structure, period: str, *,
              offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Rows of a period as text (as they would be exported), oldest first."""
    table = _table(input_id, structure)
    result = conn.execute(
        sa.select(table.c[ROW_ID], *_as_text(table, columns_of(structure)))
        .where(table.c[PERIOD_COLUMN] == period)
        .order_by(table.c[ROW_ID]).offset(offset).limit(limit))
    return [dict(row) for row in result.mappings()]


def keys_of_period(conn: Connection, input_id: str, structure: Structure,
                   period: str) -> dict[tuple[str | None, ...], int]:
    """{key values as text: row id} of a period, for duplicate-key checks of new rows."""
    if not structure.key_ids:
        return {}
    table = _table(input_id, structure)
    result = conn.execute(
        sa.select(table.c[ROW_ID], *_as_text(table, structure.key_ids))
        .where(table.c[PERIOD_COLUMN] == period))
    return {tuple(row[1:]): row[0] for row in result.all()}


def publish(conn: Connection, input_id: str, structure: Structure, resource_id: str,
            periods: list[str] | None = None) -> int:
    """Replace the rows of the DataStore resource table with the working rows (one
    transaction): of the given periods only, or all of them."""
    names = columns_of(structure)
    source = _table(input_id, structure)
    target = sa.table(resource_id, *(sa.column(n) for n in names))
    delete = sa.delete(target)
    select = sa.select(*(source.c[n] for n in names)).order_by(
        source.c[PERIOD_COLUMN], source.c[ROW_ID])
    if periods is not None:
        delete = delete.where(target.c[PERIOD_COLUMN] == sa.any_(sa.literal(
            periods, sa.ARRAY(sa.Text))))
        select = select.where(source.c[PERIOD_COLUMN] == sa.any_(sa.literal(
            periods, sa.ARRAY(sa.Text))))
    conn.execute(delete)
    return conn.execute(sa.insert(target).from_select(names, select)).rowcount
