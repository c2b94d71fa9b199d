"""CSRF checks on the forms anonymous visitors post (issue 14, "Login security").

CKAN 2.11 checks the CSRF token of a post only for visitors logged in by the session
cookie: flask-login's request loader runs for every request without a logged-in
session and marks it as an API-token request, which exempts it from flask-wtf's check
(`ckan/config/middleware/flask_app.py`). So the login form and its two-factor step,
the sign-up and password reset forms, the survey link form (`/isian/<token>`) and the
data request form (`/permohonan-data`) took posts without any token: a foreign site
could post them in a visitor's browser (log them in to an account of the attacker's,
file requests or survey answers in their name).

The hook below runs flask-wtf's own check (`CSRFProtect.protect`: the token of the
form field or the X-CSRFToken header, signed with WTF_CSRF_SECRET_KEY and bound to the
session that rendered the form, plus the Referer check on HTTPS) for posts to these
endpoints that core exempted, unless an API token really identified the caller (a
header a browser never sends by itself). Rendering any of these forms puts the token in
the page and its secret in the session cookie, so a browser posting the form it was
shown passes; a post without the token, with a wrong one or from a session that never
saw the form gets 400 with a message in the visitor's language.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint, current_app, g, request
from flask_wtf.csrf import CSRFError

__all__ = ["ANONYMOUS_FORMS", "satudata_csrf"]

#: Endpoints that take posts from visitors who are not logged in.
ANONYMOUS_FORMS = frozenset({
    "user.login",
    "user.register",
    "user.request_reset",
    "user.perform_reset",
    "satudata_password.perform_reset",
    "satudata_twofactor.verify",  # the second step of a login: not logged in yet
    "satudata_input.survey",
    "satudata_public.permohonan_data",
    "satudata_public.permohonan_step",
    "satudata_public.permohonan_grants",
})

#: A blueprint without views: it only carries the app-wide request hook.
satudata_csrf = Blueprint("satudata_csrf", __name__)


def refused_message() -> str:
    return tk._("The form has expired or was not sent from this site. "
                "Please reload the page and try again.")


def _token_request() -> bool:
    """Whether an API token (Authorization header) identified the caller."""
    return bool(g.get("login_via_auth_header")) and tk.current_user.is_authenticated


def protect_anonymous_forms() -> None:
    """`before_app_request` hook: check the token core skipped on these forms."""
    csrf = current_app.extensions.get("csrf")
    if (csrf is None or request.endpoint not in ANONYMOUS_FORMS
            or request.method not in current_app.config["WTF_CSRF_METHODS"]
            or not current_app.config.get("WTF_CSRF_ENABLED", True)
            or not g.get("_csrf_exempt_view") or _token_request()):
        return
    try:
        csrf.protect()
    except CSRFError:
        tk.abort(400, refused_message())


satudata_csrf.before_app_request(protect_anonymous_forms)
