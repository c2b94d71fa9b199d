"""Scores stored and tickets opened or closed from them.

`record` stores the latest score of each scored dataset and brings its tickets in line:
a failing check of a published dataset without an open ticket opens one (assigned to
the dataset's OPD); an open ticket whose check now passes is closed, with no user and
no reason (fixed); an open ticket of a dataset that is no longer published, or gone,
is closed with the reason `UNPUBLISHED`. Walidata's `close` closes one with a reason.
Nothing is ever deleted. Newly opened tickets are told to the OPD's operators and
verifikators in-app and by e-mail, once per ticket (one message per dataset scan).

Only published datasets get tickets: drafts are scored (the OPD sees their score) but
their gaps are the workflow's business (the submission check) until they are public.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from ckanext.satudata import verification
from ckanext.satudata.quality import checks
from ckanext.satudata.quality.model import QualityScore, QualityTicket

log = logging.getLogger(__name__)

#: close_reason of tickets closed because their dataset left the public (or was deleted).
UNPUBLISHED = "unpublished"
#: OPD roles that receive the OPD's tickets.
ASSIGNEE_ROLES = ("operator", "verifikator")


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


def record(results: list[checks.Result], gone: Iterable[str] = (),
           now: dt.datetime | None = None, notify: bool = True) -> dict[str, int]:
    """Store the scores, open and close tickets (commits). `gone`: ids of datasets that
    were asked for but are no longer active (their open tickets close).

    Returns counts: scored, opened, closed."""
    now = now or _now()
    gone = list(gone)
    excepted = _exceptions([r.package_id for r in results])
    if results:
        rows = [{"package_id": r.package_id, "organization_id": r.organization_id,
                 "score": r.score, "dimensions": r.dimensions, "failing": r.failing,
                 "scored": now} for r in results]
        stmt = insert(QualityScore.__table__).values(rows)
        model.Session.execute(stmt.on_conflict_do_update(
            index_elements=["package_id"],
            set_={c: stmt.excluded[c] for c in ("organization_id", "score", "dimensions",
                                                "failing", "scored")}))
    if gone:
        model.Session.execute(sa.delete(QualityScore).where(QualityScore.package_id.in_(gone)))
    ids = [r.package_id for r in results] + gone
    open_tickets: dict[tuple[str, str], QualityTicket] = {
        (t.package_id, t.check): t for t in model.Session.execute(
            sa.select(QualityTicket).where(QualityTicket.package_id.in_(ids),
                                           QualityTicket.closed.is_(None))
            .with_for_update()).scalars()} if ids else {}
    opened: list[QualityTicket] = []
    closed = 0
    for result in results:
        failing = result.failing if result.published else {}
        for check_id, detail in failing.items():
            ticket = open_tickets.pop((result.package_id, check_id), None)
            if ticket is not None:
                ticket.detail = detail
                ticket.organization_id = result.organization_id
                continue
            if (result.package_id, check_id) in excepted:
                continue
            check = checks.BY_ID[check_id]
            ticket = QualityTicket(package_id=result.package_id,
                                   organization_id=result.organization_id, check=check_id,
                                   severity=check.severity, dimension=check.dimension,
                                   detail=detail, opened=now)
            model.Session.add(ticket)
            opened.append(ticket)
    published = {r.package_id for r in results if r.published}
    for (package_id, _check), ticket in open_tickets.items():
        ticket.closed = now
        if package_id not in published:
            ticket.close_reason = UNPUBLISHED
        closed += 1
    model.Session.commit()
    if notify and opened:
        _notify(opened, now)
    return {"scored": len(results), "opened": len(opened), "closed": closed}


def _exceptions(package_ids: list[str]) -> set[tuple[str, str]]:
    """(dataset, check) pairs walidata accepted as exceptions that still hold: the latest
    ticket of the pair was closed with a reason and the previous scoring still found the
    check failing (once the check passes, a new failure opens a new ticket). Two queries."""
    if not package_ids:
        return set()
    T = QualityTicket
    latest = model.Session.execute(
        sa.select(T.package_id, T.check, T.closed_by)
        .where(T.package_id.in_(package_ids))
        .distinct(T.package_id, T.check)
        .order_by(T.package_id, T.check, T.opened.desc())).all()
    accepted = {(p, c) for p, c, by in latest if by}
    if not accepted:
        return set()
    previous = dict(model.Session.execute(
        sa.select(QualityScore.package_id, QualityScore.failing)
        .where(QualityScore.package_id.in_({p for p, _ in accepted}))).all())
    return {(p, c) for p, c in accepted if c in (previous.get(p) or {})}


def _notify(opened: list[QualityTicket], now: dt.datetime) -> None:
    by_package: dict[str, list[QualityTicket]] = {}
    for ticket in opened:
        by_package.setdefault(ticket.package_id, []).append(ticket)
    titles = dict(model.Session.execute(sa.select(model.Package.id, model.Package.title)
                                        .where(model.Package.id.in_(by_package))).all())
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    for package_id, tickets in by_package.items():
        org = tickets[0].organization_id
        users: list[str] = []
        for role in ASSIGNEE_ROLES:
            users += verification.role_holders(role, org) if org else []
        if users:
            subject, body = _message(titles.get(package_id, package_id), tickets, site)
            verification.notify_users(users, subject, body, package_id)
        ids = [t.id for t in tickets]
        model.Session.execute(sa.update(QualityTicket).where(QualityTicket.id.in_(ids))
                              .values(notified=now))
    model.Session.commit()


def _message(title: str, tickets: list[QualityTicket], site: str) -> tuple[str, str]:
    def build() -> tuple[str, str]:
        subject = tk._("[Satu Data] Metadata quality tickets: {title}").format(title=title)
        lines = [tk._('The metadata quality scan found problems in "{title}". '
                      "Please correct the dataset; each ticket closes by itself once the "
                      "problem is fixed.").format(title=title), ""]
        for t in sorted(tickets, key=lambda t: checks.SEVERITIES.index(t.severity)):
            lines.append(f"- [{t.severity}] {checks.check_title(t.check)}: {t.detail}")
        lines += ["", site + "/kualitas-metadata"]
        return subject, "\n".join(lines)

    with verification.default_language():
        return build()


def close(ticket: QualityTicket, user_id: str, reason: str,
          now: dt.datetime | None = None) -> QualityTicket:
    """Walidata closes an open ticket with a reason (commits)."""
    ticket.closed = now or _now()
    ticket.closed_by = user_id
    ticket.close_reason = reason
    model.Session.commit()
    return ticket
