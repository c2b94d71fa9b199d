"""Auth functions of the account, OPD and site text actions: walidata and sysadmins only;
an action on one account is authorized against that account (a walidata never acts on a
sysadmin's)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.verifikasi import roles
from ckanext.verifikasi.logic.auth import caller

__all__ = [
    "verifikasi_account_activation_send", "verifikasi_account_create",
    "verifikasi_account_deactivate", "verifikasi_account_list",
    "verifikasi_account_reactivate", "verifikasi_account_show", "verifikasi_opd_create",
    "verifikasi_opd_update", "verifikasi_site_text_show", "verifikasi_site_text_update",
]


def _walidata(context: Context) -> AuthResult:
    user = caller(context)
    if user and user.state == model.State.ACTIVE and (
            user.sysadmin or roles.roles_of(user.id).walidata):
        return {"success": True}
    return {"success": False, "msg": tk._("Only walidata may do this")}


def _on_account(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata, on an account that is not a sysadmin's (sysadmins: any account)."""
    result = _walidata(context)
    if not result["success"]:
        return result
    user = caller(context)
    target = model.User.get(str(data_dict.get("id") or "")) if data_dict else None
    if target is not None and target.sysadmin and not (user and user.sysadmin):
        return {"success": False,
                "msg": tk._("Only a sysadmin may change a sysadmin's account")}
    return result


def verifikasi_account_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _walidata(context)


verifikasi_account_list = verifikasi_opd_create = verifikasi_opd_update = \
    verifikasi_site_text_show = verifikasi_site_text_update = verifikasi_account_create
verifikasi_account_deactivate = verifikasi_account_reactivate = \
    verifikasi_account_activation_send = verifikasi_account_show = _on_account


def get_auth_functions() -> dict[str, Any]:
    return {name: globals()[name] for name in __all__}
