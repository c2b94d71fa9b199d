"""Accounts run by the walidata without a sysadmin: create (with an assignment letter and
an activation e-mail), deactivate, reactivate, list; OPDs (organizations) created and
renamed.

An account is created `pending`, without a password: the activation e-mail carries
CKAN's reset link (`/user/reset/<id>?key=`, `ckan.lib.mailer`'s reset key), where the
user chooses their password under the portal's password policy; core's reset form
then makes the account `active`. Nobody else ever sets or sees the password.

Deactivating (`deleted`, as core's user_delete) revokes every portal role (so its CKAN
memberships and workflow notifications go too), every API token and a pending
activation link; a session still open is ended at its next request (`end_inactive`).
Reactivating needs a new assignment letter and a role, clears the old password and
sends a new activation e-mail: the account is `pending` until the user sets a password.

Everything is audited (`account_create`, `account_deactivate`, `account_reactivate`,
`account_activation_send`, `opd_create`, `opd_update`); roles through `roles.assign`
and `roles.revoke`, which audit themselves.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import mailer
from ckan.logic.schema import create_user_for_user_invite_schema

from ckanext.verifikasi import audit, letters, notify, roles
from ckanext.verifikasi.model import Role
from ckanext.verifikasi.model.role import GLOBAL_ROLES

#: The states of an account, as the walidata sees them.
STATES = ("active", "pending", "deleted")


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _system_context() -> dict[str, Any]:
    return {"user": _site_user(), "ignore_auth": True}


# E-mail

def _send_activation(user: model.User, reactivated: bool) -> None:
    """The activation e-mail, in the portal's language, with a fresh reset link.

    Raises mailer.MailerException (or OSError) when it cannot be sent."""
    user.reset_key = mailer.make_key()
    model.Session.flush()
    with notify.default_language():
        site = tk.config.get("ckan.site_title") or "Satu Data"
        link = mailer.get_reset_link(user)
        subject = tk._("Activate your account on {site}").format(site=site)
        lines = [
            tk._("Hello {name},").format(name=user.fullname or user.name),
            "",
            (tk._("The walidata has activated your account on {site} again.")
             if reactivated else tk._("The walidata has created an account for you on {site}."))
            .format(site=site),
            tk._("Your user name is: {name}").format(name=user.name),
            "",
            tk._("To activate it, open this link and choose your own password:"),
            link,
            "",
            tk._("The password must be at least 12 characters long and hard to guess. "
                 "The link works once; if it has expired, use 'Forgot your password?' on "
                 "the login page or ask the walidata to send a new one."),
            tk._("If you did not expect this e-mail, you can ignore it."),
        ]
    mailer.mail_recipient(user.fullname or user.name, user.email, subject, "\n".join(lines))


def _mail_failed(err: Exception) -> tk.ValidationError:
    return tk.ValidationError({"email": [tk._(
        "The activation e-mail could not be sent ({error}); nothing was saved.").format(
        error=err)]})


# Accounts

def _validate_role(role: str, organization: model.Group | None) -> None:
    if role not in GLOBAL_ROLES and organization is None:
        raise tk.ValidationError({"organization": [tk._(
            "Choose the OPD of this role")]})


def create(data: dict[str, Any], upload: letters.LetterUpload | None,
           actor: model.User) -> dict[str, Any]:
    """`data` validated by schema.account_create; returns the account's dict."""
    organization = model.Group.get(data["organization"]) if data.get("organization") else None
    _validate_role(data["role"], organization)
    context = {**_system_context(), "schema": create_user_for_user_invite_schema(),
               "defer_commit": True}
    user_dict = tk.get_action("user_create")(context, {
        "name": data["name"], "fullname": data["fullname"], "email": data["email"],
        "state": model.State.PENDING})
    user = model.User.get(user_dict["id"])
    assert user is not None
    file_name: str | None = None
    try:
        file_name, size = letters.store(upload)
        letters.add(user.id, "create", data["letter_number"], data["letter_date"],
                    file_name, size, actor.id)
        org_id = organization.id if organization and data["role"] not in GLOBAL_ROLES else None
        audit.record(actor.id, "account_create", "user", user.id, role=data["role"],
                     organization_id=org_id, letter_number=data["letter_number"],
                     letter_date=data["letter_date"].isoformat())
        _send_activation(user, reactivated=False)
    except Exception as err:
        model.Session.rollback()
        letters.discard(file_name)
        if isinstance(err, (mailer.MailerException, OSError)):
            raise _mail_failed(err) from err
        raise
    # Commits the account, its letter and the audit entries with the role.
    roles.assign(user.id, data["role"], org_id, actor.id)
    return show(user.id)


def _target(id_or_name: str) -> model.User:
    user = model.User.get(id_or_name)
    if user is None or user.name == _site_user():
        raise tk.ObjectNotFound(tk._("User not found"))
    return user


def deactivate(id_or_name: str, reason: str | None, actor: model.User) -> dict[str, Any]:
    user = _target(id_or_name)
    if user.id == actor.id:
        raise tk.ValidationError({"id": [tk._("You cannot deactivate your own account")]})
    if user.state == model.State.DELETED:
        raise tk.ValidationError({"id": [tk._("This account is already inactive")]})
    held = roles.listing(user_id=user.id)
    tokens = model.Session.execute(sa.delete(model.ApiToken).where(
        model.ApiToken.user_id == user.id)).rowcount
    user.state = model.State.DELETED
    user.reset_key = None
    audit.record(actor.id, "account_deactivate", "user", user.id, reason=reason,
                 revoked_roles=[{"role": r["role"], "organization_id": r["organization_id"]}
                                for r in held], revoked_tokens=tokens)
    model.Session.commit()
    for r in held:
        roles.revoke(user.id, r["role"], r["organization_id"], actor.id)
    return show(user.id)


def reactivate(id_or_name: str, data: dict[str, Any], upload: letters.LetterUpload | None,
               actor: model.User) -> dict[str, Any]:
    """`data` validated by schema.account_reactivate."""
    user = _target(id_or_name)
    if user.state != model.State.DELETED:
        raise tk.ValidationError({"id": [tk._("This account is not inactive")]})
    organization = model.Group.get(data["organization"]) if data.get("organization") else None
    _validate_role(data["role"], organization)
    org_id = organization.id if organization and data["role"] not in GLOBAL_ROLES else None
    file_name: str | None = None
    try:
        file_name, size = letters.store(upload)
        user.state = model.State.PENDING
        user._password = None  # the old password never opens the account again
        letters.add(user.id, "reactivate", data["letter_number"], data["letter_date"],
                    file_name, size, actor.id)
        audit.record(actor.id, "account_reactivate", "user", user.id, role=data["role"],
                     organization_id=org_id, letter_number=data["letter_number"],
                     letter_date=data["letter_date"].isoformat())
        _send_activation(user, reactivated=True)
    except Exception as err:
        model.Session.rollback()
        letters.discard(file_name)
        if isinstance(err, (mailer.MailerException, OSError)):
            raise _mail_failed(err) from err
        raise
    roles.assign(user.id, data["role"], org_id, actor.id)
    model.Session.commit()
    return show(user.id)


def send_activation(id_or_name: str, actor: model.User) -> dict[str, Any]:
    """A new activation link for a pending account (the old one stops working)."""
    user = _target(id_or_name)
    if user.state != model.State.PENDING:
        raise tk.ValidationError({"id": [tk._(
            "Only an account waiting for activation gets an activation e-mail")]})
    try:
        audit.record(actor.id, "account_activation_send", "user", user.id)
        _send_activation(user, reactivated=False)
    except (mailer.MailerException, OSError) as err:
        model.Session.rollback()
        raise _mail_failed(err) from err
    model.Session.commit()
    return show(user.id)


def _roles_of(user_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {u: [] for u in user_ids}
    if not user_ids:
        return found
    rows = model.Session.execute(
        sa.select(Role.user_id, Role.role, Role.organization_id, model.Group.name,
                  model.Group.title)
        .outerjoin(model.Group, model.Group.id == Role.organization_id)
        .where(Role.user_id.in_(user_ids)).order_by(Role.created))
    for user_id, role, org_id, org_name, org_title in rows:
        found[user_id].append({"role": role, "organization_id": org_id,
                               "organization_name": org_name,
                               "organization_title": org_title or org_name})
    return found


def _account(user: model.User, held: list[dict[str, Any]],
             user_letters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "fullname": user.fullname or "",
            "email": user.email or "", "state": user.state, "sysadmin": bool(user.sysadmin),
            "created": user.created.isoformat() if user.created else None,
            "last_active": user.last_active.isoformat() if user.last_active else None,
            "roles": held, "letters": user_letters}


def show(id_or_name: str) -> dict[str, Any]:
    user = _target(id_or_name)
    return _account(user, _roles_of([user.id])[user.id], letters.of_users([user.id])[user.id])


def listing(organization: str | None = None, role: str | None = None,
            state: str | None = None, q: str | None = None, limit: int = 50,
            offset: int = 0) -> dict[str, Any]:
    """Accounts (not the site user), newest first, filtered by an OPD (id) where they hold
    a role, a role, a state and a text in name, full name or e-mail; three queries a page."""
    stmt = sa.select(model.User).where(model.User.name != _site_user())
    if organization or role:
        holders = sa.select(Role.user_id)
        if organization:
            holders = holders.where(Role.organization_id == organization)
        if role:
            holders = holders.where(Role.role == role)
        stmt = stmt.where(model.User.id.in_(holders))
    if state:
        stmt = stmt.where(model.User.state == state)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(model.User.name.ilike(pattern),
                                 model.User.fullname.ilike(pattern),
                                 model.User.email.ilike(pattern)))
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
    users = model.Session.scalars(stmt.order_by(model.User.created.desc(), model.User.name)
                                  .limit(limit).offset(offset)).all()
    ids = [u.id for u in users]
    held = _roles_of(ids)
    user_letters = letters.of_users(ids)
    return {"count": count,
            "results": [_account(u, held[u.id], user_letters[u.id]) for u in users]}


def letter_file(letter_id: int) -> tuple[str, str]:
    """(path, download name) of a letter's PDF; ObjectNotFound without one."""
    letter = letters.get(letter_id)
    path = letters.file_path(letter.file_name) if letter and letter.file_name else None
    if letter is None or path is None:
        raise tk.ObjectNotFound(tk._("Assignment letter not found"))
    user = model.User.get(letter.user_id)
    name = f"surat-tugas-{user.name if user else letter.user_id}-{letter.id}.pdf"
    return path, name


# OPDs

def _organization_dict(org: model.Group) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "title": org.title or org.name,
            "description": org.description or "", "state": org.state}


def opd_create(data: dict[str, Any], actor: model.User) -> dict[str, Any]:
    """A new OPD. Made by the site user, so the walidata is no CKAN admin of it."""
    created = tk.get_action("organization_create")(_system_context(), {
        "name": data["name"], "title": data["title"],
        "description": data.get("description") or ""})
    audit.record(actor.id, "opd_create", "organization", created["id"],
                 organization_id=created["id"], name=created["name"])
    model.Session.commit()
    org = model.Group.get(created["id"])
    assert org is not None
    return _organization_dict(org)


def opd_update(data: dict[str, Any], actor: model.User) -> dict[str, Any]:
    org = model.Group.get(data["id"])
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ObjectNotFound(tk._("OPD not found"))
    previous = org.title
    changes: dict[str, Any] = {"id": org.id, "title": data["title"]}
    if "description" in data:
        changes["description"] = data["description"] or ""
    tk.get_action("organization_patch")(_system_context(), changes)
    audit.record(actor.id, "opd_update", "organization", org.id, organization_id=org.id,
                 previous_title=previous, title=data["title"])
    model.Session.commit()
    refreshed = model.Group.get(org.id)
    assert refreshed is not None
    return _organization_dict(refreshed)


def end_inactive() -> Any:
    """Before every request: a session of an account no longer active is ended (it was
    deactivated, or made pending again, while signed in)."""
    from flask_login import logout_user

    user = tk.current_user
    if getattr(user, "is_authenticated", False) and isinstance(user, model.User) \
            and user.state != model.State.ACTIVE:
        logout_user()
    return None


def today() -> dt.date:
    from ckanext.verifikasi import localtime

    return localtime.today()
