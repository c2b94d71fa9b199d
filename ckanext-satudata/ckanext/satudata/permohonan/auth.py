"""Auth functions of the Permohonan Data actions, one per action, same names.

Each decides from the request looked up by its id or number (its requester, its OPD,
whether it was forwarded), never from an OPD or dataset the caller names.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.satudata.permohonan import requests as R

__all__ = ["satudata_request_confirm", "satudata_request_create", "satudata_request_list",
           "satudata_request_show", "satudata_request_statistics",
           "satudata_request_update"]


@tk.auth_allow_anonymous_access
def satudata_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone (spam limits apply in the action)."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def satudata_request_confirm(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever holds the confirmation secret e-mailed for this request."""
    request = R.find(str(data_dict.get("id") or ""))
    if request is None:
        return {"success": False, "msg": tk._("Request not found")}
    # The link stays valid after use (a second click shows the same result).
    return {"success": R.token_matches(request.confirm_hash, data_dict.get("token")),
            "msg": tk._("The confirmation link is not valid")}


@tk.auth_allow_anonymous_access
def satudata_request_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The requester (account or secret link), walidata, the OPD it was forwarded to."""
    who = R.caller(context.get("user"))
    request = R.find(str(data_dict.get("id") or ""))
    if request is None:
        # Only walidata learns that a number does not exist.
        return {"success": who.manager, "msg": tk._("Request not found")}
    return {"success": R.may_read(who, request, data_dict.get("token")),
            "msg": tk._("Not your request")}


def satudata_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Logged-in users (each sees what is theirs to see); anonymous requesters follow
    their request by its link."""
    return {"success": R.caller(context.get("user")).user is not None}


def satudata_request_update(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata every step; the OPD a request was forwarded to every step but forward."""
    who = R.caller(context.get("user"))
    request = R.find(str(data_dict.get("id") or ""))
    if request is None:
        return {"success": who.manager, "msg": tk._("Request not found")}
    return {"success": R.may_step(who, request, str(data_dict.get("action") or "")),
            "msg": tk._("Only walidata and the OPD the request was forwarded to may do this")}


@tk.auth_allow_anonymous_access
def satudata_request_statistics(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}
