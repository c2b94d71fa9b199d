"""Actions of ckanext-verifikasi: the workflow, roles, access grants, audit, notifications;
the chained core actions that keep publication in the workflow's hands are in
`publication_actions` (registered from here)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Action, Context, DataDict

from ckanext.verifikasi import (
    audit,
    comments,
    config,
    localtime,
    notify,
    queue,
    roles,
    states,
    workflow,
)
from ckanext.verifikasi.logic import auth, schema
from ckanext.verifikasi.logic.publication_actions import (
    activity_create,
    bulk_update_private,
    bulk_update_public,
    dataset_purge,
    package_create,
    package_update,
    resource_view_create,
)
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
    "activity_create", "bulk_update_private", "bulk_update_public", "dataset_purge",
    "datastore_create", "datastore_delete", "datastore_info", "datastore_search",
    "datastore_search_sql", "datastore_upsert", "package_create", "package_update",
    "resource_view_create",
    "user_autocomplete", "verifikasi_access_grant", "verifikasi_access_grant_extend",
    "verifikasi_access_grant_list", "verifikasi_access_revoke", "verifikasi_approve",
    "verifikasi_audit_list", "verifikasi_comment_create", "verifikasi_notification_list",
    "verifikasi_queue_list",
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


_caller = auth.caller


def _user(context: Context) -> model.User:
    user = _caller(context)
    if user is None:
        raise tk.NotAuthorized(tk._("You must be logged in"))
    return user


def _step(action: str, context: Context, data: DataDict) -> dict[str, Any]:
    """`data`: validated with schema.transition."""
    tk.check_access(f"verifikasi_{action}", context, data)
    deadline = data.get("deadline")
    if isinstance(deadline, dt.datetime):
        deadline = deadline.date()
    return workflow.transition(
        model.Package.get(data["id"]).id, action, _user(context),
        note=data.get("note") or data.get("reason"), deadline=deadline)


@tk.validate_action_data(schema.transition)
def verifikasi_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Operator: send a draft or returned dataset to the OPD verifikator.

    Refused, with every missing field named, while the SDI metadata is incomplete.

    Args:
        id: dataset id or name.
    Returns:
        the history entry of the transition.
    """
    return _step("submit", context, data_dict)


@tk.validate_action_data(schema.transition)
def verifikasi_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Verifikator: submitted -> verified. Walidata: verified -> published.

    Args:
        id: dataset id or name.
        note: optional remark kept in the history.
    """
    return _step("approve", context, data_dict)


@tk.validate_action_data(schema.transition)
def verifikasi_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Verifikator or walidata: send back to the operator for correction.

    Args:
        id: dataset id or name.
        note: what to correct (required).
        deadline: optional date (YYYY-MM-DD), not in the past.
    """
    return _step("return", context, data_dict)


@tk.validate_action_data(schema.transition)
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
        "state_label": states.state_label(state.state),
        "deadline": state.deadline.isoformat() if state.deadline else None,
        "overdue": workflow.is_overdue(state), "has_published": state.has_published,
        "history": comments.with_history(workflow.history(pkg.id), pkg.id),
    }


@tk.validate_action_data(schema.comment)
def verifikasi_comment_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Pembina, walidata (walidata pendukung of the owning OPD too), or an operator or
    verifikator of the owning OPD: comment on the dataset's metadata in its verification
    history (any status; a comment moves nothing). The OPD's operators, verifikators and
    walidata pendukung are notified.

    Args:
        id: dataset id or name.
        text: the comment (at most 2000 characters).
    Returns:
        the comment as an entry of the history (`action`: comment, `note`: the text).
    """
    pkg = model.Package.get(data_dict["id"])
    if pkg is None or pkg.state == "deleted" or pkg.type not in config.dataset_types():
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    tk.check_access("verifikasi_comment_create", context, {"id": pkg.id})
    return comments.create(pkg, _user(context), data_dict["text"])


@tk.side_effect_free
def verifikasi_queue_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The caller's inbox: datasets waiting for them, returned by them, and overdue ones.

    Returns:
        {"waiting": [...], "returned": [...], "overdue": [...]} of {id, name, title,
        state, state_label, organization, waiting_since, days_waiting, deadline, overdue},
        oldest first.
    """
    tk.check_access("verifikasi_queue_list", context, data_dict)
    return queue.inbox(_user(context))


def _role_args(data: DataDict) -> tuple[model.User, str, str | None]:
    """`data`: validated with schema.role."""
    user = model.User.get(data["user"])
    org_id = None
    if data["role"] not in roles.GLOBAL_ROLES:
        if not data.get("organization"):
            raise tk.ValidationError({"organization": [tk._(
                "An OPD is required for this role")]})
        org = model.Group.get(data["organization"])
        if org is None or not org.is_organization:
            raise tk.ValidationError({"organization": [tk._("No such OPD")]})
        org_id = org.id
    return user, data["role"], org_id


@tk.validate_action_data(schema.role)
def verifikasi_role_assign(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: give a user a role (operator/surveyor/verifikator/walidata_pendukung in
    an OPD, or the global walidata or pembina).

    Args:
        user: user id or name.
        role: operator | surveyor | verifikator | walidata_pendukung | walidata | pembina.
        organization: the OPD (id or name), required except for walidata and pembina.
    """
    tk.check_access("verifikasi_role_assign", context, data_dict)
    user, role, org_id = _role_args(data_dict)
    created = roles.assign(user.id, role, org_id, _user(context).id)
    return {"user": user.name, "role": role, "organization_id": org_id, "created": created}


@tk.validate_action_data(schema.role)
def verifikasi_role_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: take a role away (same arguments as verifikasi_role_assign)."""
    tk.check_access("verifikasi_role_revoke", context, data_dict)
    user, role, org_id = _role_args(data_dict)
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


@tk.validate_action_data(schema.grant)
def verifikasi_access_grant(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: let a user use the data of a terbatas/rahasia dataset until `expires`.

    Args:
        id: dataset. user: user id or name. expires: YYYY-MM-DD (not past). reason: text.
    """
    tk.check_access("verifikasi_access_grant", context, data_dict)
    data = data_dict
    expires = data["expires"].date() if isinstance(data["expires"], dt.datetime) \
        else data["expires"]
    if expires < localtime.today():
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


@tk.validate_action_data(schema.grant_extend)
def verifikasi_access_grant_extend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: give an access grant a new expiry date (an expired grant is current again).

    Authorized against the grant's dataset, looked up from the grant.

    Args:
        grant_id: the grant (its number). expires: YYYY-MM-DD, a local date not in the past.
    Returns:
        the grant.
    """
    grant = model.Session.get(AccessGrant, data_dict["grant_id"])
    if grant is None:
        raise tk.ObjectNotFound(tk._("Access grant not found"))
    tk.check_access("verifikasi_access_grant_extend", context,
                    {"id": grant.package_id, "grant_id": grant.id})
    if grant.revoked is not None:
        raise tk.ValidationError({"grant_id": [tk._(
            "A revoked grant cannot be extended; grant access again")]})
    expires = data_dict["expires"]
    expires = expires.date() if isinstance(expires, dt.datetime) else expires
    if expires < localtime.today():
        raise tk.ValidationError({"expires": [tk._("The expiry date cannot be in the past")]})
    actor = _user(context)
    previous = grant.expires
    grant.expires = expires
    audit.record(actor.id, "access_extend", "package", grant.package_id,
                 user_id=grant.user_id, grant_id=grant.id,
                 previous_expires=previous.isoformat(), expires=expires.isoformat())
    model.Session.commit()
    _reindex(grant.package_id)
    return _grant_dict(grant)


def _grant_status(grant: AccessGrant, today: dt.date) -> str:
    if grant.revoked is not None:
        return "revoked"
    return "active" if grant.expires >= today else "expired"


def _grant_dict(grant: AccessGrant, **names: Any) -> dict[str, Any]:
    return {"id": grant.id, "package_id": grant.package_id, "user_id": grant.user_id,
            "expires": grant.expires.isoformat(), "reason": grant.reason,
            "created": grant.created.isoformat(), "created_by": grant.created_by,
            "revoked": grant.revoked.isoformat() if grant.revoked else None,
            "revoked_by": grant.revoked_by,
            "status": _grant_status(grant, localtime.today()), **names}


@tk.side_effect_free
@tk.validate_action_data(schema.grant_list)
def verifikasi_access_grant_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata (walidata pendukung: of its OPDs' datasets only): access grants, newest
    first, with the names of dataset and people (one query for the page).

    Args:
        grant_id: only this grant. id: only grants of this dataset (id or name).
        user: only of this user (id or name).
        status: active | expired | revoked (expired: past its expiry date, local time).
        limit (100; at most `ckan.search.rows_max`), offset.
    Returns:
        {"count": n, "results": [{id, package_id, package_name, package_title, user_id,
        user_name, user_title, created_by, created_by_name, created_by_title, expires,
        reason, created, revoked, revoked_by, status}]}
    """
    tk.check_access("verifikasi_access_grant_list", context, data_dict)
    grantee, granter = sa.orm.aliased(model.User), sa.orm.aliased(model.User)
    conditions = []
    caller = _user(context)
    held = roles.roles_of(caller.id)
    if not (caller.sysadmin or held.walidata):
        # Walidata pendukung: the grants of its OPDs' datasets only.
        conditions.append(AccessGrant.package_id.in_(
            sa.select(model.Package.id).where(
                model.Package.owner_org.in_(sorted(held.supported_opds)))))
    if data_dict.get("grant_id") is not None:
        conditions.append(AccessGrant.id == data_dict["grant_id"])
    if data_dict.get("id"):
        conditions.append(AccessGrant.package_id == model.Package.get(data_dict["id"]).id)
    if data_dict.get("user"):
        conditions.append(AccessGrant.user_id == model.User.get(data_dict["user"]).id)
    today = localtime.today()
    status = data_dict.get("status")
    if status == "revoked":
        conditions.append(AccessGrant.revoked.isnot(None))
    elif status == "active":
        conditions += [AccessGrant.revoked.is_(None), AccessGrant.expires >= today]
    elif status == "expired":
        conditions += [AccessGrant.revoked.is_(None), AccessGrant.expires < today]

    def title(table: Any, column: Any) -> Any:
        return sa.func.coalesce(sa.func.nullif(column, ""), table.name)

    stmt = (sa.select(AccessGrant, model.Package.name, title(model.Package, model.Package.title),
                      grantee.name, title(grantee, grantee.fullname),
                      granter.name, title(granter, granter.fullname),
                      sa.func.count().over())
            .outerjoin(model.Package, model.Package.id == AccessGrant.package_id)
            .outerjoin(grantee, grantee.id == AccessGrant.user_id)
            .outerjoin(granter, granter.id == AccessGrant.created_by)
            .where(*conditions)
            .order_by(AccessGrant.created.desc(), AccessGrant.id.desc())
            .limit(data_dict["limit"]).offset(data_dict["offset"]))
    rows = model.Session.execute(stmt).all()
    results = [_grant_dict(g, package_name=pn, package_title=pt, user_name=un,
                           user_title=ut, created_by_name=cn, created_by_title=ct)
               for g, pn, pt, un, ut, cn, ct, _count in rows]
    count = rows[0][-1] if rows else 0
    if not rows and data_dict["offset"]:
        count = model.Session.execute(sa.select(sa.func.count()).select_from(
            AccessGrant).where(*conditions)).scalar_one()
    return {"count": count, "results": results}


def _reindex(package_id: str) -> None:
    from ckan.lib.search import rebuild

    rebuild(package_id)


@tk.side_effect_free
@tk.validate_action_data(schema.audit_list)
def verifikasi_audit_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Walidata: audit entries, newest first, with the names of the people, datasets and
    OPDs they mention (one query per page), the action's label and a one-line summary.

    Args: object_id, actor (user id), user (id or name: done by or about them),
    organization (OPD id or name), action (code), since/until (local dates, YYYY-MM-DD,
    both included), limit (100; at most `ckan.search.rows_max`), offset."""
    tk.check_access("verifikasi_audit_list", context, data_dict)
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if data_dict.get("object_id"):
        stmt = stmt.where(AuditEntry.object_id == data_dict["object_id"])
    if data_dict.get("actor"):
        stmt = stmt.where(AuditEntry.actor == data_dict["actor"])
    stmt = _audit_filters(stmt, data_dict)
    stmt = stmt.limit(data_dict["limit"]).offset(data_dict["offset"])
    return audit.readable([
        {"id": e.id, "created": e.created.isoformat(), "actor": e.actor,
         "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
         "detail": e.detail, "remote_addr": e.remote_addr}
        for e in model.Session.execute(stmt).scalars()])


def _audit_filters(stmt: Any, data: DataDict) -> Any:
    """`data`: validated with schema.audit_list (local dates become UTC bounds)."""
    def day(value: Any) -> dt.date | None:
        return value.date() if isinstance(value, dt.datetime) else value

    since, until = day(data.get("since")), day(data.get("until"))
    user = model.User.get(data["user"]) if data.get("user") else None
    org = model.Group.get(data["organization"]) if data.get("organization") else None
    return audit.filtered(
        stmt, user_id=user.id if user else None, organization_id=org.id if org else None,
        action=data.get("action"),
        since=localtime.day_start_utc(since) if since else None,
        before=localtime.day_start_utc(until + dt.timedelta(days=1)) if until else None)


@tk.side_effect_free
@tk.validate_action_data(schema.notification_list)
def verifikasi_notification_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The caller's in-app notifications with the unread count."""
    tk.check_access("verifikasi_notification_list", context, data_dict)
    user = _user(context)
    if data_dict.get("mark_read"):
        model.Session.query(Notification).filter(
            Notification.user_id == user.id, Notification.read.is_(None)
        ).update({"read": dt.datetime.utcnow()})
        model.Session.commit()
    return {"unread": notify.unread_count(user.id), "notifications": notify.listing(user.id)}


# Chained core actions: publication only through the gate (see gate.py).


@tk.chained_action
@tk.side_effect_free
def user_autocomplete(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Walidata find people by e-mail too (core: sysadmins only), to give them roles and
    access grants; the result still holds only id, name and full name."""
    found = next_action(context, data_dict)
    user = _caller(context)
    q = str(data_dict.get("q") or "").strip()
    if not user or user.sysadmin or "@" not in q or not roles.roles_of(user.id).walidata:
        return found
    try:
        limit = max(min(int(data_dict.get("limit") or 20), 100), 1)
    except (TypeError, ValueError):
        limit = 20
    known = {u["id"] for u in found}
    more = model.Session.execute(
        sa.select(model.User.id, model.User.name, model.User.fullname)
        .where(model.User.email.ilike(f"%{_like_escaped(q)}%", escape="\\"),
               model.User.state != "deleted",
               model.User.id.notin_(known) if known else sa.true())
        .order_by(model.User.name).limit(max(limit - len(found), 0))).all()
    return found + [{"id": i, "name": n, "fullname": f} for i, n, f in more]


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
