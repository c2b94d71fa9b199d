"""Auth functions of the Daftar Data actions, one per action, same names.

Each decides from the object acted on (the entry looked up by its id), never from an
OPD the caller names: walidata and sysadmins manage every entry, an OPD's operators
and verifikators read their own OPD's entries, everyone else nothing.
"""
from __future__ import annotations

from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.satudata.daftar import access
from ckanext.satudata.daftar.model import DaftarEntry, DaftarPeriod

__all__ = ["satudata_daftar_data_agree", "satudata_daftar_data_create",
           "satudata_daftar_data_delete", "satudata_daftar_data_import",
           "satudata_daftar_data_list", "satudata_daftar_data_show",
           "satudata_daftar_data_update", "satudata_daftar_revision_decide",
           "satudata_daftar_revision_propose"]


def _manager(context: Context) -> AuthResult:
    return {"success": access.caller(context.get("user")).manager}


def _entry(data_dict: DataDict) -> DaftarEntry | None:
    return model.Session.get(DaftarEntry, str(data_dict.get("id") or ""))


def satudata_daftar_data_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata, sysadmins, and OPD operators/verifikators (the list is cut to their OPDs)."""
    return {"success": access.caller(context.get("user")).reads_any}


def satudata_daftar_data_show(context: Context, data_dict: DataDict) -> AuthResult:
    who = access.caller(context.get("user"))
    entry = _entry(data_dict)
    if entry is None:
        # Only those who could read any entry learn that it does not exist.
        return {"success": who.manager}
    return {"success": who.reads(entry.organization_id)}


def satudata_daftar_data_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _manager(context)


def satudata_daftar_data_update(context: Context, data_dict: DataDict) -> AuthResult:
    return _manager(context)


def satudata_daftar_data_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _manager(context)


def satudata_daftar_data_import(context: Context, data_dict: DataDict) -> AuthResult:
    return _manager(context)


def satudata_daftar_data_agree(context: Context, data_dict: DataDict) -> AuthResult:
    return _manager(context)


def satudata_daftar_revision_propose(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata and sysadmins (their revision applies at once), and the operators and
    verifikators of the OPD owning the period's entry (a proposal)."""
    who = access.caller(context.get("user"))
    period = model.Session.get(DaftarPeriod, str(data_dict.get("period_id") or ""))
    entry = model.Session.get(DaftarEntry, period.entry_id) if period else None
    if entry is None:
        return {"success": who.manager}
    return {"success": who.reads(entry.organization_id)}


def satudata_daftar_revision_decide(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata and sysadmins decide on every OPD's proposals."""
    return _manager(context)
