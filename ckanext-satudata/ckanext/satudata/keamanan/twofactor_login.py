"""The web login's second factor (issue 14): where it hooks into CKAN 2.11.

Why these hooks (read against ckan/views/user.py and ckan/config/middleware/flask_app.py
of CKAN 2.11):

* `IAuthenticator.login()` runs at the top of core's `user.login` view, before the
  password is checked, and may answer with its own response. For a login that names an
  account with two-factor authentication in force, the portal's hook checks the
  password itself with core's `ckan_authenticator` (so `failed_login` fires and the
  throttle counts exactly as for core) and, when it is right, does NOT call
  `login_user`: the session only remembers a pending login and the browser goes to the
  second step. Until the code is right the visitor is anonymous to every view and
  action, so nothing can leak through a view we did not think of. `authenticate()` /
  `identify()` cannot do this: they must return a user (logged in at once) or nothing.
* The second step (`/pengguna/2fa/verifikasi`) logs the user in the way core's view
  does (`regenerate_session`, `login_user` with the remember-me duration,
  `rotate_token`) and marks the session verified.
* An app-wide `before_request` (the blueprint's `before_app_request`, which Flask runs
  after core's `ckan_before_request` has identified the user) covers what a login view
  cannot: a user whose role requires a second factor but who has none yet is sent to
  enrollment and may use nothing else (except logging out); a session restored from a
  remember-me cookie, or opened before the user enabled it elsewhere, that has not
  passed the second factor is logged out. API-token requests are not sessions and are
  left alone (the token was created from a verified session: see `api_token_create`).

Wrong codes are counted like wrong passwords: the step sends core's `failed_login`
signal for the account, so the throttle of keamanan/login.py counts them per account
and per IP, locks, and audits the lock; a locked account or IP is refused before the
code is checked.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import authenticator
from ckan.views import user as core_user
from flask import Response, make_response, request
from flask_login import login_user, logout_user

from ckanext.satudata.keamanan import twofactor, twofactor_session

#: Endpoints a user who must still enroll may use.
ENROLL_ENDPOINTS = frozenset({"satudata_twofactor.manage", "user.logout", "user.logged_out_page",
                              "static", "api.i18n", "util.internal_redirect"})
ENROLL_BLUEPRINTS = frozenset({"satudata_twofactor", "webassets", "_debug_toolbar"})


def _account(login: str) -> model.User | None:
    login = (login or "").strip()
    if not login:
        return None
    user = model.User.by_name(login) or model.User.by_email(login)
    return user if user is not None and user.state == "active" else None


def password_step() -> Response | None:
    """`IAuthenticator.login`: the password step of an account with a second factor."""
    if request.method != "POST" or tk.current_user.is_authenticated:
        return None
    login = str(request.form.get("login") or "")
    account = _account(login)
    if account is None or not twofactor.is_enabled(account.id):
        return None  # core's view logs in accounts without a second factor
    user = authenticator.ckan_authenticator(
        {"login": login, "password": request.form.get("password") or ""})
    twofactor_session.forget()
    if not user:
        # The words of core's view (failed_login has been sent by the authenticator).
        if tk.config.get("ckan.recaptcha.privatekey"):
            tk.h.flash_error(tk._("Login failed. Bad username or password or CAPTCHA."))
        else:
            tk.h.flash_error(tk._("Login failed. Bad username or password."))
        return make_response(tk.render("user/login.html", {}))
    twofactor_session.start_pending(
        account.id, request.form.get("remember"),
        request.args.get("next", request.args.get("came_from")))
    return tk.redirect_to("satudata_twofactor.verify")


def complete_login(user: model.User, pending: dict[str, Any]) -> Response:
    """Log the user in after the right code, as core's login view would."""
    core_user.regenerate_session()
    remember = str(pending.get("remember") or "")
    if remember.isdigit():
        login_user(user, remember=True, duration=timedelta(milliseconds=int(remember)))
    else:
        login_user(user)
    core_user.rotate_token()
    twofactor_session.forget()
    twofactor_session.mark_verified(user.id)
    return core_user.next_page_or_default(pending.get("next") or None)


def on_logout() -> None:
    """`IAuthenticator.logout`: the session forgets its second factor."""
    twofactor_session.forget()


def guard() -> Response | None:
    """`before_app_request`: browser sessions of users with (or needing) a second factor."""
    user = twofactor_session.web_user()
    if user is None or twofactor_session.is_verified(user.id):
        return None
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.split(".")[0] == "webassets":
        return None
    if twofactor.is_enabled(user.id):
        # Signed in without the second step (a remember-me cookie, or a session from
        # before the second factor was enabled elsewhere): sign in again.
        logout_user()
        twofactor_session.forget()
        tk.h.flash_notice(tk._("Please sign in again with your authentication code."))
        return tk.redirect_to("user.login")
    if not twofactor.required_for(user.name):
        return None
    if endpoint in ENROLL_ENDPOINTS or endpoint.split(".")[0] in ENROLL_BLUEPRINTS:
        return None
    if request.method == "GET" and endpoint.split(".")[0] != "api":
        tk.h.flash_notice(tk._("Your role requires two-factor authentication. Set it up "
                               "to continue using the portal."))
    if endpoint.split(".")[0] == "api":
        return make_response({"success": False, "error": {
            "__type": "Authorization Error",
            "message": tk._("Two-factor authentication must be set up first")}}, 403)
    return tk.redirect_to("satudata_twofactor.manage")
