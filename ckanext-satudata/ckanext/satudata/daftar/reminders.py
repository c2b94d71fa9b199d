"""Reminders of the release calendar (`ckan satudata daftar remind`, hourly).

* ``before``: the operators and verifikators of the entry's OPD hear of a period that
  is not released `ckanext.satudata.daftar.remind_days` days (or fewer) before its
  effective (revised or planned) date;
* ``missed``: the same people hear of a period whose effective date passed unreleased
  (dates missed within the last `MISSED_LOOKBACK_DAYS` days: a list loaded late does
  not flood the OPDs with old news; those stay in the walidata's digest);
* ``digest``: walidata get, once a week, the list of every late period by OPD.

Each reminder is an in-app notification and an e-mail (through verifikasi), in the
portal's default language, and is sent once: a row in `satudata_daftar_reminder`
(kind, key) is claimed before sending. A revised date is a new date: it is reminded
again.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from flask_babel import format_date
from sqlalchemy.dialects.postgresql import insert

from ckanext.satudata import config, verification
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.daftar.model import DaftarEntry, DaftarPeriod, DaftarReminder

log = logging.getLogger(__name__)

#: How far back a missed date is still reminded to the OPD.
MISSED_LOOKBACK_DAYS = 30
OPD_ROLES = ("operator", "verifikator")


@dataclass
class Sent:
    before: int = 0
    missed: int = 0
    digest: int = 0
    notifications: int = 0


def _claim(kind: str, key: str, recipients: int) -> bool:
    """Record the reminder; False when it was sent already (by this or another run)."""
    row = model.Session.execute(
        insert(DaftarReminder.__table__).values(
            kind=kind, key=key, recipients=recipients, sent=dt.datetime.utcnow())
        .on_conflict_do_nothing(constraint="satudata_daftar_reminder_key")
        .returning(DaftarReminder.__table__.c.id)).first()
    return row is not None


def _notify(user_ids: list[str], subject: str, body: str, package_id: str) -> int:
    try:
        return verification.notify_users(user_ids, subject, body, package_id, send_now=True)
    except Exception:  # an SMTP failure must not stop the other reminders
        log.exception("Daftar Data reminder %r: e-mail failed", subject)
        return 0


def _url(path: str) -> str:
    return tk.config.get("ckan.site_url", "").rstrip("/") + path


def _date(value: dt.date) -> str:
    return format_date(value, "d MMMM y")


def _opd_message(kind: str, entry: DaftarEntry, period: DaftarPeriod, effective: dt.date,
                 today: dt.date) -> tuple[str, str]:
    label = P.period_label(period.period, entry.year)
    if kind == "before":
        days = (effective - today).days
        subject = tk._("[Satu Data] Release due in {days} days: {title} ({period})").format(
            days=days, title=entry.title, period=label)
        body = tk._('"{title}" ({period}) is planned for release on {date}, in {days} days. '
                    "Publish it through the verification workflow by then, or ask walidata "
                    "for a revised date on the Daftar Data page.").format(
            title=entry.title, period=label, date=_date(effective), days=days)
    else:
        subject = tk._("[Satu Data] Release date missed: {title} ({period})").format(
            title=entry.title, period=label)
        body = tk._('"{title}" ({period}) was planned for release on {date} and has not been '
                    "published. It is shown as late in the release calendar until it is "
                    "published.").format(title=entry.title, period=label,
                                         date=_date(effective))
    return subject, body + "\n\n" + _url(f"/daftar-data/{entry.id}")


def _periods(start: dt.date, end: dt.date) -> list[tuple[DaftarPeriod, DaftarEntry]]:
    """Unreleased periods whose effective date lies in [start, end]."""
    effective = sa.func.coalesce(DaftarPeriod.revised, DaftarPeriod.planned)
    return [(p, e) for p, e in model.Session.execute(
        sa.select(DaftarPeriod, DaftarEntry)
        .join(DaftarEntry, DaftarEntry.id == DaftarPeriod.entry_id)
        .where(DaftarPeriod.released.is_(None), effective >= start, effective <= end)
        .order_by(effective, DaftarEntry.title)).all()]


def _opd_reminders(today: dt.date, sent: Sent) -> None:
    remind_days = config.daftar_remind_days()
    holders: dict[str, list[str]] = {}
    for period, entry in _periods(today - dt.timedelta(days=MISSED_LOOKBACK_DAYS),
                                  today + dt.timedelta(days=remind_days)):
        effective = period.revised or period.planned
        kind = "missed" if effective < today else "before"
        if entry.organization_id not in holders:
            holders[entry.organization_id] = sorted({
                uid for role in OPD_ROLES
                for uid in verification.role_holders(role, entry.organization_id)})
        users = holders[entry.organization_id]
        if not users or not _claim(kind, f"{period.id}:{effective.isoformat()}", len(users)):
            model.Session.rollback()
            continue
        subject, body = _opd_message(kind, entry, period, effective, today)
        sent.notifications += _notify(users, subject, body, entry.package_id or "")
        setattr(sent, kind, getattr(sent, kind) + 1)


def _digest(today: dt.date, sent: Sent) -> None:
    late = [(p, e) for p, e in _periods(dt.date(today.year - 1, 1, 1),
                                        today - dt.timedelta(days=1))]
    walidata = verification.role_holders("walidata")
    iso = today.isocalendar()
    if not late or not walidata or not _claim("digest", f"{iso.year}-W{iso.week:02d}",
                                              len(walidata)):
        model.Session.rollback()
        return
    names = dict(model.Session.execute(sa.select(model.Group.id, model.Group.title).where(
        model.Group.id.in_({e.organization_id for _, e in late}))).all())
    by_opd: dict[str, list[str]] = {}
    for period, entry in late:
        effective = period.revised or period.planned
        by_opd.setdefault(names.get(entry.organization_id, "-"), []).append(tk._(
            "- {title} ({period}): due {date}, {days} days late{priority}").format(
            title=entry.title, period=P.period_label(period.period, entry.year),
            date=_date(effective), days=(today - effective).days,
            priority=tk._(", priority data") if entry.prioritas else ""))
    subject = tk.ungettext("[Satu Data] Weekly digest: {num} late release",
                           "[Satu Data] Weekly digest: {num} late releases",
                           len(late)).format(num=len(late))
    lines = [tk._("Periods of the Daftar Data whose release date passed unreleased, as of "
                  "{date}:").format(date=_date(today))]
    for opd in sorted(by_opd):
        lines.append("\n" + opd + "\n" + "\n".join(by_opd[opd]))
    lines.append("\n" + _url("/daftar-data?status=terlambat"))
    sent.notifications += _notify(walidata, subject, "\n".join(lines), "")
    sent.digest += 1


def send(today: dt.date | None = None) -> Sent:
    """Send every reminder due on `today` (WIB; default today) that was not sent yet."""
    today = today or P.today_wib()
    sent = Sent()
    with verification.default_language():
        _opd_reminders(today, sent)
        _digest(today, sent)
    return sent
