"""The personal data findings of a dataset: its DataStore tables and uploaded tabular
files, each scan reused while the table's or file's fingerprint is unchanged.

Choices for speed (issue 14: a 1,000,000-row table takes 23 s to scan in full):
- a result is cached per resource and source (`satudata_pii_scan`) with the fingerprint
  of what was scanned (DataStore: table oid, columns, row count, newest row version;
  upload: size, modification time and the resource's last change), so submitting and
  publishing the same data scans it once;
- a table of more than `ckanext.satudata.pii.sample_rows` rows is scanned on a random
  sample of about that many rows, and an uploaded file on its first
  `ckanext.satudata.pii.file_rows` rows.
Results hold resource, column, kind, count and row numbers; never a value.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from ckanext.satudata import config
from ckanext.satudata.inputdata import worktable
from ckanext.satudata.model import InputPackage
from ckanext.satudata.tabular.guard import FileRejected

from . import datastore, files
from .detect import ColumnTally, findings
from .model import PiiException, PiiScan

log = logging.getLogger(__name__)

TABULAR = ("csv", "xlsx", "xls", "ods")


def _cached(resource_id: str, source: str, fingerprint: str) -> list[dict[str, Any]] | None:
    row = model.Session.execute(
        sa.select(PiiScan.fingerprint, PiiScan.findings)
        .where(PiiScan.resource_id == resource_id, PiiScan.source == source)).first()
    return list(row[1]) if row is not None and row[0] == fingerprint else None


def _store(resource_id: str, source: str, fingerprint: str, found: list[dict[str, Any]],
           sampled: bool) -> None:
    """Kept in a transaction of its own: the result stays valid whatever the step does."""
    values = {"resource_id": resource_id, "source": source, "fingerprint": fingerprint,
              "findings": found, "sampled": sampled, "scanned": dt.datetime.utcnow()}
    stmt = insert(PiiScan.__table__).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["resource_id", "source"],
        set_={k: stmt.excluded[k] for k in ("fingerprint", "findings", "sampled", "scanned")})
    with model.meta.engine.begin() as conn:
        conn.execute(stmt)


def _table_findings(resource_id: str, name: str, source: str = "datastore",
                    target: datastore.Target | None = None) -> list[dict[str, Any]]:
    target = target or datastore.Target(resource_id)
    state = datastore.table_state(target)
    if state is None:
        return []
    # The cache key: the resource, and for entered rows the input package's table.
    key = resource_id if source == "datastore" else f"{resource_id}/{target.table}"
    cached = _cached(key, source, state.fingerprint)
    if cached is not None:
        return cached
    limit = config.pii_sample_rows()
    sampled = state.rows > limit
    found = [{**f.as_dict(), "source": source, "sampled": sampled}
             for f in datastore.scan_table(resource_id, name, sample_rows=limit,
                                           total_rows=state.rows, target=target)]
    _store(key, source, state.fingerprint, found, sampled)
    return found


def _entered_findings(package_id: str) -> list[dict[str, Any]]:
    """Rows entered through data input that wait for the publication of an update (a
    published dataset's new rows stay in the working table until then): they count
    for the resource they will be copied to."""
    pending = model.Session.execute(
        sa.select(InputPackage).where(InputPackage.package_id == package_id,
                                      InputPackage.state == "active",
                                      InputPackage.pending.is_(True))
        .order_by(InputPackage.created)).scalars()
    out: list[dict[str, Any]] = []
    for input_pkg in pending:
        target = datastore.Target(input_pkg.id, schema=worktable.SCHEMA,
                                  key=worktable.ROW_ID, write=True)
        out += _table_findings(input_pkg.resource_id or input_pkg.id, input_pkg.title,
                               "input", target)
    return out


def _filename(resource: model.Resource) -> str:
    url = resource.url or ""
    return url.split("/")[-1].split("?")[0].split("#")[0]


def _is_tabular(resource: model.Resource) -> bool:
    ext = _filename(resource).rsplit(".", 1)[-1].lower() if "." in _filename(resource) else ""
    return ext in TABULAR or (resource.format or "").strip().lower() in TABULAR


@contextmanager
def _named_path(path: str, filename: str) -> Iterator[str]:
    """CKAN stores uploads without an extension: read them through a named link."""
    folder = tempfile.mkdtemp(prefix="satudata-pii-")
    link = os.path.join(folder, re.sub(r"[^\w.\-]", "_", filename) or "data")
    os.symlink(path, link)
    try:
        yield link
    finally:
        os.unlink(link)
        os.rmdir(folder)


def _file_findings(resource: model.Resource, name: str) -> list[dict[str, Any]]:
    if resource.url_type != "upload" or not _is_tabular(resource):
        return []
    from ckan.lib.uploader import get_resource_uploader

    path = get_resource_uploader({"id": resource.id, "url_type": "upload"}).get_path(
        resource.id)
    if not os.path.exists(path):
        return []
    info = os.stat(path)
    fingerprint = f"{info.st_size}:{info.st_mtime_ns}:{resource.last_modified}"
    cached = _cached(resource.id, "file", fingerprint)
    if cached is not None:
        return cached
    filename = _filename(resource) or f"data.{(resource.format or 'csv').lower()}"
    limit = config.pii_file_rows()
    try:
        with _named_path(path, filename) as link:
            found = files.scan_file(link, filename, resource.id, name, max_rows=limit)
    except FileRejected as err:
        # Not a table we can read; the loader refuses it the same way. No values logged.
        log.warning("personal data scan skipped the file of resource %s: %s",
                    resource.id, err.code)
        return []
    result = [{**f.as_dict(), "source": "file", "sampled": False} for f in found]
    _store(resource.id, "file", fingerprint, result, False)
    return result


def resources_of(package_id: str) -> list[model.Resource]:
    return list(model.Session.execute(
        sa.select(model.Resource)
        .where(model.Resource.package_id == package_id, model.Resource.state == "active")
        .order_by(model.Resource.position)).scalars())


def package_findings(package_id: str) -> list[dict[str, Any]]:
    """Every finding of the dataset's active resources (table, then file, per resource),
    then of its entered rows waiting for publication."""
    out: list[dict[str, Any]] = []
    for resource in resources_of(package_id):
        name = resource.name or resource.id
        out += _table_findings(resource.id, name)
        out += _file_findings(resource, name)
    return out + _entered_findings(package_id)


def exceptions_of(package_id: str) -> list[PiiException]:
    return list(model.Session.execute(
        sa.select(PiiException).where(PiiException.package_id == package_id)
        .order_by(PiiException.created, PiiException.id)).scalars())


def blocking_findings(package_id: str,
                      incoming: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The findings no accepted exception covers (an exception covers one column of one
    resource: its DataStore table and its uploaded file): the dataset's, then those of
    `incoming` data about to be written (`records_findings`, `upload_findings`)."""
    accepted = {(e.resource_id, e.column) for e in exceptions_of(package_id)}
    return [f for f in package_findings(package_id) + list(incoming or [])
            if (f["resource_id"], f["column"]) not in accepted]


def records_findings(resource_id: str, name: str,
                     records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings of records about to be written to a DataStore table (a `datastore_create`
    or `datastore_upsert` request), judged on their own; rows are the records' positions
    in the request (from 1). The DataStore's `_id` is not data."""
    headers: list[str] = []
    for record in records:
        if isinstance(record, dict):
            headers += [str(k) for k in record if k != "_id" and str(k) not in headers]
    tallies = [ColumnTally() for _ in headers]
    for number, record in enumerate(records, start=1):
        if isinstance(record, dict):
            for index, header in enumerate(headers):
                tallies[index].add(number, record.get(header))
    return [{**f.as_dict(), "source": "records", "sampled": False}
            for f in findings(resource_id, name, headers, tallies)]


def upload_findings(stream: IO[bytes], filename: str, resource_id: str,
                    name: str) -> list[dict[str, Any]]:
    """Findings of an uploaded file before it is stored (a tabular file only; its first
    `ckanext.satudata.pii.file_rows` rows, as for stored files). The stream is read
    from its start and put back where it was."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in TABULAR:
        return []
    start = stream.tell()
    stream.seek(0)
    folder = tempfile.mkdtemp(prefix="satudata-pii-")
    path = os.path.join(folder, re.sub(r"[^\w.\-]", "_", filename) or f"data.{ext}")
    try:
        with open(path, "wb") as out:
            shutil.copyfileobj(stream, out)
        found = files.scan_file(path, os.path.basename(path), resource_id, name,
                                max_rows=config.pii_file_rows())
    except FileRejected as err:
        # Not a table we can read; the loader refuses it the same way. No values logged.
        log.warning("personal data scan skipped an upload (%s): %s", name, err.code)
        return []
    finally:
        stream.seek(start)
        if os.path.exists(path):
            os.unlink(path)
        os.rmdir(folder)
    return [{**f.as_dict(), "source": "file", "sampled": False} for f in found]
