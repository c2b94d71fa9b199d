"""Portal roles: operator, surveyor, verifikator and walidata pendukung per OPD;
walidata and pembina global.

Walidata pendukung is a walidata for the OPDs it holds the role in (one row per OPD):
it takes the walidata's steps, grants access and sees the walidata's inbox for their
datasets only. Pembina Data reads every dataset and its data (unpublished ones too) and
comments in the review history; it never approves, edits, publishes, withdraws or grants.

Roles live in `verifikasi_role`; CKAN's organization capacities are kept in
step so core permissions (creating datasets, reading private ones) follow.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.verifikasi import audit
from ckanext.verifikasi.model import Role
from ckanext.verifikasi.model.role import GLOBAL_ROLES, OPD_ROLES

# The CKAN capacity each OPD role needs: operators create and edit datasets,
# verifikators, surveyors and walidata pendukung only read the OPD's private datasets.
CAPACITY = {"operator": "editor", "verifikator": "member", "surveyor": "member",
            "walidata_pendukung": "member"}
_RANK = {"member": 1, "editor": 2, "admin": 3}


@dataclass
class UserRoles:
    walidata: bool = False
    pembina: bool = False
    opd: dict[str, set[str]] = field(default_factory=dict)

    def has(self, role: str, organization_id: str | None) -> bool:
        return role in self.opd.get(organization_id or "", set())

    def in_opd(self, organization_id: str | None) -> bool:
        return bool(self.opd.get(organization_id or ""))

    def walidata_of(self, organization_id: str | None) -> bool:
        """Walidata for datasets of this OPD: the global role, or walidata pendukung there."""
        return self.walidata or self.has("walidata_pendukung", organization_id)

    @property
    def supported_opds(self) -> set[str]:
        """The OPDs this user is walidata pendukung of."""
        return {org for org, held in self.opd.items() if "walidata_pendukung" in held}

    @property
    def reads_all(self) -> bool:
        """Reads every dataset and its data, published or not (walidata, pembina)."""
        return self.walidata or self.pembina


def roles_of(user_id: str | None) -> UserRoles:
    """All roles of a user: one query, remembered for the rest of the web request."""
    if not user_id:
        return UserRoles()
    cache = _request_cache()
    if cache is not None and user_id in cache:
        return cache[user_id]
    result = _load_roles(user_id)
    if cache is not None:
        cache[user_id] = result
    return result


def _request_cache() -> dict[str, UserRoles] | None:
    from flask import g, has_request_context

    if not has_request_context():
        return None
    if not hasattr(g, "verifikasi_roles"):
        g.verifikasi_roles = {}
    return g.verifikasi_roles


def _forget(user_id: str) -> None:
    cache = _request_cache()
    if cache is not None:
        cache.pop(user_id, None)


def _load_roles(user_id: str) -> UserRoles:
    result = UserRoles()
    rows = model.Session.execute(
        sa.select(Role.role, Role.organization_id).where(Role.user_id == user_id)).all()
    for role, org in rows:
        if role == "walidata":
            result.walidata = True
        elif role == "pembina":
            result.pembina = True
        else:
            result.opd.setdefault(org, set()).add(role)
    return result


def holders(role: str, organization_id: str | None = None) -> list[str]:
    """User ids holding a role (in an OPD, or globally for walidata and pembina)."""
    stmt = sa.select(Role.user_id).where(Role.role == role)
    if role not in GLOBAL_ROLES:
        stmt = stmt.where(Role.organization_id == organization_id)
    return list(model.Session.execute(stmt).scalars())


def _sync_capacity(user_id: str, organization_id: str, actor: str) -> None:
    """Give the user the CKAN capacity their OPD roles need (or remove the membership)."""
    held = roles_of(user_id).opd.get(organization_id, set())
    context = {"user": actor, "ignore_auth": True}
    if held:
        capacity = max((CAPACITY[r] for r in held), key=_RANK.__getitem__)
        tk.get_action("organization_member_create")(
            dict(context), {"id": organization_id, "username": user_id, "role": capacity})
    else:
        member = model.Session.execute(sa.select(model.Member).where(
            model.Member.table_name == "user", model.Member.table_id == user_id,
            model.Member.group_id == organization_id, model.Member.state == "active")).first()
        if member:
            # member_delete, not organization_member_delete: the latter drops ignore_auth.
            tk.get_action("member_delete")(dict(context), {
                "id": organization_id, "object": user_id, "object_type": "user"})


def assign(user_id: str, role: str, organization_id: str | None, actor: str) -> bool:
    """Give a role; False when the user already had it."""
    org = None if role in GLOBAL_ROLES else organization_id
    exists = model.Session.execute(sa.select(Role.id).where(
        Role.user_id == user_id, Role.role == role,
        Role.organization_id.is_(None) if org is None else Role.organization_id == org)).first()
    if exists:
        return False
    model.Session.add(Role(user_id=user_id, role=role, organization_id=org, created_by=actor))
    _forget(user_id)
    audit.record(actor, "role_assign", "user", user_id, role=role, organization_id=org)
    model.Session.flush()
    if org:
        _sync_capacity(user_id, org, actor)
    model.Session.commit()
    return True


def revoke(user_id: str, role: str, organization_id: str | None, actor: str) -> bool:
    """Take a role away; False when the user did not have it."""
    org = None if role in GLOBAL_ROLES else organization_id
    result = model.Session.execute(sa.delete(Role).where(
        Role.user_id == user_id, Role.role == role,
        Role.organization_id.is_(None) if org is None else Role.organization_id == org))
    _forget(user_id)
    if not result.rowcount:
        return False
    audit.record(actor, "role_revoke", "user", user_id, role=role, organization_id=org)
    model.Session.flush()
    if org:
        _sync_capacity(user_id, org, actor)
    model.Session.commit()
    return True


def listing(organization_id: str | None = None, user_id: str | None = None) -> list[dict]:
    stmt = sa.select(Role, model.User.name).join(model.User, model.User.id == Role.user_id)
    if organization_id:
        stmt = stmt.where(Role.organization_id == organization_id)
    if user_id:
        stmt = stmt.where(Role.user_id == user_id)
    return [
        {"user_id": r.user_id, "user": name, "role": r.role,
         "organization_id": r.organization_id, "created": r.created.isoformat()}
        for r, name in model.Session.execute(stmt.order_by(Role.created)).all()
    ]


ALL_ROLES = OPD_ROLES + GLOBAL_ROLES
