"""Comments in a dataset's review history.

Pembina Data comment on the metadata of any dataset; walidata (and walidata pendukung of
the owning OPD) and the owning OPD's operators and verifikators answer. A comment is an
entry of the append-only audit log (action `comment`, about the dataset), so it needs no
table of its own and can never be edited or removed; the dataset's verification history
shows it among the workflow's steps. A comment is not a workflow step: it moves nothing,
and the workflow's figures (monitoring, publication dates) never count it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.verifikasi import audit, notify, roles
from ckanext.verifikasi.model import AuditEntry, Notification

#: The audit action of a comment, and the history's `action` of one.
COMMENT = "comment"
#: The longest comment (characters).
MAX_LENGTH = 2000


def commenter_role(user: model.User, owner_org: str | None) -> str:
    """The role a comment is made in (the strongest the user holds for the dataset)."""
    held = roles.roles_of(user.id)
    if held.walidata:
        return "walidata"
    if held.has("walidata_pendukung", owner_org):
        return "walidata_pendukung"
    if held.pembina:
        return "pembina"
    for role in ("verifikator", "operator"):
        if held.has(role, owner_org):
            return role
    return "sysadmin" if user.sysadmin else "pembina"


def create(pkg: model.Package, user: model.User, text: str) -> dict[str, Any]:
    """Record a comment (committed) and tell the dataset's OPD; returns its history entry."""
    role = commenter_role(user, pkg.owner_org)
    audit.record(user.id, COMMENT, "package", pkg.id, note=text, role=role)
    model.Session.flush()
    entry = model.Session.execute(
        sa.select(AuditEntry).where(AuditEntry.object_id == pkg.id,
                                    AuditEntry.action == COMMENT,
                                    AuditEntry.actor == user.id)
        .order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
    notes = _notifications(pkg, user, role, text)
    model.Session.commit()
    if notes:
        notify.queue_emails(notes, pkg.title or pkg.name)
    return _entry_dict(entry, user.name)


def _notifications(pkg: model.Package, user: model.User, role: str,
                   text: str) -> list[Notification]:
    """In-app notifications (in the portal's language) for the OPD's operators,
    verifikators and walidata pendukung, the commenter left out."""
    recipients = {uid for r in ("operator", "verifikator", "walidata_pendukung")
                  for uid in roles.holders(r, pkg.owner_org)} - {user.id}
    if not recipients:
        return []
    url = tk.config["ckan.site_url"].rstrip("/") + f"/verifikasi/dataset/{pkg.name}"
    with notify.default_language():
        title = pkg.title or pkg.name
        subject = tk._("New comment on {title}").format(title=title)
        body = "\n\n".join([
            tk._("{user} ({role}) commented on {title}:").format(
                user=user.fullname or user.name, role=audit.role_label(role),
                title=title),
            text,
            tk._("Read it and answer in the verification history: {url}").format(url=url)])
    notes = [Notification(user_id=uid, package_id=pkg.id, subject=subject, body=body)
             for uid in sorted(recipients)]
    model.Session.add_all(notes)
    model.Session.flush()
    return notes


def _entry_dict(entry: AuditEntry, actor_name: str | None) -> dict[str, Any]:
    """A comment in the shape of the workflow history's entries (`action`: comment)."""
    detail = entry.detail or {}
    return {
        "id": None, "comment_id": entry.id, "action": COMMENT,
        "from_state": None, "to_state": None, "actor_id": entry.actor,
        "actor": actor_name, "actor_role": detail.get("role"), "note": detail.get("note"),
        "deadline": None, "created": entry.created.isoformat() if entry.created else None,
    }


def listing(package_id: str) -> list[dict[str, Any]]:
    """The dataset's comments, oldest first (one query)."""
    rows = model.Session.execute(
        sa.select(AuditEntry, model.User.name)
        .outerjoin(model.User, model.User.id == AuditEntry.actor)
        .where(AuditEntry.object_id == package_id, AuditEntry.object_type == "package",
               AuditEntry.action == COMMENT)
        .order_by(AuditEntry.id)).all()
    return [_entry_dict(entry, name) for entry, name in rows]


def with_history(history: list[dict[str, Any]], package_id: str) -> list[dict[str, Any]]:
    """The workflow's history with the dataset's comments, in time order (a step and a
    comment at the same moment: the step first)."""
    comments = listing(package_id)
    if not comments:
        return history

    def when(item: dict[str, Any]) -> dt.datetime:
        return dt.datetime.fromisoformat(item["created"]) if item["created"] \
            else dt.datetime.min

    merged = [(when(e), 0, i, e) for i, e in enumerate(history)] + \
        [(when(c), 1, i, c) for i, c in enumerate(comments)]
    return [item for *_key, item in sorted(merged, key=lambda k: k[:3])]
