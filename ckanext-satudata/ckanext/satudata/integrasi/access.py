"""Who may see and change integrations. Every check starts from the object acted on
(integration, input package, document): its OPD comes from it, never from the request."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import verification
from ckanext.satudata.inputdata import access as input_access
from ckanext.satudata.integrasi.model import Integrasi, IntegrasiPull
from ckanext.satudata.model import InputPackage

OPD_ROLES = ("operator", "verifikator", "surveyor")


def user_of(user_name: str | None) -> model.User | None:
    user = model.User.get(user_name) if user_name else None
    return user if user is not None and user.state == "active" else None


def is_walidata(user_name: str | None) -> bool:
    module = verification.shared()
    if module is not None:
        return bool(module.is_walidata(user_name))
    user = user_of(user_name)
    return bool(user and user.sysadmin)


def opds_of(user_name: str | None) -> set[str]:
    """The OPDs the user belongs to (verifikasi keeps an OPD role holder a member of the
    organization with the capacity the role needs); one query."""
    user = user_of(user_name)
    if user is None:
        return set()
    return set(model.Session.scalars(sa.select(model.Member.group_id).join(
        model.Group, model.Group.id == model.Member.group_id).where(
        model.Member.table_name == "user", model.Member.table_id == user.id,
        model.Member.state == "active", model.Group.is_organization.is_(True))))


def is_operator_of(user_name: str | None, organization_id: str) -> bool:
    user = user_of(user_name)
    if user is None:
        return False
    if user.sysadmin:
        return True
    return user.id in verification.role_holders("operator", organization_id)


def in_opd(user_name: str | None, organization_id: str) -> bool:
    user = user_of(user_name)
    if user is None:
        return False
    return any(user.id in verification.role_holders(role, organization_id)
               for role in OPD_ROLES)


def integration(integration_id: object) -> Integrasi:
    found = model.Session.get(Integrasi, str(integration_id or ""))
    if found is None:
        raise tk.ObjectNotFound(tk._("Integration not found"))
    return found


def input_and_org(input_id: object) -> tuple[InputPackage, str]:
    """The input package and the OPD owning its dataset."""
    inp = input_access.input_package(input_id)
    pkg = model.Package.get(inp.package_id)
    if pkg is None or pkg.state == "deleted" or not pkg.owner_org:
        raise tk.ObjectNotFound(tk._("Input package not found"))
    return inp, pkg.owner_org


def pull_of(input_id: object) -> IntegrasiPull | None:
    return model.Session.scalars(sa.select(IntegrasiPull).where(
        IntegrasiPull.input_id == str(input_id or ""))).first()


def service_integration(user_name: str | None) -> Integrasi | None:
    """The approved integration whose service account this user is, if any."""
    user = user_of(user_name)
    if user is None:
        return None
    return model.Session.scalars(sa.select(Integrasi).where(
        Integrasi.service_user_id == user.id, Integrasi.status == "approved")).first()


def is_service_account(user_name: str | None) -> bool:
    """The user is (or was) the service account of an integration."""
    user = model.User.get(user_name) if user_name else None
    if user is None:
        return False
    return model.Session.scalars(sa.select(Integrasi.id).where(
        Integrasi.service_user_id == user.id)).first() is not None


def can_see(user_name: str | None, found: Integrasi) -> bool:
    return is_walidata(user_name) or in_opd(user_name, found.organization_id)
