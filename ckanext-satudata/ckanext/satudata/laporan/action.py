"""Actions of the periodic reports (/laporan, issue 13).

`satudata_report_generate` (walidata: the reports of a period, now),
`satudata_report_list` (the reports the caller may read, newest period first),
`satudata_report_show` (one report; used by the download view).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata.daftar import access, entries
from ckanext.satudata.laporan import generate as generator
from ckanext.satudata.laporan import periods, schema, store
from ckanext.satudata.laporan.model import Report

__all__ = ["satudata_report_generate", "satudata_report_list", "satudata_report_show"]


def _validate(data_dict: DataDict, sch: dict[str, Any], context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(dict(data_dict), sch, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def report_dicts(found: list[Report]) -> list[dict[str, Any]]:
    """Report dicts with their OPD's title (one query for the lot)."""
    oids = {r.owner_org for r in found if r.owner_org}
    orgs = {i: (n, t) for i, n, t in model.Session.execute(
        sa.select(model.Group.id, model.Group.name, model.Group.title)
        .where(model.Group.id.in_(oids))).all()} if oids else {}
    out = []
    for r in found:
        period = periods.parse(r.period)
        org = orgs.get(r.owner_org or "")
        out.append({
            "id": r.id, "kind": r.kind, "period": r.period, "label": period.label,
            "start": r.period_start.isoformat(), "end": r.period_end.isoformat(),
            "organization_id": r.owner_org,
            "organization_name": org[0] if org else None,
            "organization_title": (org[1] or org[0]) if org else None,
            "formats": [f for f in store.FORMATS if getattr(r, f"{f}_path")],
            "created": r.created.isoformat(), "created_wib": periods.datetime_wib(r.created),
        })
    return out


def satudata_report_generate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Generate (again) the reports of a period: the portal's and every OPD's, or one
    OPD's.

    Args:
        period: "2026-11" (month), "2026-Q3" (quarter) or "2026" (year).
        format: pdf, xlsx or all (default).
        organization: only this OPD's report (id or name).
        mail: e-mail the portal's report to the configured recipients (default false).

    Returns:
        {"reports": [report, ...], "mailed": n}
    """
    tk.check_access("satudata_report_generate", context, data_dict)
    data = _validate(data_dict, schema.generate(), context)
    organization_id = None
    if data.get("organization"):
        organization_id = entries.organization_id(data["organization"])
        if organization_id is None:
            raise tk.ValidationError({"organization": [tk._("Unknown OPD: {name}").format(
                name=data["organization"])]})
    formats = store.FORMATS if data["format"] == "all" else (data["format"],)
    user = model.User.get(context.get("user") or "")
    done = generator.generate(periods.parse(data["period"]), organization_id, formats,
                              user.id if user else None, mail=data["mail"])
    return {"reports": report_dicts(done.reports), "mailed": done.mailed}


@tk.side_effect_free
def satudata_report_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reports the caller may read: walidata and sysadmins all, an OPD's operators and
    verifikators their own OPD's.

    Args:
        kind: monthly, quarterly or yearly. period: one period. organization: one OPD.
        limit (default 100), offset.

    Returns:
        {"count": n, "results": [report, ...]}: newest period first, the portal's report
        before the OPDs' (by title).
    """
    tk.check_access("satudata_report_list", context, data_dict)
    data = _validate(data_dict, schema.report_list(), context)
    who = access.caller(context.get("user"))
    stmt = sa.select(Report)
    if not who.manager:
        stmt = stmt.where(Report.owner_org.in_(sorted(who.opds) or [""]))
    if data.get("kind"):
        stmt = stmt.where(Report.kind == data["kind"])
    if data.get("period"):
        stmt = stmt.where(Report.period == data["period"])
    if data.get("organization"):
        stmt = stmt.where(Report.owner_org == (entries.organization_id(data["organization"])
                                               or ""))
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
    title = (sa.select(model.Group.title).where(model.Group.id == Report.owner_org)
             .scalar_subquery())
    stmt = stmt.order_by(Report.period_end.desc(), Report.period_start,
                         Report.owner_org.is_not(None), title, Report.id)
    found = list(model.Session.execute(
        stmt.offset(data["offset"]).limit(data["limit"])).scalars())
    return {"count": count, "results": report_dicts(found)}


@tk.side_effect_free
def satudata_report_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One report.

    Args:
        id: the report's id.

    Returns:
        The report (see satudata_report_list).
    """
    tk.check_access("satudata_report_show", context, data_dict)
    data = _validate(data_dict, schema.show(), context)
    report = model.Session.get(Report, data["id"])
    if report is None:
        raise tk.ObjectNotFound(tk._("Report not found"))
    return report_dicts([report])[0]
