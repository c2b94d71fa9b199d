"""Auth of the report actions, one per action, same names.

Reports are internal: walidata and sysadmins read and generate every report; an OPD's
operators and verifikators read their own OPD's reports (decided from the stored
report's OPD, never from a parameter); nobody else reads anything.
"""
from __future__ import annotations

from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.satudata.daftar import access
from ckanext.satudata.laporan.model import Report

__all__ = ["satudata_report_generate", "satudata_report_list", "satudata_report_show"]


def satudata_report_generate(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata and sysadmins."""
    return {"success": access.caller(context.get("user")).manager}


def satudata_report_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata, sysadmins, and OPD operators/verifikators (the list is cut to their OPD)."""
    return {"success": access.caller(context.get("user")).reads_any}


def satudata_report_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The report's own OPD (operators, verifikators), walidata and sysadmins; the
    portal-wide report (no OPD): walidata and sysadmins only."""
    who = access.caller(context.get("user"))
    report = model.Session.get(Report, str(data_dict.get("id") or ""))
    if report is None or report.owner_org is None:
        return {"success": who.manager}
    return {"success": who.reads(report.owner_org)}
