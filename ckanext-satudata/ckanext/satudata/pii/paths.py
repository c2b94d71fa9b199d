"""Writes that would make data public at once, outside a publication (issue 14).

A publication (workflow step or direct publication) is checked by `gate.on_before_transition`.
These writes need a check of the data they bring *before* it is stored, because once
written it is public and a refusal could not take it back:

* a DataStore write (`datastore_create` with records, `datastore_upsert`) to a published
  dataset that starts no update (a sysadmin's, an `ignore_auth` one): the records;
* an uploaded file in a dataset edit (`resource_create`, `resource_update`/`_patch`,
  `package_update` with resource uploads) that goes live (a sysadmin's edit of a
  published dataset): the file, before core stores it over the published one;
* a linked file (a resource URL, not an upload) the loader fetched for a published
  dataset's table, which outsiders read as soon as it is swapped in: the fetched file,
  before the load (`check_fetched_file`).

Whether a write goes live is verifikasi's rule (`shared.write_goes_live`), decided from the
dataset that owns the resource written to, never from a parameter the caller chooses.
The check itself is `gate.check`, the one every path calls. Other writes are left alone:
they start an update, which the workflow checks before publishing it.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict
from werkzeug.datastructures import FileStorage

from ckanext.satudata import verification

from . import datastore, gate, scan

__all__ = ["datastore_upsert", "resource_create"]


def _goes_live(context: Context, package_id: str, *, table: bool) -> model.Package | None:
    """The dataset, when a write with this context becomes public at once."""
    verifikasi = verification.shared()
    if verifikasi is None or not package_id:
        return None
    pkg = model.Package.get(package_id)
    if pkg is None or not verifikasi.write_goes_live(dict(context), pkg.id, table=table):
        return None
    return pkg


def check_datastore_write(context: Context, data_dict: DataDict) -> None:
    """Before `datastore_create` (records) or `datastore_upsert` writes: refused with a
    ValidationError when the records would make personal data public."""
    records = data_dict.get("records")
    if not isinstance(records, list) or not records:
        return
    if data_dict.get("resource_id"):
        resource = datastore.resource_of(str(data_dict["resource_id"]))
        if resource is None:
            return  # core answers that the resource does not exist
        pkg = _goes_live(context, resource.package_id, table=True)
        resource_id, name = resource.id, resource.name or resource.id
    else:
        # A new resource: resource_create edits its dataset (a direct publication).
        new = data_dict.get("resource")
        new = new if isinstance(new, dict) else {}
        pkg = _goes_live(context, str(new.get("package_id") or ""), table=False)
        resource_id, name = "", str(new.get("name") or tk._("New resource"))
    if pkg is not None:
        gate.check(pkg, scan.records_findings(resource_id, name, records))


def check_uploads(context: Context, data_dict: DataDict) -> None:
    """Before `package_update` stores the files uploaded with its resources (core's
    resource_create and resource_update pass theirs through it): refused with a
    ValidationError when the edit goes live and a file holds personal data."""
    resources = data_dict.get("resources")
    if not isinstance(resources, list):
        return
    uploads = [r for r in resources
               if isinstance(r, dict) and isinstance(r.get("upload"), FileStorage)]
    if not uploads:
        return
    pkg = model.Package.get(str(data_dict.get("id") or data_dict.get("name") or ""))
    if pkg is not None:
        _check_files(context, pkg, uploads)


def _check_files(context: Context, pkg: model.Package, uploads: list[dict[str, Any]]) -> None:
    if _goes_live(context, pkg.id, table=False) is None:
        return
    incoming: list[dict[str, Any]] = []
    for resource in uploads:
        upload: FileStorage = resource["upload"]
        # An existing resource counts only if it is this dataset's (its exceptions apply).
        known = model.Resource.get(str(resource.get("id") or ""))
        resource_id = known.id if known is not None and known.package_id == pkg.id else ""
        filename = upload.filename or str(resource.get("url") or "")
        name = str(resource.get("name") or (known.name if known else "") or filename)
        incoming += scan.upload_findings(upload.stream, filename, resource_id, name)
    gate.check(pkg, incoming)


def check_fetched_file(resource_id: str, path: str, filename: str | None) -> None:
    """Before the loader loads a linked file into the table of a published dataset (the
    live table is what outsiders read; no update holds it back): refused with a
    ValidationError while the file holds personal data no exception covers. The loader's
    own write is a system write (`ignore_auth`), so the dataset decides, not a caller."""
    resource = model.Resource.get(resource_id)
    if resource is None:
        return
    pkg = _goes_live({"ignore_auth": True}, resource.package_id, table=True)
    if pkg is None:
        return
    name = filename or ""
    fmt = (resource.format or "").strip().lower()
    if "." not in name.rsplit("/", 1)[-1] and fmt in scan.TABULAR:
        # A linked file's name often has no extension ("...download?id=3"): its format says.
        name = f"{name or 'data'}.{fmt}"
    with open(path, "rb") as stream:
        incoming = scan.upload_findings(stream, name, resource.id,
                                        resource.name or resource.id)
    gate.check(pkg, incoming)


@tk.chained_action
def resource_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """A file uploaded as a new resource of a published dataset by a sysadmin (stored
    after core's package_update, so the direct publication cannot see it) passes the
    personal data gate first."""
    upload = data_dict.get("upload")
    pkg = model.Package.get(str(data_dict.get("package_id") or ""))
    if isinstance(upload, FileStorage) and pkg is not None:
        _check_files(context, pkg, [{**data_dict, "id": None}])
    return next_action(context, data_dict)


@tk.chained_action
def datastore_upsert(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Records written straight into a published dataset's table pass the personal data
    gate first."""
    check_datastore_write(context, data_dict)
    return next_action(context, data_dict)
