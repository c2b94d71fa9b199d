"""When entered rows reach the public DataStore resource.

A dataset that has never been published is visible to its OPD only, so its
rows are copied to the resource at once (the OPD can preview them). Once a
dataset has a published version, new rows wait in the working table: the
change starts an update of the dataset, and the rows are copied when
verifikasi publishes that update (the `verifikasi_published` signal).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckanext.datastore.backend import DatastoreBackend

from ckanext.satudata import verification
from ckanext.satudata.inputdata import worktable
from ckanext.satudata.model import InputPackage
from ckanext.satudata.tabular.structure import Structure


def _system_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return verification.system_context({"user": site_user["name"], "ignore_auth": True})


def _fields(input_pkg: InputPackage) -> list[dict[str, Any]]:
    """The structure's fields, keeping MS-Var entered on the data dictionary meanwhile."""
    fields = Structure.from_dict(input_pkg.structure).datastore_fields()
    if not input_pkg.resource_id:
        return fields
    try:
        info = tk.get_action("datastore_info")(_system_context(), {"id": input_pkg.resource_id})
    except tk.ObjectNotFound:
        return fields
    existing = {f["id"]: f for f in info.get("fields", [])}
    for field in fields:
        old = existing.get(field["id"])
        if old and old.get("info"):
            field["info"] = {**old["info"], **field["info"]}
    return fields


def _types_changed(input_pkg: InputPackage) -> bool:
    try:
        info = tk.get_action("datastore_info")(_system_context(), {"id": input_pkg.resource_id})
    except tk.ObjectNotFound:
        return False
    existing = {f["id"]: f["type"] for f in info.get("fields", [])}
    wanted = {f["id"]: f["type"] for f in Structure.from_dict(input_pkg.structure)
              .datastore_fields()}
    return any(existing.get(k, v) != v for k, v in wanted.items()) or \
        bool(set(existing) - set(wanted))


def ensure_resource(input_pkg: InputPackage) -> tuple[str, bool]:
    """The package's DataStore resource with the structure's columns, and whether its
    table is new (created, or made again for changed column types) and so empty."""
    context = _system_context()
    exists = bool(input_pkg.resource_id) and model.Resource.get(input_pkg.resource_id) is not None
    # The resource may have lost its table (a sysadmin's datastore_delete): the table
    # datastore_create makes again is empty and needs every period.
    fresh = not exists or not DatastoreBackend.get_active_backend().resource_exists(
        input_pkg.resource_id)
    if exists and not fresh and _types_changed(input_pkg):
        # A changed column type cannot be altered in place by the DataStore API.
        tk.get_action("datastore_delete")(dict(context), {
            "resource_id": input_pkg.resource_id, "force": True})
        fresh = True
    if exists:
        tk.get_action("datastore_create")(dict(context), {
            "resource_id": input_pkg.resource_id, "fields": _fields(input_pkg),
            "force": True})
        return str(input_pkg.resource_id), fresh
    result = tk.get_action("datastore_create")(dict(context), {
        # url_type from the start: no file loader may treat it as a file to load.
        "resource": {"package_id": input_pkg.package_id, "name": input_pkg.title,
                     "format": "CSV", "url_type": "datastore",
                     "description": tk._("Rows entered through the input package")},
        "fields": _fields(input_pkg), "force": True})
    input_pkg.resource_id = result["resource_id"]
    model.Session.commit()
    return str(input_pkg.resource_id), True


def publish_input(input_pkg: InputPackage, periods: list[str] | None = None) -> int:
    """Copy the working rows (of `periods`, or all) to the resource in one transaction."""
    resource_id, fresh = ensure_resource(input_pkg)
    structure = Structure.from_dict(input_pkg.structure)
    if fresh:
        periods = None  # an empty table needs every period
    with worktable.transaction() as conn:
        count = worktable.publish(conn, input_pkg.id, structure, resource_id, periods)
    input_pkg.pending = False
    model.Session.execute(sa.update(model.Resource).where(model.Resource.id == resource_id)
                          .values(last_modified=dt.datetime.utcnow()))
    model.Session.commit()
    return count


def publish_dataset(package_id: str) -> int:
    """Publish every input package of a dataset that has rows waiting."""
    packages = model.Session.scalars(sa.select(InputPackage).where(
        InputPackage.package_id == package_id, InputPackage.state == "active",
        InputPackage.pending.is_(True))).all()
    return sum(publish_input(p) for p in packages)


def after_rows_changed(input_pkg: InputPackage, periods: list[str] | None = None) -> bool:
    """Call after rows changed in the working table; True when they reached the resource now."""
    input_pkg.modified = dt.datetime.utcnow()
    input_pkg.pending = True
    verifikasi = verification.shared()
    if verifikasi is not None and verifikasi.has_published(input_pkg.package_id):
        verifikasi.start_update(input_pkg.package_id)
        model.Session.commit()
        search.rebuild(input_pkg.package_id)
        return False
    model.Session.commit()
    publish_input(input_pkg, periods)
    return True


def writable_or_raise(package_id: str) -> None:
    verifikasi = verification.shared()
    if verifikasi is not None and verifikasi.under_review(package_id):
        raise tk.ValidationError({"state": [tk._(
            "This dataset is under review; its data cannot be changed until it is returned")]})


def on_published(package_id: str, **_: Any) -> None:
    """verifikasi published the dataset (or its update): pending rows become public."""
    publish_dataset(package_id)
