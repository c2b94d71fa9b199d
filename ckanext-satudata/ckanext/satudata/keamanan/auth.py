"""Auth functions of the login-security actions: walidata and sysadmins only."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.verifikasi import shared as verifikasi

__all__ = ["satudata_login_status_show", "satudata_login_unlock"]


def _walidata(context: Context) -> AuthResult:
    if verifikasi.is_walidata(context.get("user")):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the walidata can manage account locks")}


def satudata_login_unlock(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata (or a sysadmin) unlocks any account."""
    return _walidata(context)


def satudata_login_status_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata (or a sysadmin) sees an account's failures and lock."""
    return _walidata(context)
