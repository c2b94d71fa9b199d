"""Reminders of request deadlines (`ckan satudata permohonan remind`, hourly).

* ``before``: a confirmed, open request whose deadline is
  `ckanext.satudata.permohonan.remind_days` working days away or fewer;
* ``overdue``: an open request whose deadline passed unanswered (it is also flagged
  in walidata's list, /permohonan-data/kelola?overdue=1).

Both go to walidata and, once the request was forwarded, to the operators and
verifikators of the OPD handling it: an in-app notification and an e-mail (through
verifikasi), in the portal's default language, without the requester's personal
data. Each is sent once: a row in `satudata_permohonan_reminder` (request, kind,
deadline) is claimed before sending; an extended deadline is a new deadline.
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

from ckanext.satudata import verification
from ckanext.satudata.localtime import today_wib
from ckanext.satudata.permohonan import deadline
from ckanext.satudata.permohonan import requests as R
from ckanext.satudata.permohonan.model import Permohonan, PermohonanReminder
from ckanext.satudata.permohonan.schema import OPEN_STATES

__all__ = ["Sent", "recipients", "send"]

log = logging.getLogger(__name__)

OPD_ROLES = ("operator", "verifikator")


@dataclass
class Sent:
    before: int = 0
    overdue: int = 0
    notifications: int = 0


def remind_days() -> int:
    """Working days before a request's deadline when its handlers are reminded."""
    return int(tk.config["ckanext.satudata.permohonan.remind_days"])


def recipients(request: Permohonan) -> list[str]:
    """Walidata, and the handling OPD's operators and verifikators once it was
    forwarded to them (before, they cannot read it)."""
    users = set(verification.role_holders("walidata"))
    if request.organization_id and R.forwarded(request):
        users.update(uid for role in OPD_ROLES
                     for uid in verification.role_holders(role, request.organization_id))
    return sorted(users)


def _claim(request: Permohonan, kind: str, count: int) -> bool:
    """Record the reminder; False when it was sent already (by this or another run)."""
    table = PermohonanReminder.__table__
    row = model.Session.execute(
        insert(table).values(request_id=request.id, kind=kind, due=request.due,
                             recipients=count, sent=dt.datetime.utcnow())
        .on_conflict_do_nothing(constraint="satudata_permohonan_reminder_key")
        .returning(table.c.id)).first()
    return row is not None


def _message(kind: str, request: Permohonan, days: int) -> tuple[str, str]:
    assert request.due is not None
    values = {"number": request.number, "kind": R.kind_labels()[request.kind],
              "state": R.state_labels()[request.state],
              "date": format_date(request.due, "d MMMM y"), "days": days}
    if kind == "before" and days == 0:
        subject = tk._("[Satu Data] Request {number} is due today").format(**values)
        body = tk._("Request {number} ({kind}, {state}) must be answered today, {date}. "
                    "Answer it, or extend its deadline once with a reason, on its "
                    "page:").format(**values)
    elif kind == "before":
        subject = tk._("[Satu Data] Request {number} is due on {date}").format(**values)
        body = tk.ungettext(
            "Request {number} ({kind}, {state}) must be answered by {date}, in {days} "
            "working day. Answer it, or extend its deadline once with a reason, on its "
            "page:",
            "Request {number} ({kind}, {state}) must be answered by {date}, in {days} "
            "working days. Answer it, or extend its deadline once with a reason, on its "
            "page:", days).format(**values)
    else:
        subject = tk._("[Satu Data] Request {number} is overdue").format(**values)
        body = tk._("Request {number} ({kind}, {state}) was due on {date} and has not been "
                    "answered. It is flagged as overdue in walidata's list until it is "
                    "answered:").format(**values)
    url = tk.config.get("ckan.site_url", "").rstrip("/") + f"/permohonan-data/{request.number}"
    return subject, f"{body}\n{url}\n"


def _open_requests(until: dt.date) -> list[Permohonan]:
    return list(model.Session.scalars(
        sa.select(Permohonan)
        .where(Permohonan.state.in_(OPEN_STATES), Permohonan.confirmed.is_not(None),
               Permohonan.due.is_not(None), Permohonan.due <= until)
        .order_by(Permohonan.due, Permohonan.number)))


def send(today: dt.date | None = None) -> Sent:
    """Send every deadline reminder due on `today` (WIB; default today) not sent yet."""
    today = today or today_wib()
    sent = Sent()
    off = deadline.holidays()
    # Enough calendar days to hold `remind_days` working days and the holidays between.
    horizon = deadline.add_working_days(today, remind_days(), off)
    with verification.default_language():
        for request in _open_requests(horizon):
            assert request.due is not None
            kind = "overdue" if request.due < today else "before"
            users = recipients(request)
            if not users or not _claim(request, kind, len(users)):
                model.Session.rollback()
                continue
            days = deadline.working_days_between(today, request.due, off)
            subject, body = _message(kind, request, days)
            try:
                sent.notifications += verification.notify_users(
                    users, subject, body, request.package_id or "", send_now=True)
            except Exception:  # an SMTP failure must not stop the other reminders
                log.exception("Permohonan %s: reminder %s failed", request.number, kind)
            setattr(sent, kind, getattr(sent, kind) + 1)
    return sent
