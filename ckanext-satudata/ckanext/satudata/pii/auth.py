"""Auth functions of the personal data gate's actions, one per action, same names.

Each decides from the object acted on: the dataset that owns the resource named (for a
new exception), the exception looked up by its id, the dataset asked about. Walidata and
sysadmins accept and remove exceptions for any OPD; the dataset's OPD (operators,
verifikators) reads its findings and exceptions; nobody else does anything.
"""
from __future__ import annotations

from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.satudata.daftar import access

__all__ = ["satudata_pii_check", "satudata_pii_exception_create",
           "satudata_pii_exception_delete", "satudata_pii_exception_list"]


def _package(id_or_name: str) -> model.Package | None:
    pkg = model.Package.get(id_or_name) if id_or_name else None
    return pkg if pkg is not None and pkg.state != "deleted" else None


def _reads(context: Context, pkg: model.Package | None) -> AuthResult:
    who = access.caller(context.get("user"))
    if pkg is None:
        # Only those who could read any dataset's findings learn that it does not exist.
        return {"success": who.manager}
    return {"success": who.reads(pkg.owner_org or "")}


def satudata_pii_check(context: Context, data_dict: DataDict) -> AuthResult:
    """The dataset's OPD (operators, verifikators), walidata and sysadmins."""
    return _reads(context, _package(str(data_dict.get("package_id") or "")))


def satudata_pii_exception_list(context: Context, data_dict: DataDict) -> AuthResult:
    """The dataset's OPD (operators, verifikators), walidata and sysadmins."""
    return _reads(context, _package(str(data_dict.get("package_id") or "")))


def satudata_pii_exception_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata and sysadmins, for the dataset that owns the resource (any OPD's)."""
    return {"success": access.caller(context.get("user")).manager}


def satudata_pii_exception_delete(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata and sysadmins remove an exception of any OPD's dataset."""
    return {"success": access.caller(context.get("user")).manager}
