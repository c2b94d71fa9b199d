"""What a browser session knows about two-factor authentication.

CKAN 2.11 keeps sessions in a signed cookie (flask-login's `_user_id` in it). Two keys
of ours live beside it: the login waiting for its second step (the user id, the
"remember me" choice, where to go next, when the password was right), and the user id
the session passed the second factor for. Requests authenticated by an API token
(`g.login_via_auth_header`) are not browser sessions: the token is the credential.
"""
from __future__ import annotations

import time
from typing import Any

from flask import g, has_request_context, session
from flask_login import current_user

from ckanext.satudata.keamanan import twofactor, twofactor_config

PENDING = "satudata_twofactor_pending"
VERIFIED = "satudata_twofactor_verified"


def web_user() -> Any | None:
    """The user of this request if a browser session (cookie) authenticated them."""
    if not has_request_context() or g.get("login_via_auth_header"):
        return None
    user = current_user
    return user if getattr(user, "is_authenticated", False) else None


def is_verified(user_id: str) -> bool:
    return has_request_context() and session.get(VERIFIED) == user_id


def mark_verified(user_id: str) -> None:
    session[VERIFIED] = user_id


def forget() -> None:
    """Drop both keys (a new password login, a logout)."""
    session.pop(PENDING, None)
    session.pop(VERIFIED, None)


def start_pending(user_id: str, remember: str | None, next_url: str | None) -> None:
    session[PENDING] = {"user": user_id, "remember": remember or "", "next": next_url or "",
                        "at": int(time.time())}


def pending() -> dict[str, Any] | None:
    """The login waiting for its code, unless `login_seconds` have passed since."""
    value = session.get(PENDING)
    if not isinstance(value, dict) or not value.get("user"):
        return None
    if time.time() - float(value.get("at") or 0) > twofactor_config.login_seconds():
        session.pop(PENDING, None)
        return None
    return value


def unverified_web_session(user_name: str | None) -> bool:
    """Whether this request is a browser session of `user_name` that has not passed the
    second factor although the user has (or must have) two-factor authentication."""
    user = web_user()
    if user is None or not user_name or user.name != user_name:
        return False
    if is_verified(user.id):
        return False
    return twofactor.is_enabled(user.id) or twofactor.required_for(user.name)
