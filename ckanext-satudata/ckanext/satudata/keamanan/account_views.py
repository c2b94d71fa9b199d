"""Sign-in security of one account for the walidata (issue 14), blueprint
`satudata_account_security`.

`/pengguna/keamanan/<id>`: the account's failed logins and lock, and its second factor
(enabled, pending, required, recovery codes left); forms to unlock the account and to
reset its second factor. Every read and write goes through the actions, which decide
from the account acted on (walidata or a sysadmin; a sysadmin's second factor only by a
sysadmin): a refusal of a form is flashed and the page shown again.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, current_app, make_response, request
from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.wrappers import Response

satudata_account_security = Blueprint("satudata_account_security", __name__,
                                      url_prefix="/pengguna/keamanan")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


@satudata_account_security.errorhandler(tk.NotAuthorized)
def _forbidden(err: tk.NotAuthorized) -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to(tk.url_for("user.login", came_from=request.full_path))
    return current_app.handle_http_exception(Forbidden(str(err) or None))


@satudata_account_security.errorhandler(tk.ObjectNotFound)
def _not_found(err: tk.ObjectNotFound) -> Any:
    return current_app.handle_http_exception(NotFound(str(err) or tk._("User not found")))


@satudata_account_security.route("/<id>", endpoint="show")
def show(id: str) -> Response:
    """The account's failed logins, lock and second factor, with the walidata's forms."""
    login = tk.get_action("satudata_login_status_show")(_context(), {"id": id})
    twofactor = tk.get_action("satudata_twofactor_status_show")(_context(), {"id": id})
    account = tk.get_action("user_show")({"ignore_auth": True}, {"id": login["id"]})
    response = make_response(tk.render("satudata_keamanan/account_security.html", {
        "account": account, "login": login, "twofactor": twofactor,
        "lock_minutes": -(-int(login["locked_seconds"]) // 60)}))
    response.headers["Cache-Control"] = "no-store"
    return response


def _post(action: str, id: str, done: str) -> Response:
    """Run a walidata action on the account; a refusal of a caller who may see the page
    (a walidata resetting a sysadmin's second factor) is flashed on it; others get 403."""
    tk.check_access("satudata_login_status_show", _context(), {"id": id})
    try:
        tk.get_action(action)(_context(), {"id": id})
    except tk.NotAuthorized as err:
        if not tk.current_user.is_authenticated:
            raise
        tk.h.flash_error(str(err) or tk._("You are not allowed to do this."))
        return tk.redirect_to("satudata_account_security.show", id=id)
    tk.h.flash_success(done)
    return tk.redirect_to("satudata_account_security.show", id=id)


@satudata_account_security.route("/<id>/buka-kunci", methods=["POST"], endpoint="unlock")
def unlock(id: str) -> Response:
    """Unlock the account and forget its failed logins (audited by the action)."""
    return _post("satudata_login_unlock", id,
                 tk._("The account is unlocked and its failed logins are cleared."))


@satudata_account_security.route("/<id>/reset-2fa", methods=["POST"], endpoint="reset")
def reset(id: str) -> Response:
    """Remove the account's second factor after an explicit confirmation (audited)."""
    if request.form.get("confirm") != "yes":
        tk.h.flash_error(tk._("Tick the confirmation box to reset two-factor "
                              "authentication."))
        return tk.redirect_to("satudata_account_security.show", id=id)
    return _post("satudata_twofactor_reset", id,
                 tk._("Two-factor authentication of this account is reset. The user sets "
                      "it up again at the next sign-in if their role requires it."))
