"""Actions of two-factor authentication (issue 14).

`satudata_twofactor_enroll` / `_confirm` / `_disable` act on the caller's own account
(no user parameter to choose); `satudata_twofactor_status_show` and
`satudata_twofactor_reset` on the user named, authorized against that user object.
Enabling, disabling and resets are audited in verifikasi's audit log. The chained
`api_token_create` refuses a web session that skipped its second factor.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict

from ckanext.satudata.keamanan import (
    totp,
    twofactor,
    twofactor_config,
    twofactor_schema,
    twofactor_session,
)
from ckanext.verifikasi import shared as verifikasi

__all__ = ["api_token_create", "satudata_twofactor_confirm", "satudata_twofactor_disable",
           "satudata_twofactor_enroll", "satudata_twofactor_reset",
           "satudata_twofactor_status_show"]


def _user(id_or_name: str) -> model.User:
    user = model.User.get(id_or_name)
    if user is None or user.state == "deleted":
        raise tk.ObjectNotFound(tk._("User not found"))
    return user


def _caller(context: Context) -> model.User:
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("You must be logged in"))
    return user


def _wrong_code() -> tk.ValidationError:
    return tk.ValidationError({"code": [tk._(
        "The code is wrong or has been used already. Type the current 6-digit code "
        "from the authenticator app, or an unused recovery code.")]})


@tk.side_effect_free
@tk.validate_action_data(twofactor_schema.optional_user_id)
def satudata_twofactor_status_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Whether a user's two-factor authentication is in force and required.

    Args:
        id: the user's id or name (the caller when left out).

    Returns:
        ``{"id", "name", "enabled", "pending", "required", "recovery_codes_left"}``.
    """
    tk.check_access("satudata_twofactor_status_show", context, data_dict)
    user = _user(data_dict["id"]) if data_dict.get("id") else _caller(context)
    state = twofactor.state(user.id)
    return {"id": user.id, "name": user.name, "enabled": state.enabled,
            "pending": state.pending, "required": twofactor.required_for(user.name),
            "recovery_codes_left": state.recovery_left}


@tk.validate_action_data(twofactor_schema.nothing)
def satudata_twofactor_enroll(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Start (or continue) the caller's enrollment: a secret waiting for a first code.

    Returns:
        ``{"secret", "uri", "qr_svg"}``: the base32 secret, its otpauth:// URI and the
        URI's QR code as inline SVG.
    """
    tk.check_access("satudata_twofactor_enroll", context, data_dict)
    user = _caller(context)
    try:
        secret = twofactor.begin(user.id)
    except ValueError:
        raise tk.ValidationError({"id": [tk._(
            "Two-factor authentication is already on for this account")]}) from None
    model.Session.commit()
    uri = totp.provisioning_uri(secret, user.name, twofactor_config.issuer())
    return {"secret": secret, "uri": uri, "qr_svg": totp.qr_svg(uri)}


@tk.validate_action_data(twofactor_schema.code)
def satudata_twofactor_confirm(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Put the caller's pending secret in force with a current code from the app.

    Args:
        code: the 6-digit code the authenticator app shows now.

    Returns:
        ``{"recovery_codes": [...]}``: ten single-use codes, returned this once.
    """
    tk.check_access("satudata_twofactor_confirm", context, data_dict)
    user = _caller(context)
    codes = twofactor.confirm(user.id, data_dict["code"])
    if codes is None:
        model.Session.rollback()
        raise _wrong_code()
    verifikasi.audit(user.id, "twofactor_enabled", "user", user.id)
    model.Session.commit()
    return {"recovery_codes": codes}


@tk.validate_action_data(twofactor_schema.code)
def satudata_twofactor_disable(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Turn off the caller's own two-factor authentication, proven by a current code;
    refused for users whose roles require it (audited).

    Args:
        code: a current code from the app, or an unused recovery code.

    Returns:
        ``{"id", "name", "enabled": False}``.
    """
    tk.check_access("satudata_twofactor_disable", context, data_dict)
    user = _caller(context)
    if twofactor.required_for(user.name):
        raise tk.ValidationError({"id": [tk._(
            "Your role requires two-factor authentication; it cannot be turned off")]})
    if twofactor.verify(user.id, data_dict["code"]) is None:
        model.Session.rollback()
        raise _wrong_code()
    twofactor.remove(user.id)
    verifikasi.audit(user.id, "twofactor_disabled", "user", user.id)
    model.Session.commit()
    return {"id": user.id, "name": user.name, "enabled": False}


@tk.validate_action_data(twofactor_schema.user_id)
def satudata_twofactor_reset(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Remove a user's second factor (a lost phone): they enroll again at their next
    sign-in if their role requires it (audited).

    Args:
        id: the user's id or name.

    Returns:
        ``{"id", "name", "was_enabled"}``.
    """
    tk.check_access("satudata_twofactor_reset", context, data_dict)
    user = _user(data_dict["id"])
    was_enabled = twofactor.remove(user.id)
    actor = model.User.get(context.get("user") or "")
    verifikasi.audit(actor.id if actor else None, "twofactor_reset", "user", user.id,
                     was_enabled=was_enabled)
    model.Session.commit()
    return {"id": user.id, "name": user.name, "was_enabled": was_enabled}


@tk.chained_action
def api_token_create(original: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's `api_token_create`, refused to a browser session that has not passed the
    second factor when its user has, or must have, two-factor authentication.

    Chained as an action rather than an auth function: CKAN skips auth functions for
    sysadmins, who must pass the second factor too.
    """
    if twofactor_session.unverified_web_session(context.get("user")):
        raise tk.NotAuthorized(tk._(
            "Creating an API token needs a session signed in with two-factor "
            "authentication"))
    return original(context, data_dict)
