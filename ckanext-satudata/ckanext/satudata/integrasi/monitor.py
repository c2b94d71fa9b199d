"""What the monitoring page (/integrasi) shows: integrations and pulls with their last
sync, recent failures, and the monthly integration report. A fixed number of queries
per page, whatever the number of integrations."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.satudata import localtime
from ckanext.satudata.integrasi import sync
from ckanext.satudata.integrasi.model import Integrasi, IntegrasiPull, IntegrasiRun
from ckanext.satudata.model import InputPackage

#: Months of the integration report.
REPORT_MONTHS = 12


def _last_runs(column: Any, ids: list[str], mode: str | None = None
               ) -> dict[str, IntegrasiRun]:
    if not ids:
        return {}
    stmt = (sa.select(IntegrasiRun).where(column.in_(ids))
            .order_by(column, IntegrasiRun.started.desc()).distinct(column))
    if mode:
        stmt = stmt.where(IntegrasiRun.mode == mode)
    return {getattr(r, column.key): r for r in model.Session.scalars(stmt)}


def _last(run: IntegrasiRun | None) -> dict[str, Any] | None:
    return sync.run_dict(run) if run is not None else None


def pull_dict(pull: IntegrasiPull, title: str = "", package_name: str = "",
              last: IntegrasiRun | None = None) -> dict[str, Any]:
    return {"id": pull.id, "input_id": pull.input_id, "input_title": title,
            "package_name": package_name, "integrasi_id": pull.integrasi_id,
            "url": pull.url, "format": pull.format, "schedule": pull.schedule,
            "period": pull.period, "enabled": pull.enabled,
            "next_due": pull.next_due.isoformat(),
            "last_run": pull.last_run.isoformat() if pull.last_run else None,
            "last": _last(last)}


def pulls(organization_ids: set[str] | None = None,
          integrasi_id: str | None = None) -> list[dict[str, Any]]:
    stmt = (sa.select(IntegrasiPull, InputPackage.title, model.Package.name)
            .join(InputPackage, InputPackage.id == IntegrasiPull.input_id)
            .join(model.Package, model.Package.id == InputPackage.package_id)
            .where(InputPackage.state == "active", model.Package.state != "deleted")
            .order_by(InputPackage.title))
    if organization_ids is not None:
        stmt = stmt.where(model.Package.owner_org.in_(organization_ids or {""}))
    if integrasi_id is not None:
        stmt = stmt.where(IntegrasiPull.integrasi_id == integrasi_id)
    rows = model.Session.execute(stmt).all()
    last = _last_runs(IntegrasiRun.input_id, [p.input_id for p, _t, _n in rows], "pull")
    return [pull_dict(p, title, name, last.get(p.input_id)) for p, title, name in rows]


def inputs_of(organization_id: str) -> list[dict[str, Any]]:
    """The OPD's input packages (for the pull form and the push documentation)."""
    rows = model.Session.execute(
        sa.select(InputPackage.id, InputPackage.title, InputPackage.frequency,
                  model.Package.title.label("dataset"))
        .join(model.Package, model.Package.id == InputPackage.package_id)
        .where(model.Package.owner_org == organization_id, model.Package.state != "deleted",
               InputPackage.state == "active").order_by(model.Package.title,
                                                         InputPackage.title)).all()
    return [{"id": r.id, "title": r.title, "frequency": r.frequency, "dataset": r.dataset}
            for r in rows]


def _monthly(organization_ids: set[str] | None) -> list[dict[str, Any]]:
    month = sa.func.to_char(
        sa.func.timezone("Asia/Jakarta", sa.func.timezone("UTC", IntegrasiRun.started)),
        "YYYY-MM").label("month")
    since = dt.datetime.utcnow() - dt.timedelta(days=31 * REPORT_MONTHS)
    stmt = (sa.select(
        month, IntegrasiRun.organization_id, model.Group.title,
        sa.func.count().label("runs"),
        sa.func.count().filter(IntegrasiRun.state == "success").label("success"),
        sa.func.count().filter(IntegrasiRun.state.in_(("failed", "missed"))).label("failed"),
        sa.func.coalesce(sa.func.sum(IntegrasiRun.rows_received), 0).label("received"),
        sa.func.coalesce(sa.func.sum(IntegrasiRun.rows_accepted), 0).label("accepted"),
        sa.func.coalesce(sa.func.sum(IntegrasiRun.rows_rejected), 0).label("rejected"))
        .join(model.Group, model.Group.id == IntegrasiRun.organization_id)
        .where(IntegrasiRun.started >= since)
        .group_by(month, IntegrasiRun.organization_id, model.Group.title)
        .order_by(month.desc(), model.Group.title))
    if organization_ids is not None:
        stmt = stmt.where(IntegrasiRun.organization_id.in_(organization_ids or {""}))
    return [{"month": r.month, "organization_id": r.organization_id,
             "organization_title": r.title, "runs": r.runs, "success": r.success,
             "failed": r.failed, "rows_received": int(r.received),
             "rows_accepted": int(r.accepted), "rows_rejected": int(r.rejected)}
            for r in model.Session.execute(stmt).all()]


def overview(organization_ids: set[str] | None) -> dict[str, Any]:
    """`organization_ids`: the OPDs shown, None for all (walidata)."""
    stmt = (sa.select(Integrasi, model.Group.title)
            .join(model.Group, model.Group.id == Integrasi.organization_id)
            .order_by(model.Group.title, Integrasi.system_name))
    if organization_ids is not None:
        stmt = stmt.where(Integrasi.organization_id.in_(organization_ids or {""}))
    rows = model.Session.execute(stmt).all()
    last = _last_runs(IntegrasiRun.integrasi_id, [i.id for i, _t in rows])
    integrations = [{
        "id": i.id, "organization_id": i.organization_id, "organization_title": title,
        "system_name": i.system_name, "status": i.status,
        "created": i.created.isoformat(), "last": _last(last.get(i.id))} for i, title in rows]
    failures = model.Session.scalars(
        sa.select(IntegrasiRun).where(
            IntegrasiRun.state.in_(("failed", "missed")),
            IntegrasiRun.started >= dt.datetime.utcnow() - dt.timedelta(days=30),
            *([IntegrasiRun.organization_id.in_(organization_ids or {""})]
              if organization_ids is not None else []))
        .order_by(IntegrasiRun.started.desc()).limit(20)).all()
    return {"integrations": integrations, "pulls": pulls(organization_ids),
            "failures": [sync.run_dict(r) for r in failures],
            "monthly": _monthly(organization_ids),
            "as_of": localtime.datetime_wib(dt.datetime.utcnow())}
