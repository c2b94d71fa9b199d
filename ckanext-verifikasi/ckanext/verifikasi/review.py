"""What an update of a published dataset changes: the evidence on the review page.

Metadata: the live dataset against its published snapshot (`PublishedSnapshot`),
field by field. Data: each DataStore table against its kept published copy
(`<resource id>_terbit`, see published_data), in SQL and set-based.

How rows are compared (one statement per table, no query per row):

* Only the data columns count: `_id` and `_full_text` are the DataStore's own and
  differ between the two copies. Both sides are projected on the union of their
  columns, cast to text (a column missing on one side is NULL there), so a column
  added, dropped or retyped by a reload still compares.
* Both copies are read once, together (UNION ALL), and grouped by the whole row with
  how often it occurs in each copy (hashed, no sort of the tables): a row the live
  copy has more often is added or changed, one the published copy has more often
  removed or changed; a duplicated row counts as often as it occurs (the multiset
  difference, as `EXCEPT ALL` gives it, in one pass instead of two sorts).
* The two differences are paired on the row's key with a FULL JOIN (the n-th row of
  a key on one side with the n-th on the other): a pair is a changed row, a row
  without partner is added or removed. The key is the table's unique index (the
  DataStore `primary_key`) when it has one; otherwise its non-numeric columns (codes,
  names, periods: the dimensions of a statistical table, whose numeric columns are
  the values). A table with no such split (all numeric, or all text) has no key:
  a changed row then shows as one removed and one added.
* The period of a row is the first column named like a period (`periode`, `tahun`,
  ...): counts are given per period.

The caller checks that the viewer may see the dataset's unpublished work (its team)
before calling anything here: these functions read the tables as the DataStore's
read-only user and do not check access.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from ckanext.datastore.backend.postgres import get_read_engine
from sqlalchemy.sql.expression import ColumnElement, Select, Subquery

from ckanext.verifikasi import published_data

#: Column names taken as the period of a row, in order of preference.
PERIOD_NAMES = ("periode", "tahun", "period", "year", "tahun_data", "bulan", "tanggal")
#: PostgreSQL types of value columns (never part of the heuristic key).
NUMERIC_TYPES = frozenset({"int2", "int4", "int8", "float4", "float8", "numeric", "money"})
#: The DataStore's own columns.
SYSTEM_COLUMNS = frozenset({"_id", "_full_text"})
KINDS = ("added", "changed", "removed")

#: Dataset keys that are not the operator's metadata (bookkeeping, derived or shown
#: elsewhere on the page).
IGNORED_FIELDS = frozenset({
    "id", "metadata_modified", "metadata_created", "revision_id", "num_resources",
    "num_tags", "resources", "organization", "tracking_summary", "relationships_as_object",
    "relationships_as_subject", "state", "private", "creator_user_id", "owner_org",
    "isopen", "license_url", "license_title", "type", "tags", "groups", "extras",
    "_ckan_phase", "_form_page",
})


# Metadata -----------------------------------------------------------------------------

def _comparable(value: Any) -> Any:
    """A value as compared: empty values are equal; JSON text of a list is the list."""
    if value in (None, "", [], {}):
        return None
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return _comparable(json.loads(value))
        except ValueError:
            return value
    return value


def display(value: Any) -> str:
    """A stored value as one readable text (lists joined, repeating rows one a line)."""
    value = _comparable(value)
    if value is None:
        return ""
    if isinstance(value, list):
        if all(isinstance(v, dict) for v in value):
            return "\n".join(display(v) for v in value)
        return ", ".join(display(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display(v)}" for k, v in value.items()
                         if _comparable(v) is not None)
    return str(value)


def _names(items: Any) -> list[str]:
    return sorted(str(i.get("name") or i.get("id")) for i in items or [] if isinstance(i, dict))


def metadata_changes(published: dict[str, Any], live: dict[str, Any]) -> list[dict[str, Any]]:
    """The metadata fields whose value differs between the published and the live
    dataset: [{field, before, after}] with display texts, in the live dataset's key
    order (the schema's order when it comes from package_show), then removed keys.
    Tags and groups compare by name; resources are compared by `resource_changes`."""
    keys = [k for k in live if k not in IGNORED_FIELDS]
    keys += [k for k in published if k not in IGNORED_FIELDS and k not in live]
    changes = []
    for key in keys:
        before, after = _comparable(published.get(key)), _comparable(live.get(key))
        if before != after:
            changes.append({"field": key, "before": display(before), "after": display(after)})
    for key in ("tags", "groups"):
        before_names, after_names = _names(published.get(key)), _names(live.get(key))
        if before_names != after_names:
            changes.append({"field": key, "before": ", ".join(before_names),
                            "after": ", ".join(after_names)})
    return changes


RESOURCE_FIELDS = ("name", "description", "format", "url")


def resource_changes(published: dict[str, Any], live: dict[str, Any]) -> list[dict[str, Any]]:
    """Resources added, removed or changed (name, description, format, URL):
    [{id, name, change: added|removed|changed, fields: [{field, before, after}]}]."""
    before = {r["id"]: r for r in published.get("resources") or []}
    after = {r["id"]: r for r in live.get("resources") or []}
    out = []
    for rid, res in after.items():
        if rid not in before:
            out.append({"id": rid, "name": res.get("name") or rid, "change": "added",
                        "fields": []})
            continue
        fields = [{"field": f, "before": display(before[rid].get(f)),
                   "after": display(res.get(f))}
                  for f in RESOURCE_FIELDS
                  if _comparable(before[rid].get(f)) != _comparable(res.get(f))]
        if fields:
            out.append({"id": rid, "name": res.get("name") or rid, "change": "changed",
                        "fields": fields})
    out += [{"id": rid, "name": res.get("name") or rid, "change": "removed", "fields": []}
            for rid, res in before.items() if rid not in after]
    return out


# DataStore tables ---------------------------------------------------------------------

@dataclass
class TableLayout:
    """The two copies of a table as the comparison sees them."""
    resource_id: str
    live: dict[str, str] | None          # column -> type, None when there is no live table
    kept: dict[str, str] | None          # the same for the published copy
    unique: list[str] = field(default_factory=list)   # the live table's unique key

    @property
    def columns(self) -> list[str]:
        """Data columns of both copies, live order first."""
        seen: list[str] = []
        for cols in (self.live or {}, self.kept or {}):
            seen += [c for c in cols if c not in seen and c not in SYSTEM_COLUMNS]
        return seen

    @property
    def key(self) -> list[str]:
        """The columns a changed row keeps (see the module's docstring); [] for none."""
        cols = self.columns
        if self.unique and all(c in cols for c in self.unique):
            return list(self.unique)
        types = {**(self.kept or {}), **(self.live or {})}
        dims = [c for c in cols if types.get(c) not in NUMERIC_TYPES]
        return dims if 0 < len(dims) < len(cols) else []

    @property
    def period(self) -> str | None:
        lowered = {c.lower(): c for c in self.columns}
        for name in PERIOD_NAMES:
            if name in lowered:
                return lowered[name]
        return None

    @property
    def added_columns(self) -> list[str]:
        if self.live is None or self.kept is None:
            return []
        return [c for c in self.live if c not in self.kept and c not in SYSTEM_COLUMNS]

    @property
    def removed_columns(self) -> list[str]:
        if self.live is None or self.kept is None:
            return []
        return [c for c in self.kept if c not in self.live and c not in SYSTEM_COLUMNS]


def layouts(resource_ids: list[str]) -> dict[str, TableLayout]:
    """The columns of the live tables and kept published copies of these resources, and
    the live tables' unique keys (two queries for all of them). Resources with neither
    table are left out."""
    if not resource_ids:
        return {}
    names = resource_ids + [published_data.table_name(r) for r in resource_ids]
    with get_read_engine().connect() as conn:
        columns = conn.execute(sa.text(
            "SELECT c.relname, a.attname, t.typname FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
            "JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE c.relkind = 'r' AND c.relname = ANY(:names) AND a.attnum > 0 "
            "AND NOT a.attisdropped ORDER BY c.relname, a.attnum"), {"names": names}).all()
        uniques = conn.execute(sa.text(
            "SELECT c.relname, i.indexrelid, a.attname FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
            "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos) ON true "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
            "WHERE i.indisunique AND c.relname = ANY(:names) "
            "ORDER BY c.relname, i.indexrelid, k.pos"), {"names": resource_ids}).all()
    tables: dict[str, dict[str, str]] = {}
    for table, column, typ in columns:
        tables.setdefault(table, {})[column] = typ
    keys: dict[str, dict[int, list[str]]] = {}
    for table, index, column in uniques:
        keys.setdefault(table, {}).setdefault(index, []).append(column)
    out = {}
    for rid in resource_ids:
        live, kept = tables.get(rid), tables.get(published_data.table_name(rid))
        if live is None and kept is None:
            continue
        data_keys = [cols for cols in keys.get(rid, {}).values()
                     if not SYSTEM_COLUMNS & set(cols)]
        out[rid] = TableLayout(rid, live, kept, data_keys[0] if data_keys else [])
    return out


def _side(name: str, present: dict[str, str], columns: list[str], is_live: bool) -> Select:
    """All rows of one copy, projected on `columns` as text (NULL where it lacks one),
    marked with the copy they come from."""
    table = sa.table(name, *[sa.column(c) for c in present], schema="public")
    return sa.select(*[
        sa.cast(table.c[c], sa.UnicodeText).label(c) if c in present
        else sa.cast(sa.null(), sa.UnicodeText).label(c)
        for c in columns],
        sa.literal(int(is_live)).label("in_live"),
        sa.literal(int(not is_live)).label("in_kept")).select_from(table)


def _json_array(columns: list[Any]) -> ColumnElement:
    return sa.cast(sa.func.json_build_array(*columns), sa.UnicodeText)


def _differences(layout: TableLayout) -> Subquery:
    """One row per difference: kind, period, key (JSON text), before and after (JSON
    arrays of the row's values in `layout.columns` order, NULL on the side without)."""
    cols = layout.columns
    live_name, kept_name = layout.resource_id, published_data.table_name(layout.resource_id)
    sides = [_side(name, present, cols, is_live)
             for name, present, is_live in ((live_name, layout.live, True),
                                            (kept_name, layout.kept, False))
             if present is not None]
    both = sa.union_all(*sides).subquery("both_copies") if len(sides) > 1 \
        else sides[0].subquery("both_copies")
    # Each distinct row with how often it occurs in each copy (one hashed pass over both
    # tables); the rows whose counts differ are the multiset differences EXCEPT ALL gives.
    live_n, kept_n = sa.func.sum(both.c.in_live), sa.func.sum(both.c.in_kept)
    counted = (sa.select(*[both.c[c] for c in cols], live_n.label("nl"), kept_n.label("nk"))
               .group_by(*[both.c[c] for c in cols]).having(live_n != kept_n)
               .cte("counted"))

    def repeated(more: Any, fewer: Any, name: str) -> Subquery:
        """Each row as often as one copy has it more than the other."""
        return (sa.select(*[counted.c[c] for c in cols],
                          sa.func.generate_series(1, more - fewer).label("copy"))
                .where(more > fewer).subquery(name))

    new = repeated(counted.c.nl, counted.c.nk, "new_rows")
    old = repeated(counted.c.nk, counted.c.nl, "old_rows")
    key_names = layout.key or cols

    def numbered(sub: Subquery, alias: str) -> Subquery:
        key = _json_array([sub.c[c] for c in key_names])
        whole = _json_array([sub.c[c] for c in cols])
        return sa.select(
            key.label("k"), whole.label("row_values"),
            (sub.c[layout.period] if layout.period else sa.cast(sa.null(), sa.UnicodeText))
            .label("period"),
            sa.func.row_number().over(partition_by=key, order_by=whole).label("n"),
        ).subquery(alias)

    a, b = numbered(new, "a"), numbered(old, "b")
    kind: Any = sa.case((b.c.k.is_(None), "added"), (a.c.k.is_(None), "removed"),
                   else_="changed")
    return (sa.select(kind.label("kind"),
                      sa.func.coalesce(a.c.period, b.c.period).label("period"),
                      sa.func.coalesce(a.c.k, b.c.k).label("k"),
                      b.c.row_values.label("before"), a.c.row_values.label("after"))
            .select_from(a.join(b, sa.and_(a.c.k == b.c.k, a.c.n == b.c.n), full=True))
            .subquery("differences"))


@contextlib.contextmanager
def _connection() -> Iterator[sa.engine.Connection]:
    """A read-only connection whose comparison hashes in memory: enough work memory for
    the grouping of two 100,000-row copies, and no JIT compilation (it costs more than
    it saves on one query). Both settings end with the transaction."""
    with get_read_engine().begin() as conn:
        conn.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        conn.execute(sa.text("SET LOCAL jit = off"))
        yield conn


@dataclass
class TableDiff:
    resource_id: str
    columns: list[str]
    key: list[str]
    period: str | None
    added_columns: list[str]
    removed_columns: list[str]
    #: "compared" (both copies), "new" (no published copy) or "gone" (no live table)
    status: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    #: [{period, added, changed, removed}], periods in order (None last)
    by_period: list[dict[str, Any]] = field(default_factory=list)
    #: the resource's name (the page sets it)
    name: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def table_diff(layout: TableLayout) -> TableDiff:
    """Counts of rows added, changed and removed, in all and per period: one query."""
    diff = TableDiff(
        layout.resource_id, layout.columns, layout.key, layout.period,
        layout.added_columns, layout.removed_columns,
        "compared" if layout.live is not None and layout.kept is not None
        else "new" if layout.live is not None else "gone")
    d = _differences(layout)
    with _connection() as conn:
        rows = conn.execute(sa.select(d.c.period, d.c.kind, sa.func.count())
                            .group_by(d.c.period, d.c.kind)
                            .order_by(d.c.period.asc().nulls_last())).all()
    periods: dict[Any, dict[str, Any]] = {}
    for period, kind, count in rows:
        diff.counts[kind] += count
        periods.setdefault(period, {"period": period, **dict.fromkeys(KINDS, 0)})[kind] = count
    diff.by_period = list(periods.values()) if layout.period else []
    return diff


def table_rows(layout: TableLayout, kind: str | None, limit: int,
               offset: int) -> list[dict[str, Any]]:
    """One page of the differences (of one kind, or all), ordered by period and key:
    [{kind, period, before: [...] | None, after: [...] | None}] with values in
    `layout.columns` order."""
    d = _differences(layout)
    query = sa.select(d.c.kind, d.c.period, d.c.before, d.c.after)
    if kind:
        query = query.where(d.c.kind == kind)
    query = query.order_by(d.c.period.asc().nulls_last(), d.c.k, d.c.kind).limit(
        limit).offset(offset)
    with _connection() as conn:
        rows = conn.execute(query).all()
    return [{"kind": k, "period": p, "before": json.loads(b) if b else None,
             "after": json.loads(a) if a else None} for k, p, b, a in rows]
