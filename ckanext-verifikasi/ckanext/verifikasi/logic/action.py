"""Actions of ckanext-verifikasi: the workflow, roles, access grants, audit, notifications,
and chained core actions that keep publication in the workflow's hands."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Action, Context, DataDict

from ckanext.verifikasi import access, audit, notify, roles, workflow
from ckanext.verifikasi.logic import schema
from ckanext.verifikasi.logic.published_reads import (
    datastore_create,
    datastore_delete,
    datastore_info,
    datastore_search,
    datastore_search_sql,
    datastore_upsert,
    xloader_submit,
)
from ckanext.verifikasi.model import AccessGrant, AuditEntry, Notification

__all__ = [
    "activity_create", "datastore_create", "datastore_delete", "datastore_info",
    "datastore_search", "datastore_search_sql", "datastore_upsert",
    "package_create", "package_update",
    "verifikasi_access_grant", "verifikasi_access_revoke", "verifikasi_approve",
    "verifikasi_audit_list", "verifikasi_notification_list", "verifikasi_queue_list",
    "verifikasi_return", "verifikasi_role_assign", "verifikasi_role_list",
    "verifikasi_role_revoke", "verifikasi_status_show", "verifikasi_submit",
    "verifikasi_withdraw",
]


def get_actions() -> dict[str, Any]:
    """The actions to register; chains of optional actions only where they exist."""
    names = [n for n in __all__ if n != "datastore_search_sql"
             or tk.asbool(tk.config.get("ckan.datastore.sqlsearch.enabled"))]
    actions = {name: globals()[name] for name in names}
    if p.plugin_loaded("xloader"):
        actions["xloader_submit"] = xloader_submit
    return actions


def _user(context: Context) -> model.User:
    user = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("You must be logged in"))
    return user


def _validated(data_dict: DataDict, schema_: dict, context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema_, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _step(action: str, context: Context, data_dict: DataDict) -> dict[str, Any]:
    tk.check_access(f"verifikasi_{action}", context, data_dict)
    data = _validated(data_dict, schema.transition(), context)
    deadline = data.get("deadline")
    if isinstance(deadline, dt.datetime):
        deadline = deadline.date()
    return workflow.transition(
        model.Package.get(data["id"]).id, action, _user(context),
        note=data.get("note") or data.get("reason"), deadline=deadline)


def verifikasi_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Operator: send a draft or returned dataset to the OPD verifikator.

    Refused, with every missing field named, while the SDI metadata is incomplete.

    Args:
        id: dataset id or name.
    Returns:
        the history entry of the transition.
    """
    return _step("submit", context, data_dict)


def verifikasi_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Verifikator: submitted -> verified. Walidata: verified -> published.

    Args:
        id: dataset id or name.
        note: optional remark kept in the history.
    """
    return _step("approve", context, data_dict)


def verifikasi_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Verifikator or walidata: send back to the operator for correction.

    Args:
        id: dataset id or name.
        note: what to correct (required).
        deadline: optional date (YYYY-MM-DD), not in the past.
    """
    return _step("return", context, data_dict)


def verifikasi_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: take a published dataset down.

    Args:
        id: dataset id or name.
        reason: why (required); shown to the OPD and walidata.
    """
    return _step("withdraw", context, data_dict)


@tk.side_effect_free
def verifikasi_status_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The dataset's workflow state with the full history of transitions and notes.

    Args:
        id: dataset id or name.
    """
    tk.check_access("verifikasi_status_show", context, data_dict)
    pkg = model.Package.get(tk.get_or_bust(data_dict, "id"))
    state = workflow.state_of(pkg.id)
    return {
        "id": pkg.id, "name": pkg.name, "state": state.state,
        "state_label": workflow.state_label(state.state),
        "deadline": state.deadline.isoformat() if state.deadline else None,
        "overdue": workflow.is_overdue(state), "has_published": state.has_published,
        "history": workflow.history(pkg.id),
    }


@tk.side_effect_free
def verifikasi_queue_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The caller's inbox: datasets waiting for them, returned by them, and overdue ones.

    Returns:
        {"waiting": [...], "returned": [...], "overdue": [...]} of
        {id, name, title, state, deadline, overdue}.
    """
    tk.check_access("verifikasi_queue_list", context, data_dict)
    user = _user(context)
    held = roles.roles_of(user.id)
    waiting_clauses = []
    if user.sysadmin or held.walidata:
        waiting_clauses.append(workflow.WorkflowState.state == "verified")
    verifier_orgs = [o for o, r in held.opd.items() if "verifikator" in r]
    operator_orgs = [o for o, r in held.opd.items() if "operator" in r]
    if verifier_orgs:
        waiting_clauses.append(sa.and_(workflow.WorkflowState.state == "submitted",
                                       model.Package.owner_org.in_(verifier_orgs)))
    if operator_orgs:
        waiting_clauses.append(sa.and_(workflow.WorkflowState.state == "returned",
                                       model.Package.owner_org.in_(operator_orgs)))
    base = (sa.select(workflow.WorkflowState, model.Package)
            .join(model.Package, model.Package.id == workflow.WorkflowState.package_id)
            .where(model.Package.state != "deleted"))
    rows = model.Session.execute(base.where(sa.or_(*waiting_clauses))).all() \
        if waiting_clauses else []
    returned_ids = model.Session.execute(
        sa.select(workflow.WorkflowEvent.package_id).distinct()
        .where(workflow.WorkflowEvent.actor_id == user.id,
               workflow.WorkflowEvent.action == "return")).scalars().all()
    returned = model.Session.execute(base.where(
        workflow.WorkflowState.package_id.in_(returned_ids),
        workflow.WorkflowState.state == "returned")).all() if returned_ids else []

    def item(state, pkg):
        return {"id": pkg.id, "name": pkg.name, "title": pkg.title, "state": state.state,
                "state_label": workflow.state_label(state.state),
                "deadline": state.deadline.isoformat() if state.deadline else None,
                "overdue": workflow.is_overdue(state)}

    waiting = [item(s, p) for s, p in rows]
    returned_items = [item(s, p) for s, p in returned]
    overdue = [i for i in waiting + returned_items if i["overdue"]]
    return {"waiting": waiting, "returned": returned_items,
            "overdue": list({i["id"]: i for i in overdue}.values())}


def _role_args(context: Context, data_dict: DataDict) -> tuple[model.User, str, str | None]:
    data = _validated(data_dict, schema.role(), context)
    user = model.User.get(data["user"])
    org_id = None
    if data["role"] != "walidata":
        if not data.get("organization"):
            raise tk.ValidationError({"organization": [tk._(
                "An OPD is required for this role")]})
        org = model.Group.get(data["organization"])
        if org is None or not org.is_organization:
            raise tk.ValidationError({"organization": [tk._("No such OPD")]})
        org_id = org.id
    return user, data["role"], org_id


def verifikasi_role_assign(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: give a user a role (operator/surveyor/verifikator in an OPD, or walidata).

    Args:
        user: user id or name. role: operator | surveyor | verifikator | walidata.
        organization: the OPD (id or name), required except for walidata.
    """
    tk.check_access("verifikasi_role_assign", context, data_dict)
    user, role, org_id = _role_args(context, data_dict)
    created = roles.assign(user.id, role, org_id, _user(context).id)
    return {"user": user.name, "role": role, "organization_id": org_id, "created": created}


def verifikasi_role_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: take a role away (same arguments as verifikasi_role_assign)."""
    tk.check_access("verifikasi_role_revoke", context, data_dict)
    user, role, org_id = _role_args(context, data_dict)
    if not roles.revoke(user.id, role, org_id, _user(context).id):
        raise tk.ObjectNotFound(tk._("The user does not hold this role"))
    return {"user": user.name, "role": role, "organization_id": org_id, "revoked": True}


@tk.side_effect_free
def verifikasi_role_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Roles, optionally of one OPD (`organization`) or one user (`user`)."""
    tk.check_access("verifikasi_role_list", context, data_dict)
    org = model.Group.get(data_dict["organization"]) if data_dict.get("organization") else None
    user = model.User.get(data_dict["user"]) if data_dict.get("user") else None
    return roles.listing(org.id if org else None, user.id if user else None)


def verifikasi_access_grant(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: let a user use the data of a terbatas/rahasia dataset until `expires`.

    Args:
        id: dataset. user: user id or name. expires: YYYY-MM-DD (not past). reason: text.
    """
    tk.check_access("verifikasi_access_grant", context, data_dict)
    data = _validated(data_dict, schema.grant(), context)
    expires = data["expires"].date() if isinstance(data["expires"], dt.datetime) \
        else data["expires"]
    if expires < dt.date.today():
        raise tk.ValidationError({"expires": [tk._("The expiry date cannot be in the past")]})
    pkg = model.Package.get(data["id"])
    if pkg is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    actor = _user(context)
    grantee = model.User.get(data["user"])
    grant = AccessGrant(package_id=pkg.id, user_id=grantee.id, expires=expires,
                        reason=data.get("reason"), created_by=actor.id)
    model.Session.add(grant)
    audit.record(actor.id, "access_grant", "package", pkg.id, user_id=grantee.id,
                 expires=expires.isoformat(), reason=data.get("reason"))
    model.Session.commit()
    _reindex(pkg.id)
    return {"id": grant.id, "package_id": pkg.id, "user_id": grantee.id,
            "expires": expires.isoformat()}


def verifikasi_access_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: end a user's access grants to a dataset. Args: id (dataset), user."""
    tk.check_access("verifikasi_access_revoke", context, data_dict)
    pkg = model.Package.get(tk.get_or_bust(data_dict, "id"))
    grantee = model.User.get(tk.get_or_bust(data_dict, "user"))
    if pkg is None or grantee is None:
        raise tk.ObjectNotFound(tk._("Dataset or user not found"))
    actor = _user(context)
    result = model.Session.execute(
        sa.update(AccessGrant)
        .where(AccessGrant.package_id == pkg.id, AccessGrant.user_id == grantee.id,
               AccessGrant.revoked.is_(None))
        .values(revoked=dt.datetime.utcnow(), revoked_by=actor.id))
    if not result.rowcount:
        raise tk.ObjectNotFound(tk._("The user holds no access grant for this dataset"))
    audit.record(actor.id, "access_revoke", "package", pkg.id, user_id=grantee.id)
    model.Session.commit()
    _reindex(pkg.id)
    return {"package_id": pkg.id, "user_id": grantee.id, "revoked": result.rowcount}


def _reindex(package_id: str) -> None:
    from ckan.lib.search import rebuild

    rebuild(package_id)


@tk.side_effect_free
def verifikasi_audit_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Walidata: audit entries, newest first. Args: object_id, actor, limit (<=1000), offset."""
    tk.check_access("verifikasi_audit_list", context, data_dict)
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if data_dict.get("object_id"):
        stmt = stmt.where(AuditEntry.object_id == data_dict["object_id"])
    if data_dict.get("actor"):
        stmt = stmt.where(AuditEntry.actor == data_dict["actor"])
    limit = min(int(data_dict.get("limit", 100)), 1000)
    stmt = stmt.limit(limit).offset(int(data_dict.get("offset", 0)))
    return [{"id": e.id, "created": e.created.isoformat(), "actor": e.actor,
             "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
             "detail": e.detail, "remote_addr": e.remote_addr}
            for e in model.Session.execute(stmt).scalars()]


@tk.side_effect_free
def verifikasi_notification_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The caller's in-app notifications with the unread count."""
    tk.check_access("verifikasi_notification_list", context, data_dict)
    user = _user(context)
    if tk.asbool(data_dict.get("mark_read")):
        model.Session.query(Notification).filter(
            Notification.user_id == user.id, Notification.read.is_(None)
        ).update({"read": dt.datetime.utcnow()})
        model.Session.commit()
    return {"unread": notify.unread_count(user.id), "notifications": notify.listing(user.id)}


# Chained core actions: publication only through the workflow.

@tk.chained_action
def package_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """New datasets start as private drafts in the workflow (sysadmin imports excepted)."""
    user = model.User.get(context.get("user") or "")
    imported_public = bool(user and user.sysadmin and not tk.asbool(
        data_dict.get("private", False)) and data_dict.get("state") != "draft")
    if not imported_public:
        data_dict["private"] = True
    result = next_action(context, data_dict)
    package_id = result if isinstance(result, str) else result["id"]
    workflow.ensure_state(package_id, "published" if imported_public else "draft",
                          published=imported_public)
    model.Session.commit()
    return result


@tk.chained_action
def package_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Only the workflow publishes; edits under review are refused; an edit of a published
    dataset starts an update while the published version stays public."""
    if context.get("verifikasi_transition"):
        return next_action(context, data_dict)
    pkg = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    user = model.User.get(context.get("user") or "")
    if pkg is None or (user and user.sysadmin):
        return next_action(context, data_dict)
    state = workflow.state_of(pkg.id)
    walidata = bool(user and roles.roles_of(user.id).walidata)
    if state.state in workflow.REVIEW_STATES and not walidata:
        raise tk.ValidationError({"state": [tk._(
            "This dataset is under review ({state}); it cannot be changed until it is "
            "returned").format(state=workflow.state_label(state.state))]})
    data_dict["private"] = pkg.private  # the workflow decides publication
    if state.state == "published":
        # Before the update commits, so the search index already sees an update in
        # progress (and keeps showing the published version).
        workflow.start_update(pkg.id)
    return next_action(context, data_dict)


@tk.chained_action
def activity_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Activities of a dataset whose content is not public are for its team only.

    Core labels an activity with the dataset's labels when it is recorded; while an
    update of published data is reviewed those include `public` (the published copy
    stays public), but the activity carries the unapproved edit.
    """
    pkg = model.Package.get(data_dict.get("object_id") or "")
    if pkg is not None and data_dict.get("permission_labels") is not None:
        state = workflow.state_of(pkg.id)
        if state.state != "published" or pkg.private:
            data_dict["permission_labels"] = access.team_labels(pkg)
    return next_action(context, data_dict)
