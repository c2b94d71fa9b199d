"""The figures of `/kualitas-metadata`: a fixed number of queries, whatever the size.

Scores per OPD come from the stored scores (the scans), tickets from their table;
`organization_ids` None means every OPD (walidata), else only those OPDs.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.satudata.quality import checks
from ckanext.satudata.quality.model import QualityScore, QualityTicket

#: Tickets closed within this many days count for the KPI.
KPI_DAYS = 7
#: WIB (UTC+7): months of the KPI are Indonesian calendar months.
WIB = dt.timedelta(hours=7)


@dataclasses.dataclass
class OpdRow:
    organization_id: str
    title: str
    datasets: int = 0
    score: int | None = None
    open: dict[str, int] = dataclasses.field(
        default_factory=lambda: {s: 0 for s in checks.SEVERITIES})
    oldest_days: int | None = None

    @property
    def open_total(self) -> int:
        return sum(self.open.values())


def _scoped(stmt: Any, column: Any, organization_ids: list[str] | None) -> Any:
    return stmt if organization_ids is None else stmt.where(column.in_(organization_ids))


def by_opd(organization_ids: list[str] | None) -> list[OpdRow]:
    """Score and open tickets (by severity, oldest age in days) of each OPD (3 queries)."""
    S, T = QualityScore, QualityTicket
    rows: dict[str, OpdRow] = {}
    orgs = model.Session.execute(_scoped(
        sa.select(model.Group.id, model.Group.title).where(
            model.Group.is_organization, model.Group.state == "active"),
        model.Group.id, organization_ids).order_by(model.Group.title)).all()
    for oid, title in orgs:
        rows[oid] = OpdRow(oid, title)
    for oid, count, avg in model.Session.execute(_scoped(
            sa.select(S.organization_id, sa.func.count(), sa.func.avg(S.score))
            .group_by(S.organization_id), S.organization_id, organization_ids)):
        if oid in rows:
            rows[oid].datasets, rows[oid].score = count, round(float(avg))
    now = dt.datetime.utcnow()
    for oid, severity, count, oldest in model.Session.execute(_scoped(
            sa.select(T.organization_id, T.severity, sa.func.count(), sa.func.min(T.opened))
            .where(T.closed.is_(None)).group_by(T.organization_id, T.severity),
            T.organization_id, organization_ids)):
        if oid in rows:
            rows[oid].open[severity] = count
            days = (now - oldest).days
            current = rows[oid].oldest_days
            rows[oid].oldest_days = days if current is None else max(current, days)
    return list(rows.values())


def kpi(organization_ids: list[str] | None, months: int = 12) -> list[dict[str, Any]]:
    """Per month (WIB) of opening: tickets opened, closed within KPI_DAYS days, and that
    share in percent (None without tickets); the last `months` months with tickets."""
    T = QualityTicket
    month = sa.func.date_trunc("month", T.opened + WIB).label("month")
    quick = sa.func.count().filter(T.closed.is_not(None),
                                   T.closed - T.opened <= dt.timedelta(days=KPI_DAYS))
    stmt = _scoped(sa.select(month, sa.func.count(), quick).group_by(month)
                   .order_by(month.desc()).limit(months), T.organization_id, organization_ids)
    out = []
    for start, opened, closed_quickly in model.Session.execute(stmt):
        out.append({"month": start.strftime("%Y-%m"), "opened": opened,
                    "closed_within": closed_quickly,
                    "percent": round(100 * closed_quickly / opened) if opened else None})
    return list(reversed(out))


def totals(rows: list[OpdRow]) -> dict[str, Any]:
    scored = [r for r in rows if r.score is not None]
    datasets = sum(r.datasets for r in scored)
    return {
        "open": {s: sum(r.open[s] for r in rows) for s in checks.SEVERITIES},
        "score": round(sum(r.score * r.datasets for r in scored if r.score is not None)
                       / datasets) if datasets else None,
        "datasets": datasets,
    }
