"""Daily reminders of overdue corrections (returned datasets past their deadline)."""
from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.verifikasi import audit, localtime, notify, roles
from ckanext.verifikasi.model import AuditEntry, Notification, WorkflowState


def _already_reminded(package_id: str, today: dt.date) -> bool:
    return model.Session.execute(sa.select(AuditEntry.id).where(
        AuditEntry.action == "reminder", AuditEntry.object_id == package_id,
        AuditEntry.detail["date"].astext == today.isoformat()).limit(1)).first() is not None


def send_overdue_reminders(today: dt.date | None = None) -> int:
    """Notify the operators of every overdue correction once per day; returns how many."""
    today = today or localtime.today()
    overdue = model.Session.execute(
        sa.select(WorkflowState, model.Package)
        .join(model.Package, model.Package.id == WorkflowState.package_id)
        .where(WorkflowState.state == "returned", WorkflowState.deadline < today,
               model.Package.state != "deleted")).all()
    notes: list[Notification] = []
    reminded = 0
    for state, pkg in overdue:
        if _already_reminded(pkg.id, today):
            continue
        with notify.default_language():
            subject = tk._("[Satu Data] Correction overdue: {title}").format(title=pkg.title)
            body = tk._('The correction of "{title}" was due on {date}. Please correct it and '
                        "send it to the verifikator again: {url}").format(
                title=pkg.title, date=localtime.format_date(state.deadline),
                url=tk.config["ckan.site_url"].rstrip("/") + f"/dataset/{pkg.name}")
        for user_id in roles.holders("operator", pkg.owner_org):
            notes.append(Notification(user_id=user_id, package_id=pkg.id, subject=subject,
                                      body=body))
        audit.record(None, "reminder", "package", pkg.id, date=today.isoformat(),
                     deadline=state.deadline.isoformat())
        reminded += 1
    model.Session.add_all(notes)
    model.Session.commit()
    notify.queue_emails(notes, f"verifikasi reminders {today.isoformat()}")
    return reminded
