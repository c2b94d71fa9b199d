"""Append-only audit log: workflow transitions, role changes, grants, restricted downloads."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from flask import has_request_context, request

from ckanext.verifikasi import config, localtime, states
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


# Reading the log: filters, names and labels (the audit page and its CSV export).

def action_labels() -> dict[str, str]:
    """The audit log's action codes and what they mean, in the current language."""
    _ = tk._
    return {
        "workflow_submit": _("Submitted for verification"),
        "workflow_approve": _("Approved"),
        "workflow_return": _("Returned"),
        "workflow_withdraw": _("Withdrawn from publication"),
        "workflow_publish": _("Published directly"),
        "comment": _("Commented on the metadata"),
        "account_create": _("Account created"),
        "account_deactivate": _("Account deactivated"),
        "account_reactivate": _("Account activated again"),
        "account_activation_send": _("Activation e-mail sent again"),
        "opd_create": _("OPD created"),
        "opd_update": _("OPD renamed"),
        "site_text_update": _("Site texts changed"),
        "role_assign": _("Role assigned"),
        "role_revoke": _("Role revoked"),
        "access_grant": _("Access granted"),
        "access_extend": _("Access extended"),
        "access_revoke": _("Access revoked"),
        "download": _("Restricted data downloaded"),
        "reminder": _("Reminder sent"),
        "pii_exception_create": _("Personal data exception added"),
        "pii_exception_delete": _("Personal data exception removed"),
        "login_locked": _("Login locked"),
        "login_unlocked": _("Login unlocked"),
        "twofactor_enabled": _("Two-factor login turned on"),
        "twofactor_disabled": _("Two-factor login turned off"),
        "twofactor_reset": _("Two-factor login reset"),
    }


def filtered(stmt: Any, *, user_id: str | None = None, organization_id: str | None = None,
             action: str | None = None, since: dt.datetime | None = None,
             before: dt.datetime | None = None) -> Any:
    """`stmt` (a select of AuditEntry) limited to entries
    - `user_id`: done by the user, or about them (role changes, grants);
    - `organization_id`: about the OPD or one of its datasets (or their resources);
    - `action`: of this action code;
    - `since`/`before`: created in [since, before) (naive UTC)."""
    if user_id:
        stmt = stmt.where(sa.or_(
            AuditEntry.actor == user_id,
            sa.and_(AuditEntry.object_type == "user", AuditEntry.object_id == user_id),
            AuditEntry.detail["user_id"].astext == user_id))
    if organization_id:
        packages = sa.select(model.Package.id).where(
            model.Package.owner_org == organization_id).scalar_subquery()
        stmt = stmt.where(sa.or_(
            sa.and_(AuditEntry.object_type == "package", AuditEntry.object_id.in_(packages)),
            AuditEntry.detail["package_id"].astext.in_(packages),
            AuditEntry.detail["organization_id"].astext == organization_id,
            sa.and_(AuditEntry.object_type == "organization",
                    AuditEntry.object_id == organization_id)))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if since:
        stmt = stmt.where(AuditEntry.created >= since)
    if before:
        stmt = stmt.where(AuditEntry.created < before)
    return stmt


def names(entries: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """The users, datasets and OPDs a page of entries mentions, in ONE query:
    {"user": {id: {name, title}}, "package": {id: {name, title, state, owner_org}},
     "organization": {id: {name, title}}}."""
    ids: dict[str, set[str]] = {"user": set(), "package": set(), "organization": set()}
    for e in entries:
        detail = e.get("detail") or {}
        if e.get("actor"):
            ids["user"].add(e["actor"])
        if e["object_type"] in ids:
            ids[e["object_type"]].add(e["object_id"])
        for key, kind in (("user_id", "user"), ("package_id", "package"),
                          ("organization_id", "organization")):
            if isinstance(detail.get(key), str):
                ids[kind].add(detail[key])
    found: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in ids}
    parts = []
    if ids["user"]:
        parts.append(sa.select(
            sa.literal("user").label("kind"), model.User.id, model.User.name,
            sa.func.coalesce(sa.func.nullif(model.User.fullname, ""), model.User.name)
            .label("title"), model.User.state, sa.null().label("owner_org"))
            .where(model.User.id.in_(ids["user"])))
    if ids["package"]:
        parts.append(sa.select(
            sa.literal("package").label("kind"), model.Package.id, model.Package.name,
            sa.func.coalesce(sa.func.nullif(model.Package.title, ""), model.Package.name),
            model.Package.state, model.Package.owner_org)
            .where(model.Package.id.in_(ids["package"])))
    if ids["organization"]:
        parts.append(sa.select(
            sa.literal("organization").label("kind"), model.Group.id, model.Group.name,
            sa.func.coalesce(sa.func.nullif(model.Group.title, ""), model.Group.name),
            model.Group.state, sa.null())
            .where(model.Group.id.in_(ids["organization"])))
    if not parts:
        return found
    query = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    for kind, id_, name, title, state, owner_org in model.Session.execute(query):
        found[kind][id_] = {"id": id_, "name": name, "title": title, "state": state,
                            "owner_org": owner_org}
    return found


def role_label(role: str) -> str:
    """A portal role's name in the current language (for modules helpers reaches)."""
    return _role_label(role)


def _role_label(role: str) -> str:
    # The labels of helpers.verifikasi_role_label (helpers reach this module through
    # notify and roles, so it is not imported here).
    return {"operator": tk._("Operator"), "surveyor": tk._("Surveyor"),
            "verifikator": tk._("Verifikator"), "walidata": tk._("Walidata"),
            "walidata_pendukung": tk._("Walidata Pendukung"),
            "pembina": tk._("Pembina Data")}.get(role, role)


def summary(entry: dict[str, Any], found: dict[str, dict[str, dict[str, Any]]]) -> str:
    """The entry's details in one readable line, e.g. "Status: Waiting for verifikator →
    Waiting for walidata · Note: ..." (labels in the current language)."""
    _ = tk._
    detail = dict(entry.get("detail") or {})
    parts: list[str] = []

    def title(kind: str, id_: Any) -> str:
        row = found.get(kind, {}).get(id_) if isinstance(id_, str) else None
        return row["title"] if row else str(id_)

    if detail.get("from_state") or detail.get("to_state"):
        parts.append(_("Status: {old} → {new}").format(
            old=states.state_label(detail.pop("from_state", None) or "") or "–",
            new=states.state_label(detail.pop("to_state", None) or "") or "–"))
    detail.pop("from_state", None)
    detail.pop("to_state", None)
    if detail.get("role"):
        parts.append(_("Role: {role}").format(role=_role_label(detail.pop("role"))))
    if "organization_id" in detail:
        org = detail.pop("organization_id")
        if org:
            parts.append(_("OPD: {opd}").format(opd=title("organization", org)))
    if detail.get("user_id"):
        parts.append(_("User: {user}").format(user=title("user", detail.pop("user_id"))))
    if entry["object_type"] != "package" and detail.get("package_id"):
        parts.append(_("Dataset: {dataset}").format(
            dataset=title("package", detail.pop("package_id"))))
    detail.pop("package_id", None)
    detail.pop("grant_id", None)  # the grant's number says nothing to a reader
    if detail.get("previous_expires") and detail.get("expires"):
        parts.append(_("Valid until: {old} → {new}").format(
            old=localtime.format_date(detail.pop("previous_expires")),
            new=localtime.format_date(detail.pop("expires"))))
    elif detail.get("expires"):
        parts.append(_("Valid until: {date}").format(
            date=localtime.format_date(detail.pop("expires"))))
    if detail.get("deadline"):
        parts.append(_("Deadline: {date}").format(
            date=localtime.format_date(detail.pop("deadline"))))
    for key, label in (("note", _("Note: {text}")), ("reason", _("Reason: {text}"))):
        if detail.get(key):
            parts.append(label.format(text=detail.pop(key)))
    if detail.get("format"):
        parts.append(_("Format: {format}").format(format=str(detail.pop("format")).upper()))
    for key, value in sorted(detail.items()):
        if value not in (None, "", [], {}):
            parts.append(f"{key}: {value}")
    return " · ".join(parts)


def readable(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries with names, labels and a summary (names of the whole page in one query):
    each gains `actor_name`, `actor_title`, `action_label`, `object_name`,
    `object_title`, `object_link` (a dataset's name when it still exists), `summary`."""
    found = names(entries)
    labels = action_labels()
    result = []
    for e in entries:
        actor = found["user"].get(e.get("actor") or "")
        obj = found.get(e["object_type"], {}).get(e["object_id"])
        package = obj if e["object_type"] == "package" else \
            found["package"].get((e.get("detail") or {}).get("package_id") or "")
        result.append({
            **e,
            "actor_name": actor["name"] if actor else e.get("actor"),
            "actor_title": actor["title"] if actor else None,
            "action_label": labels.get(e["action"], e["action"]),
            "object_name": obj["name"] if obj else None,
            "object_title": obj["title"] if obj else None,
            "dataset_name": package["name"] if package and package["state"] != "deleted"
            else None,
            "dataset_title": package["title"] if package else None,
            "summary": summary(e, found),
        })
    return result
