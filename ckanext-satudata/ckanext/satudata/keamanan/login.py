"""The web login's throttling: a locked account (or IP address) is refused before its
password is checked; failures are counted from CKAN's `failed_login` signal and reset
by a successful login through the form.

Every lock is audited in verifikasi's audit log (actor: none, the system locked it).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Response, has_request_context, make_response, request

from ckanext.satudata.keamanan import config, throttle
from ckanext.verifikasi import shared as verifikasi

LOGIN_ENDPOINT = "user.login"


def locked_message() -> str:
    """The same words for every login, existing or not."""
    minutes = max(1, config.lockout() // 60)
    return tk._("Too many failed login attempts. Signing in is blocked for {minutes} "
                "minutes; try again later or ask the walidata to unlock the account."
                ).format(minutes=minutes)


def before_login() -> Response | None:
    """`IAuthenticator.login`: refuse the form's post while its account or IP is locked."""
    if request.method != "POST":
        return None
    account = throttle.account_key(str(request.form.get("login") or ""))
    if not throttle.is_locked(account, request.remote_addr):
        return None
    tk.h.flash_error(locked_message())
    return make_response(tk.render("user/login.html", {}), 429)


def on_failed_login(login: str, **_: Any) -> None:
    """Receiver of `failed_login` (sender: the login typed): count, lock, audit."""
    if not has_request_context():
        return
    account = throttle.account_key(login)
    locked = throttle.record_failure(account, request.remote_addr)
    for kind in locked:
        object_type, object_id = (("user", account) if kind == "account"
                                  else ("ip", str(request.remote_addr)))
        verifikasi.audit(None, "login_locked", object_type, object_id,
                         seconds=config.lockout(),
                         known_account=not account.startswith("unknown-"))
    if locked:
        model.Session.commit()


def on_logged_in(sender: Any, user: Any = None, **_: Any) -> None:
    """Receiver of `user_logged_in`: a password login through the form resets the
    account's failures (API-token requests log users in too; they do not count)."""
    if user is None or not has_request_context() or request.endpoint != LOGIN_ENDPOINT:
        return
    throttle.reset_failures(user.id)
