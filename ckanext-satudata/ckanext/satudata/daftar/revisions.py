"""Revised release dates of a period, with their reason.

Walidata (or a sysadmin) revises a period's date at once; an OPD's operator or
verifikator proposes a revision, which waits (``pending``) until walidata approves or
rejects it. Every applied revision is written to the change log (who decided, when,
why, who proposed, the date before and after), whether or not the year is agreed. A
released period keeps its dates. Functions here write to the session; the actions
commit.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import localtime, verification
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.daftar.model import DaftarChange, DaftarEntry, DaftarPeriod, DaftarRevision

Errors = dict[str, list[str]]
DECISIONS = ("approve", "reject")


def pending_of(period_id: str) -> DaftarRevision | None:
    return model.Session.execute(sa.select(DaftarRevision).where(
        DaftarRevision.period_id == period_id, DaftarRevision.state == "pending")
    ).scalars().first()


def check(entry: DaftarEntry, period: DaftarPeriod, revised: dt.date,
          proposal: DaftarRevision | None = None) -> Errors:
    """Every problem of revising the period to `revised` (a waiting `proposal` being
    decided is not a conflict with itself)."""
    errors: Errors = {}
    label = P.period_label(period.period, entry.year)
    if period.released is not None:
        errors.setdefault("period_id", []).append(tk._(
            "{period} was already released on {date}; its date cannot be revised").format(
            period=label, date=localtime.format_date(P.wib_date(period.released))))
    if revised.year not in (entry.year, entry.year + 1):
        errors.setdefault("revised", []).append(tk._(
            "The revised date {date} is not in {year} or the year after").format(
            date=localtime.format_date(revised), year=entry.year))
    elif revised == (period.revised or period.planned):
        errors.setdefault("revised", []).append(tk._(
            "The revised date is the period's current release date"))
    waiting = pending_of(period.id)
    if waiting is not None and (proposal is None or waiting.id != proposal.id):
        errors.setdefault("period_id", []).append(tk._(
            "A revision of {period} already waits for walidata's decision").format(
            period=label))
    return errors


def _apply(entry: DaftarEntry, period: DaftarPeriod, revision: DaftarRevision,
           decider_id: str) -> None:
    before = (period.revised or period.planned).isoformat()
    period.revised, period.revised_reason = revision.revised, revision.reason
    period.revised_by = revision.proposed_by
    entry.modified = dt.datetime.utcnow()
    proposer = model.User.get(revision.proposed_by)
    model.Session.add(DaftarChange(
        entry_id=entry.id, year=entry.year, organization_id=entry.organization_id,
        action="revise", reason=revision.reason, user_id=decider_id,
        changes={f"period:{period.period}.revised": [before, revision.revised.isoformat()],
                 "proposed_by": proposer.name if proposer else revision.proposed_by,
                 "revision_id": revision.id}))


def propose(entry: DaftarEntry, period: DaftarPeriod, revised: dt.date, reason: str,
            user_id: str, manager: bool) -> DaftarRevision:
    """A manager's revision applies at once; an OPD's waits for a decision."""
    now = dt.datetime.utcnow()
    revision = DaftarRevision(entry_id=entry.id, period_id=period.id, revised=revised,
                              reason=reason, proposed_by=user_id, proposed=now,
                              state="approved" if manager else "pending")
    if manager:
        revision.decided_by, revision.decided = user_id, now
    model.Session.add(revision)
    model.Session.flush()
    if manager:
        _apply(entry, period, revision, user_id)
    return revision


def decide(revision: DaftarRevision, entry: DaftarEntry, period: DaftarPeriod,
           decision: str, note: str | None, user_id: str) -> None:
    revision.state = "approved" if decision == "approve" else "rejected"
    revision.decided_by, revision.decided = user_id, dt.datetime.utcnow()
    revision.note = note or None
    if decision == "approve":
        _apply(entry, period, revision, user_id)


def _user_names(ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(model.Session.execute(sa.select(model.User.id, model.User.name).where(
        model.User.id.in_(list(ids)))).all())


def _utc(value: dt.datetime | None) -> str | None:
    return value.replace(tzinfo=dt.timezone.utc).isoformat() if value else None


def revision_dicts(revisions: list[DaftarRevision], entry: DaftarEntry,
                   periods: dict[str, DaftarPeriod]) -> list[dict[str, Any]]:
    names = _user_names({r.proposed_by for r in revisions}
                        | {r.decided_by for r in revisions if r.decided_by})
    result = []
    for r in revisions:
        period = periods.get(r.period_id)
        result.append({
            "id": r.id, "entry_id": r.entry_id, "period_id": r.period_id,
            "period": period.period if period else None,
            "period_label": P.period_label(period.period, entry.year) if period else None,
            "revised": r.revised.isoformat(), "reason": r.reason, "state": r.state,
            "proposed_by": names.get(r.proposed_by), "proposed": _utc(r.proposed),
            "decided_by": names.get(r.decided_by or ""), "decided": _utc(r.decided),
            "note": r.note})
    return result


def of_entry(entry: DaftarEntry, periods: list[DaftarPeriod]) -> list[dict[str, Any]]:
    found = list(model.Session.execute(sa.select(DaftarRevision).where(
        DaftarRevision.entry_id == entry.id).order_by(DaftarRevision.proposed)).scalars())
    return revision_dicts(found, entry, {p.id: p for p in periods})


def pending_counts(entry_ids: list[str]) -> dict[str, int]:
    """Waiting proposals per entry (one query)."""
    if not entry_ids:
        return {}
    return dict(model.Session.execute(
        sa.select(DaftarRevision.entry_id, sa.func.count()).where(
            DaftarRevision.entry_id.in_(entry_ids), DaftarRevision.state == "pending")
        .group_by(DaftarRevision.entry_id)).all())


def _site(path: str) -> str:
    return tk.config.get("ckan.site_url", "").rstrip("/") + path


def notify_proposed(entry: DaftarEntry, period: DaftarPeriod, revision: DaftarRevision
                    ) -> None:
    """Walidata hear of a proposal waiting for them (in-app and e-mail, Indonesian)."""
    proposer = model.User.get(revision.proposed_by)
    with verification.default_language():
        subject = tk._("[Satu Data] Revised release date proposed: {title}").format(
            title=entry.title)
        body = tk._('{user} proposes to move the release of "{title}" ({period}) from '
                    "{before} to {after}.\n\nReason: {reason}\n\nApprove or reject it: "
                    "{url}").format(
            user=(proposer.fullname or proposer.name) if proposer else "-",
            title=entry.title, period=P.period_label(period.period, entry.year),
            before=localtime.format_date(period.revised or period.planned),
            after=localtime.format_date(revision.revised), reason=revision.reason,
            url=_site(f"/daftar-data/{entry.id}"))
    verification.notify_users(verification.role_holders("walidata"), subject, body,
                              entry.package_id or "")


def notify_decided(entry: DaftarEntry, period: DaftarPeriod, revision: DaftarRevision
                   ) -> None:
    """The proposer hears of walidata's decision."""
    with verification.default_language():
        if revision.state == "approved":
            subject = tk._("[Satu Data] Revised release date approved: {title}")
        else:
            subject = tk._("[Satu Data] Revised release date rejected: {title}")
        body = tk._('Walidata decided on your proposal to release "{title}" ({period}) on '
                    "{date}: {decision}.").format(
            title=entry.title, period=P.period_label(period.period, entry.year),
            date=localtime.format_date(revision.revised),
            decision=tk._("approved") if revision.state == "approved" else tk._("rejected"))
        if revision.note:
            body += "\n\n" + tk._("Note: {note}").format(note=revision.note)
        body += "\n\n" + _site(f"/daftar-data/{entry.id}")
    verification.notify_users([revision.proposed_by], subject.format(title=entry.title),
                              body, entry.package_id or "")
