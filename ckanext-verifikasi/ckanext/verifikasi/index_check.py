"""Consistency of the search index with the database, for what decides who sees what.

Solr answers package_search, and through permission labels and `capacity` it decides
which datasets a search shows; the workflow state and the access class it holds drive
the facets and the published copy of results. A failed index call (Solr down while a
change commits) leaves it behind the database, and `ckan search-index check` only
counts missing active datasets. This compares, for every dataset, the database with the
index: existence, `state`, `capacity` (private flag), `verifikasi_state`,
`klasifikasi_akses` and `metadata_modified`. One query on the database and paged Solr
queries, whatever the number of datasets; a repair reindexes only what drifted and
deletes the documents of datasets the database no longer has (or has deleted).

Run by the periodic jobs as `ckan verifikasi index-check --repair`.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.lib.search.common import make_connection
from sqlalchemy.orm import aliased

from ckanext.verifikasi import config
from ckanext.verifikasi.model import PublishedSnapshot, WorkflowState

log = logging.getLogger(__name__)

PAGE = 1000
#: Compared fields; the workflow state and the access class are indexed, not stored:
#: Solr returns them through `field()` (uninverted, a few distinct values each).
#: (The access class goes by its configured field: `config.access_field()`.)


def _fields() -> tuple[str, ...]:
    return ("state", "capacity", "verifikasi_state", config.access_field(), "metadata_modified")


def _fl() -> str:
    access = config.access_field()
    return ("id,state,capacity,metadata_modified,verifikasi_state:field(verifikasi_state),"
            f"{access}:field({access})")

Values = dict[str, Any]


@dataclass
class Drift:
    id: str
    #: "missing" (not indexed), "orphan" (indexed, not in the database) or "stale".
    kind: str
    #: field -> (database, index), for "stale".
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def describe(self) -> str:
        if self.kind != "stale":
            return f"{self.id}: {self.kind}"
        diffs = ", ".join(f"{name} {db!r} != index {indexed!r}"
                          for name, (db, indexed) in self.fields.items())
        return f"{self.id}: {diffs}"


@dataclass
class Report:
    datasets: int
    indexed: int
    drifts: list[Drift]
    reindexed: int = 0
    deleted: int = 0
    failed: list[str] = field(default_factory=list)


def _millis(value: dt.datetime | None) -> dt.datetime | None:
    """As Solr keeps it: milliseconds, the rest cut off."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000) if value else None


def database_values() -> dict[str, Values]:
    """What the index should hold for every dataset it should hold (one query)."""
    klass = aliased(model.PackageExtra)
    access = config.access_field()
    query = (
        sa.select(model.Package.id, model.Package.state, model.Package.private,
                  model.Package.metadata_modified, klass.value, WorkflowState.state,
                  # The index's `metadata_modified` of a dataset with a published version
                  # is its last publication (workflow.publication_times).
                  sa.case((WorkflowState.has_published, PublishedSnapshot.published)))
        .outerjoin(klass, sa.and_(klass.package_id == model.Package.id,
                                  klass.key == access, klass.state == "active"))
        .outerjoin(WorkflowState, WorkflowState.package_id == model.Package.id)
        .outerjoin(PublishedSnapshot, PublishedSnapshot.package_id == model.Package.id))
    if tk.config.get("ckan.search.remove_deleted_packages"):
        query = query.where(model.Package.state != "deleted")
    return {
        pid: {"state": state, "capacity": "private" if private else "public",
              # A dataset without a workflow row is indexed as a draft (workflow.state_of).
              "verifikasi_state": wf_state or "draft", access: klasifikasi,
              "metadata_modified": _millis(published or modified)}
        for pid, state, private, modified, klasifikasi, wf_state, published
        in model.Session.execute(query)}


def _solr_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def index_values() -> dict[str, Values]:
    """What the index holds for this site's datasets (paged with a cursor)."""
    conn = make_connection(decode_dates=False)
    access = config.access_field()
    params = {"fq": [f'+site_id:"{tk.config.get("ckan.site_id")}"', "+entity_type:package"],
              "fl": _fl(), "sort": "index_id asc", "rows": PAGE}
    found: dict[str, Values] = {}
    cursor = "*"
    while True:
        page = conn.search("*:*", cursorMark=cursor, **params)
        for doc in page.docs:
            found[doc["id"]] = {
                "state": doc.get("state"), "capacity": doc.get("capacity"),
                "verifikasi_state": doc.get("verifikasi_state"),
                access: doc.get(access),
                "metadata_modified": _solr_time(doc.get("metadata_modified"))}
        if not page.nextCursorMark or page.nextCursorMark == cursor:
            return found
        cursor = page.nextCursorMark


def compare(database: dict[str, Values], index: dict[str, Values]) -> list[Drift]:
    drifts = [Drift(pid, "missing") for pid in database if pid not in index]
    drifts += [Drift(pid, "orphan") for pid in index if pid not in database]
    for pid, expected in database.items():
        indexed = index.get(pid)
        if indexed is None:
            continue
        diffs = {name: (expected[name], indexed[name]) for name in _fields()
                 if expected[name] != indexed[name]}
        if diffs:
            drifts.append(Drift(pid, "stale", diffs))
    return sorted(drifts, key=lambda d: (d.kind, d.id))


def check() -> Report:
    # The index first: a change committed in between shows as drift and is reindexed,
    # rather than a document deleted for a dataset created a moment ago.
    index = index_values()
    database = database_values()
    return Report(datasets=len(database), indexed=len(index),
                  drifts=compare(database, index))


def repair(report: Report) -> Report:
    """Reindex the drifted datasets, delete the orphan documents; one Solr commit."""
    package_index = search.index_for(model.Package)
    context = {"ignore_auth": True, "validate": False, "use_cache": False}
    for drift in report.drifts:
        try:
            if drift.kind == "orphan":
                package_index.delete_package({"id": drift.id})
                report.deleted += 1
            else:
                pkg_dict = tk.get_action("package_show")(dict(context), {"id": drift.id})
                package_index.update_dict(pkg_dict, defer_commit=True)
                report.reindexed += 1
        except Exception:  # one dataset that cannot be indexed must not stop the rest
            log.exception("index-check: could not repair %s", drift.id)
            report.failed.append(drift.id)
    # Waiting for the new searcher: a check right after sees the repaired index.
    make_connection().commit(waitSearcher=True)
    return report
