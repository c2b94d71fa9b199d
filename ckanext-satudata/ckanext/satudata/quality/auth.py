"""Auth functions of the metadata quality actions, one per action, same names.

Each decides from the object acted on (the dataset, or the ticket looked up by its
id): walidata and sysadmins see every OPD's quality and close tickets; an OPD's
operators and verifikators see their own OPD's; nobody else sees anything.
"""
from __future__ import annotations

from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.satudata.daftar import access

__all__ = ["satudata_quality_show", "satudata_quality_ticket_close",
           "satudata_quality_ticket_list"]


def satudata_quality_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The dataset's OPD (operators, verifikators), walidata and sysadmins."""
    who = access.caller(context.get("user"))
    pkg = model.Package.get(str(data_dict.get("id") or ""))
    if pkg is None or pkg.state == "deleted":
        # Only those who could read any dataset's quality learn that it does not exist.
        return {"success": who.manager}
    return {"success": who.reads(pkg.owner_org or "")}


def satudata_quality_ticket_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata, sysadmins, and OPD operators/verifikators (the list is cut to their OPDs)."""
    return {"success": access.caller(context.get("user")).reads_any}


def satudata_quality_ticket_close(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata and sysadmins close any OPD's ticket."""
    return {"success": access.caller(context.get("user")).manager}
