"""Auth functions of the two-factor actions, decided by the user acted on.

Enrollment, confirmation and disabling act on the caller's own account (the actions
take no user parameter). Status: the user themself, walidata or a sysadmin. Reset:
walidata or a sysadmin; a sysadmin's second factor only by a sysadmin (walidata must
not be able to weaken the account that can do everything). CKAN lets sysadmins past
every auth function.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.verifikasi import shared as verifikasi

__all__ = ["satudata_twofactor_confirm", "satudata_twofactor_disable",
           "satudata_twofactor_enroll", "satudata_twofactor_reset",
           "satudata_twofactor_status_show"]


def _caller(context: Context) -> model.User | None:
    name = context.get("user")
    user = model.User.get(name) if name else None
    return user if user is not None and user.state == "active" else None


def _target(data_dict: DataDict) -> model.User | None:
    value = data_dict.get("id")
    return model.User.get(str(value)) if value else None


def _own(context: Context) -> AuthResult:
    if _caller(context) is None:
        return {"success": False, "msg": tk._("You must be logged in")}
    return {"success": True}


def satudata_twofactor_enroll(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user, for their own account."""
    return _own(context)


def satudata_twofactor_confirm(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user, for their own account."""
    return _own(context)


def satudata_twofactor_disable(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user, for their own account (the action refuses required roles)."""
    return _own(context)


def satudata_twofactor_status_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The user themself (no id, or their own), walidata or a sysadmin."""
    caller = _caller(context)
    if caller is None:
        return {"success": False, "msg": tk._("You must be logged in")}
    target = _target(data_dict) if data_dict.get("id") else caller
    if target is not None and target.id == caller.id:
        return {"success": True}
    if verifikasi.is_walidata(caller.name):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the walidata can see another account's two-factor status")}


def satudata_twofactor_reset(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata or a sysadmin; a sysadmin's account only by a sysadmin."""
    caller = _caller(context)
    if caller is None or not verifikasi.is_walidata(caller.name):
        return {"success": False,
                "msg": tk._("Only the walidata can reset two-factor authentication")}
    target = _target(data_dict)
    if target is not None and target.sysadmin and not caller.sysadmin:
        return {"success": False,
                "msg": tk._("Only a sysadmin can reset a sysadmin's two-factor authentication")}
    return {"success": True}
