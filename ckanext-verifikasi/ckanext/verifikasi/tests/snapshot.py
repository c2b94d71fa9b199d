"""Rows a set-up wrote into a clean database, written back instead of made again.

Most tests start from a clean database (CKAN's `clean_db`) and then build the same
fixture through the real actions (users, OPDs, roles, tokens): about a second each time,
most of it password hashing, validation and auth. `Snapshot.restore_or_build(build)`
builds once per configuration, keeps every row the build wrote, and for the next test
that starts from a clean database inserts those rows again (a few milliseconds). The
result is the database the build would have produced, with the same ids; a test that
does not start from a clean database gets a real build.

Sequences are left alone: they only grow, so the ids of rows made later never meet
the restored ones.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Generic, TypeVar

import sqlalchemy as sa
from ckan import model
from ckan.common import config

T = TypeVar("T")


def _tables() -> list[sa.Table]:
    """The tables CKAN's reset empties that exist, parents before children."""
    existing = set(model.Session.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
    return [t for t in model.meta.metadata.sorted_tables
            if t.name in existing and not t.name.endswith("alembic_version")]


def _filled(tables: list[sa.Table]) -> list[sa.Table]:
    """The tables holding at least one row, in one round trip."""
    if not tables:
        return []
    checks = sa.union_all(*(
        sa.select(sa.literal(i)).where(sa.exists(sa.select(sa.literal(1)).select_from(t)))
        for i, t in enumerate(tables)))
    found = set(model.Session.execute(checks).scalars())
    return [t for i, t in enumerate(tables) if i in found]


class Snapshot(Generic[T]):
    """One kind of set-up, kept per configuration (plugins and options)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[T, list[tuple[sa.Table, list[dict]]]]] = {}

    @staticmethod
    def _key() -> str:
        return repr(sorted((k, repr(v)) for k, v in config.items()))

    def restore_or_build(self, build: Callable[[], T]) -> T:
        tables = _tables()
        if _filled(tables):  # not a clean database: the rows would not be the build's
            model.Session.remove()
            return build()
        key = self._key()
        kept = self._kept.get(key)
        if kept is not None:
            result, rows = kept
            for table, values in rows:
                model.Session.execute(table.insert(), values)
            model.Session.commit()
            model.Session.remove()
            return copy.deepcopy(result)
        model.Session.remove()
        result = build()
        self._kept[key] = (copy.deepcopy(result), [
            (table, [dict(row._mapping) for row in model.Session.execute(sa.select(table))])
            for table in _filled(tables)])
        model.Session.remove()
        return result
