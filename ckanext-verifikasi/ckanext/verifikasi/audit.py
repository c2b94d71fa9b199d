"""Append-only audit log: workflow transitions, role changes, grants, restricted downloads."""
from __future__ import annotations

from typing import Any

from ckan import model
from flask import has_request_context, request

from ckanext.verifikasi import config
from ckanext.verifikasi.logic import datastore_aliases
from ckanext.verifikasi.model import AuditEntry, WorkflowEvent


def record(actor: str | None, action: str, object_type: str, object_id: str,
           **detail: Any) -> None:
    """Add an entry to the current transaction (the caller commits with its own change)."""
    remote = request.remote_addr if has_request_context() else None
    model.Session.add(AuditEntry(actor=actor, action=action, object_type=object_type,
                                 object_id=object_id, detail=detail, remote_addr=remote))


def on_transition(package_id: str, *, event: WorkflowEvent, **_: Any) -> None:
    """Receiver of `signals.transition`: the step's entry, in the transition's transaction."""
    record(event.actor_id, f"workflow_{event.action}", "package", package_id,
           from_state=event.from_state, to_state=event.to_state, note=event.note,
           deadline=event.deadline.isoformat() if event.deadline else None)


def on_datastore_dump(resource_id: str, **detail: Any) -> None:
    """Downloads of restricted tables are audited like file downloads (also by alias)."""
    resource_id = datastore_aliases.resolve(resource_id)
    resource = model.Resource.get(resource_id)
    if resource is None or resource.package.extras.get(
            config.access_field()) not in config.restricted_classes():
        return
    actor = model.User.get(detail.get("user") or "") if detail.get("user") else None
    record(actor.id if actor else None, "download", "resource", resource_id,
           package_id=resource.package_id, format=detail.get("format"))
    model.Session.commit()
