"""Actions of the personal data gate (issue 14).

`satudata_pii_check` (a dataset's findings: resource, column, kind, count, sample rows;
whether the gate applies and which findings an exception covers),
`satudata_pii_exception_create` / `_list` / `_delete` (walidata accepts, with a reason,
that one column of one resource holds personal data; audited).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.verifikasi import shared as verifikasi

from . import datastore, gate, scan
from . import schema as pii_schema
from .model import PiiException

__all__ = ["satudata_pii_check", "satudata_pii_exception_create",
           "satudata_pii_exception_delete", "satudata_pii_exception_list"]


def _validate(data_dict: DataDict, sch: dict[str, Any], context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(dict(data_dict), sch, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _package(id_or_name: str) -> model.Package:
    pkg = model.Package.get(id_or_name)
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return pkg


def exception_dict(exception: PiiException) -> dict[str, Any]:
    return {"id": exception.id, "package_id": exception.package_id,
            "resource_id": exception.resource_id, "column": exception.column,
            "reason": exception.reason, "created": exception.created.isoformat(),
            "created_by": exception.created_by}


@tk.side_effect_free
def satudata_pii_check(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The personal data found in a dataset's DataStore tables and uploaded files.

    Args:
        package_id: the dataset's id or name.

    Returns:
        {"package_id", "applies": whether the gate holds this dataset back,
        "blocked": whether submitting or publishing it is refused now,
        "findings": [{resource_id, resource_name, source (datastore/file), column,
        kind (nik/nip/phone/email/name), count, rows (sample row numbers), sampled,
        accepted (an exception covers it)}]}. Never a value.
    """
    tk.check_access("satudata_pii_check", context, data_dict)
    data = _validate(data_dict, pii_schema.by_package(), context)
    pkg = _package(data["package_id"])
    accepted = {(e.resource_id, e.column) for e in scan.exceptions_of(pkg.id)}
    found = [{**f, "accepted": (f["resource_id"], f["column"]) in accepted}
             for f in scan.package_findings(pkg.id)]
    applies = gate.applies(pkg)
    return {"package_id": pkg.id, "applies": applies,
            "blocked": applies and any(not f["accepted"] for f in found),
            "findings": found}


def satudata_pii_exception_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata accepts that a column of a resource holds personal data (audited).

    The exception covers that column of that resource only (its DataStore table and its
    uploaded file): personal data in another column still holds the dataset back.

    Args:
        package_id: the dataset (id or name). resource_id: its resource.
        column: the column's name as in the findings. reason: why it may be published.

    Returns:
        The exception: {id, package_id, resource_id, column, reason, created, created_by}.
    """
    tk.check_access("satudata_pii_exception_create", context, data_dict)
    data = _validate(data_dict, pii_schema.exception_create(), context)
    pkg = _package(data["package_id"])
    resource = model.Resource.get(data["resource_id"])
    if resource is None or resource.state != "active" or resource.package_id != pkg.id:
        raise tk.ValidationError({"resource_id": [
            tk._("This dataset has no such resource")]})
    found_columns = {f["column"] for f in scan.package_findings(pkg.id)
                     if f["resource_id"] == resource.id}
    if data["column"] not in found_columns | set(datastore.columns(resource.id)):
        raise tk.ValidationError({"column": [
            tk._('The resource has no column "{column}"').format(column=data["column"])]})
    existing = model.Session.execute(sa.select(PiiException.id).where(
        PiiException.resource_id == resource.id,
        PiiException.column == data["column"])).first()
    if existing is not None:
        raise tk.ValidationError({"column": [
            tk._("An exception for this column already exists")]})
    user = model.User.get(context.get("user") or "")
    exception = PiiException(package_id=pkg.id, resource_id=resource.id,
                             column=data["column"], reason=data["reason"],
                             created_by=user.id if user else "")
    model.Session.add(exception)
    model.Session.flush()
    verifikasi.audit(user.id if user else None, "pii_exception_create", "package", pkg.id,
                     exception_id=exception.id, resource_id=resource.id,
                     column=exception.column, reason=exception.reason)
    model.Session.commit()
    return exception_dict(exception)


@tk.side_effect_free
def satudata_pii_exception_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The accepted exceptions of a dataset, oldest first.

    Args:
        package_id: the dataset's id or name.
    """
    tk.check_access("satudata_pii_exception_list", context, data_dict)
    data = _validate(data_dict, pii_schema.by_package(), context)
    pkg = _package(data["package_id"])
    return [exception_dict(e) for e in scan.exceptions_of(pkg.id)]


def satudata_pii_exception_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata removes an exception (audited): the column holds the dataset back again.

    Args:
        id: the exception's id.
    """
    tk.check_access("satudata_pii_exception_delete", context, data_dict)
    data = _validate(data_dict, pii_schema.by_id(), context)
    exception = model.Session.get(PiiException, data["id"])
    if exception is None:
        raise tk.ObjectNotFound(tk._("Exception not found"))
    removed = exception_dict(exception)
    user = model.User.get(context.get("user") or "")
    model.Session.delete(exception)
    verifikasi.audit(user.id if user else None, "pii_exception_delete", "package",
                     exception.package_id, exception_id=exception.id,
                     resource_id=exception.resource_id, column=exception.column)
    model.Session.commit()
    return removed
