"""Actions of login security: an account's lock status, and unlocking it."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata.keamanan import schema, throttle
from ckanext.verifikasi import shared as verifikasi

__all__ = ["satudata_login_status_show", "satudata_login_unlock"]


def _user(id_or_name: str) -> model.User:
    user = model.User.get(id_or_name)
    if user is None or user.state == "deleted":
        raise tk.ObjectNotFound(tk._("User not found"))
    return user


@tk.side_effect_free
@tk.validate_action_data(schema.user_id)
def satudata_login_status_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Failed logins counted now and the lock of an account.

    Args:
        id: the user's id or name.

    Returns:
        ``{"id", "name", "failures", "locked", "locked_seconds"}``.
    """
    tk.check_access("satudata_login_status_show", context, data_dict)
    user = _user(data_dict["id"])
    return {"id": user.id, "name": user.name, **throttle.status(user.id)}


@tk.validate_action_data(schema.user_id)
def satudata_login_unlock(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Unlock an account locked by failed logins and forget its failures (audited).

    Args:
        id: the user's id or name.

    Returns:
        ``{"id", "name", "was_locked"}``.
    """
    tk.check_access("satudata_login_unlock", context, data_dict)
    user = _user(data_dict["id"])
    was_locked = throttle.unlock(user.id)
    actor = model.User.get(context.get("user") or "")
    verifikasi.audit(actor.id if actor else None, "login_unlocked", "user", user.id,
                     was_locked=was_locked)
    model.Session.commit()
    return {"id": user.id, "name": user.name, "was_locked": was_locked}
