"""Pages of two-factor authentication (issue 14), blueprint `satudata_twofactor`.

`/pengguna/2fa`: the signed-in user's own page: enrollment (QR code drawn by the
portal as inline SVG, the secret to type, a first code to confirm), the recovery codes
shown once after confirming, and turning it off when the user's role allows;
`/pengguna/2fa/verifikasi`: the second step of a login (a code or a recovery code).
The blueprint also carries the app-wide guard of twofactor_login.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint, make_response, request
from werkzeug.wrappers import Response

from ckanext.satudata.keamanan import login as keamanan_login
from ckanext.satudata.keamanan import throttle, twofactor, twofactor_login, twofactor_session

satudata_twofactor = Blueprint("satudata_twofactor", __name__, url_prefix="/pengguna/2fa")
satudata_twofactor.before_app_request(twofactor_login.guard)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name}


def _no_store(body: str, status: int = 200) -> Response:
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_manage(errors: dict[str, Any] | None = None) -> Response:
    status = tk.get_action("satudata_twofactor_status_show")(_context(), {})
    extra: dict[str, Any] = {"status": status, "errors": errors or {}}
    if not status["enabled"]:
        extra["enrollment"] = tk.get_action("satudata_twofactor_enroll")(_context(), {})
    return _no_store(tk.render("satudata_keamanan/twofactor_manage.html", extra),
                     400 if errors else 200)


@satudata_twofactor.route("", methods=["GET", "POST"], endpoint="manage")
def manage() -> Response:
    """GET: the user's two-factor page; POST: confirm the enrollment with a code."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=request.path)
    if request.method == "GET":
        return _render_manage()
    try:
        result = tk.get_action("satudata_twofactor_confirm")(
            _context(), {"code": request.form.get("code", "")})
    except tk.ValidationError as error:
        return _render_manage(error.error_dict)
    twofactor_session.mark_verified(tk.current_user.id)
    return _no_store(tk.render("satudata_keamanan/twofactor_codes.html",
                               {"codes": result["recovery_codes"]}))


@satudata_twofactor.route("/nonaktifkan", methods=["POST"], endpoint="disable")
def disable() -> Response:
    """Turn off the user's own second factor (a current code proves it is them)."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login")
    try:
        tk.get_action("satudata_twofactor_disable")(
            _context(), {"code": request.form.get("code", "")})
    except tk.ValidationError as error:
        return _render_manage(error.error_dict)
    twofactor_session.forget()
    tk.h.flash_success(tk._("Two-factor authentication is off."))
    return tk.redirect_to("satudata_twofactor.manage")


@satudata_twofactor.route("/verifikasi", methods=["GET", "POST"], endpoint="verify")
def verify() -> Response:
    """The second step of a login: a code from the app, or a recovery code."""
    pending = twofactor_session.pending()
    user = model.User.get(pending["user"]) if pending else None
    if pending is None or user is None or user.state != "active":
        tk.h.flash_error(tk._("The sign-in has expired. Please type your password again."))
        return tk.redirect_to("user.login")
    if request.method == "GET":
        return _no_store(tk.render("satudata_keamanan/twofactor_verify.html", {}))
    if throttle.is_locked(user.id, request.remote_addr):
        tk.h.flash_error(keamanan_login.locked_message())
        return _no_store(tk.render("satudata_keamanan/twofactor_verify.html", {}), 429)
    method = twofactor.verify(user.id, str(request.form.get("code") or ""))
    if method is None:
        model.Session.rollback()
        # Counted like a wrong password (account and IP), locked and audited.
        tk.signals.failed_login.send(user.name)
        tk.h.flash_error(tk._("The code is wrong or has been used already. Type the "
                              "current 6-digit code from the authenticator app, or an "
                              "unused recovery code."))
        return _no_store(tk.render("satudata_keamanan/twofactor_verify.html", {}))
    model.Session.commit()
    throttle.reset_failures(user.id)
    if method == "recovery":
        left = twofactor.state(user.id).recovery_left
        tk.h.flash_notice(tk._("You signed in with a recovery code; {left} unused codes "
                               "remain. Each code works once.").format(left=left))
    return twofactor_login.complete_login(user, pending)
