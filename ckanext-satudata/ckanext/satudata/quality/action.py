"""Actions of the metadata quality (issue 13).

`satudata_quality_show` (one dataset: score, dimensions, failing checks, tickets),
`satudata_quality_ticket_list` (filters; an OPD's roles see their OPD's tickets only),
`satudata_quality_ticket_close` (walidata: closes an open ticket with a reason).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata.daftar import access, entries
from ckanext.satudata.quality import checks, schema, tickets
from ckanext.satudata.quality.model import QualityScore, QualityTicket

__all__ = ["satudata_quality_show", "satudata_quality_ticket_close",
           "satudata_quality_ticket_list"]


def _validate(data_dict: DataDict, sch: dict[str, Any], context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(dict(data_dict), sch, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def ticket_dict(ticket: QualityTicket, package: tuple[str, str] | None = None,
                organization: str | None = None, now: dt.datetime | None = None
                ) -> dict[str, Any]:
    now = now or dt.datetime.utcnow()
    end = ticket.closed or now
    return {
        "id": ticket.id, "package_id": ticket.package_id,
        "package_name": package[0] if package else None,
        "package_title": package[1] if package else None,
        "organization_id": ticket.organization_id, "organization_title": organization,
        "check": ticket.check, "check_title": checks.check_title(ticket.check),
        "severity": ticket.severity, "dimension": ticket.dimension, "detail": ticket.detail,
        "opened": _iso(ticket.opened), "closed": _iso(ticket.closed),
        "state": "closed" if ticket.closed else "open",
        "closed_by": ticket.closed_by, "close_reason": ticket.close_reason,
        "closed_automatically": bool(ticket.closed and not ticket.closed_by),
        "open_seconds": int((end - ticket.opened).total_seconds()),
        "notified": _iso(ticket.notified),
    }


def _dicts(found: list[QualityTicket]) -> list[dict[str, Any]]:
    """Ticket dicts with their dataset and OPD titles (two queries for the lot)."""
    pids = {t.package_id for t in found}
    oids = {t.organization_id for t in found if t.organization_id}
    packages = {i: (n, t) for i, n, t in model.Session.execute(
        sa.select(model.Package.id, model.Package.name, model.Package.title)
        .where(model.Package.id.in_(pids))).all()} if pids else {}
    orgs = dict(model.Session.execute(
        sa.select(model.Group.id, model.Group.title).where(model.Group.id.in_(oids))).all()
    ) if oids else {}
    now = dt.datetime.utcnow()
    return [ticket_dict(t, packages.get(t.package_id), orgs.get(t.organization_id or ""), now)
            for t in found]


@tk.side_effect_free
def satudata_quality_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The metadata quality of one dataset.

    Args:
        id: the dataset's id or name.

    Returns:
        {package_id, score (0-100), dimensions {dimension: 0-100}, scored (UTC, None
        when evaluated now because no scan has scored it yet), checks [{check, title,
        severity, dimension, passed, applies, detail}], failing [...the failing ones],
        tickets [every ticket of the dataset, newest first]}.
    """
    tk.check_access("satudata_quality_show", context, data_dict)
    data = _validate(data_dict, schema.show(), context)
    pkg = model.Package.get(data["id"])
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    stored = model.Session.get(QualityScore, pkg.id)
    if stored is not None:
        score, dimensions, failing = stored.score, stored.dimensions, stored.failing
        scored: str | None = _iso(stored.scored)
        facts = None
    else:
        facts_list = checks.load([pkg.id])
        facts = facts_list[0] if facts_list else None
        result = checks.evaluate(facts) if facts else None
        score = result.score if result else 0
        dimensions = result.dimensions if result else {}
        failing = result.failing if result else {}
        scored = None
    check_rows = []
    for check in checks.CHECKS:
        applies = check.applies(facts) if facts is not None else True
        check_rows.append({"check": check.id, "title": tk._(check.title),
                           "severity": check.severity, "dimension": check.dimension,
                           "passed": check.id not in failing,
                           "detail": failing.get(check.id)})
        if facts is not None:
            check_rows[-1]["applies"] = applies
    found = list(model.Session.execute(
        sa.select(QualityTicket).where(QualityTicket.package_id == pkg.id)
        .order_by(QualityTicket.opened.desc())).scalars())
    return {"package_id": pkg.id, "name": pkg.name, "title": pkg.title,
            "organization_id": pkg.owner_org, "score": score, "dimensions": dimensions,
            "scored": scored, "checks": check_rows,
            "failing": [c for c in check_rows if not c["passed"]],
            "tickets": _dicts(found)}


@tk.side_effect_free
def satudata_quality_ticket_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Quality tickets the caller may read.

    Args:
        organization: only this OPD (id or name). package_id: only this dataset.
        severity: kritis, tinggi or sedang. check: one check id.
        state: open (default), closed or all. limit (default 1000), offset.

    Returns:
        {"count": n, "results": [ticket, ...]}: open ones oldest first, then closed ones
        newest first; each with its dataset and OPD titles and `open_seconds`.
    """
    tk.check_access("satudata_quality_ticket_list", context, data_dict)
    data = _validate(data_dict, schema.ticket_list(), context)
    who = access.caller(context.get("user"))
    T = QualityTicket
    stmt = sa.select(T)
    if not who.manager:
        stmt = stmt.where(T.organization_id.in_(list(who.opds)))
    if data.get("organization"):
        stmt = stmt.where(T.organization_id == (entries.organization_id(data["organization"])
                                                or ""))
    if data.get("package_id"):
        pkg = model.Package.get(data["package_id"])
        stmt = stmt.where(T.package_id == (pkg.id if pkg else ""))
    if data.get("severity"):
        stmt = stmt.where(T.severity == data["severity"])
    if data.get("check"):
        stmt = stmt.where(T.check == data["check"])
    if data["state"] == "open":
        stmt = stmt.where(T.closed.is_(None))
    elif data["state"] == "closed":
        stmt = stmt.where(T.closed.is_not(None))
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
    stmt = stmt.order_by(T.closed.desc().nulls_first(), T.opened, T.id)
    found = list(model.Session.execute(
        stmt.offset(data["offset"]).limit(data["limit"])).scalars())
    return {"count": count, "results": _dicts(found)}


def satudata_quality_ticket_close(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata closes an open ticket with a reason (an accepted exception, say): the
    same check of the dataset opens no new ticket until it passes once.

    Args:
        id: the ticket's id. reason: why (required).

    Returns:
        The closed ticket.
    """
    tk.check_access("satudata_quality_ticket_close", context, data_dict)
    data = _validate(data_dict, schema.ticket_close(), context)
    ticket = model.Session.get(QualityTicket, data["id"], with_for_update=True)
    if ticket is None:
        raise tk.ObjectNotFound(tk._("Ticket not found"))
    if ticket.closed is not None:
        raise tk.ValidationError({"id": [tk._("This ticket is already closed")]})
    user = model.User.get(context.get("user") or "")
    tickets.close(ticket, user.id if user else "", data["reason"])
    return _dicts([ticket])[0]
