"""The password policy (issue 14, "Login security").

A password is at least `ckanext.satudata.password.min_length` characters long (12),
scores at least `ckanext.satudata.password.min_score` (3 of 4) with zxcvbn, given the
account's name, e-mail and full name and some local words (`LOCAL_WORDS`) as words an
attacker would try first, and neither
equals nor contains the user name or the e-mail address (or its local part).

CKAN's user schemas name their password check `user_password_validator`
(`default_user_schema`, `default_update_user_schema`, `user_new_form_schema`,
`user_edit_form_schema`); the plugin registers `user_password_validator` below under that
name through IValidators, so every entry path runs it: the user_create, user_update and
user_patch actions (API and CLI alike), the sign-up and profile forms. The password reset
form checks the length itself before calling user_update; `PerformResetView` below checks
the policy first, so the form shows the policy's message rather than core's dump of the
error dict.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Missing
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey
from ckan.views.user import PerformResetView
from flask import Blueprint
from zxcvbn import zxcvbn

__all__ = ["problems", "user_password_validator", "satudata_password"]

#: zxcvbn refuses longer input; a longer password is scored by its first characters.
_ZXCVBN_MAX = 72
#: Words anyone guessing a password of this portal tries first; zxcvbn only knows
#: English (and common names), so "pasuruan2026" would otherwise score 4 of 4.
LOCAL_WORDS = ("pasuruan", "kabupaten", "pemkab", "satudata", "satu", "data", "portal",
               "indonesia", "jatim", "bangil", "rahasia", "sandi", "katasandi", "admin",
               "bismillah", "merdeka", "sayang", "cinta", "walidata", "operator",
               "verifikator", "surveyor", "diskominfo")
#: Shorter names and local parts are not searched for inside a password (a user
#: name of two letters occurs in many good passwords).
_MIN_CONTAINED = 4


def min_length() -> int:
    return int(tk.config["ckanext.satudata.password.min_length"])


def min_score() -> int:
    return int(tk.config["ckanext.satudata.password.min_score"])


def _personal(name: str, email: str) -> list[str]:
    """The user name, the e-mail address and its local part, lower-cased."""
    words = [name, email, email.partition("@")[0] if "@" in email else ""]
    return [w.strip().lower() for w in words if w and w.strip()]


def problems(password: str, name: str = "", email: str = "", fullname: str = "") -> list[str]:
    """What is wrong with `password` for this account, in the user's language.

    Args:
        password: the new password.
        name, email, fullname: the account's, as far as known.

    Returns:
        One message per broken rule (empty: the password is acceptable).
    """
    found: list[str] = []
    if len(password) < min_length():
        found.append(tk._("Password must be at least {min} characters long.").format(
            min=min_length()))
    lowered = password.lower()
    personal = _personal(name, email)
    if any(lowered == w or (len(w) >= _MIN_CONTAINED and w in lowered) for w in personal):
        found.append(tk._("Password must not be or contain the user name or the "
                          "e-mail address."))
    elif not found:
        inputs = [*personal, *fullname.lower().split(), *LOCAL_WORDS]
        if zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs)["score"] < min_score():
            found.append(tk._("Password is too easy to guess: use a longer phrase of "
                              "several unrelated words, digits and symbols."))
    return found


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def user_password_validator(key: FlattenKey, data: FlattenDataDict,
                            errors: FlattenErrorDict, context: Context) -> Any:
    """Replaces core's validator of that name: the policy instead of "8 characters".

    An empty or missing password is left to the schema's other validators, as core
    does (user_update without a password keeps the old one). The account's name and
    e-mail come from the data, or from the user being updated (user_update puts it
    in the context before validating).
    """
    value = data.get(key)
    if isinstance(value, Missing) or value in (None, ""):
        return
    target = errors.setdefault(("password",), [])
    if not isinstance(value, str):
        target.append(tk._("Passwords must be strings"))
        return
    user = context.get("user_obj")
    name = _text(data.get(("name",))) or _text(getattr(user, "name", ""))
    email = _text(data.get(("email",))) or _text(getattr(user, "email", ""))
    fullname = _text(data.get(("fullname",))) or _text(getattr(user, "fullname", ""))
    target.extend(problems(value, name, email, fullname))


class _PolicyResetView(PerformResetView):
    """Core's password reset form, with the policy's own message on a weak password."""

    _user: dict[str, Any]

    def _prepare(self, id: str) -> tuple[Context, dict[str, Any]]:
        context, user_dict = super()._prepare(id)
        self._user = user_dict
        return context, user_dict

    def _get_form_password(self) -> str:
        password1 = tk.request.form.get("password1") or ""
        user = getattr(self, "_user", {})
        # A pending account may choose its name on this form.
        name = tk.request.form.get("name") or user.get("name") or ""
        found = problems(password1, name, user.get("email") or "",
                         user.get("fullname") or "") if password1 else []
        if found:
            raise ValueError(" ".join(found))
        return super()._get_form_password()


#: The reset form's URL, served by the view above (plugins' blueprints are registered
#: before core's, and the first rule registered for a URL answers it).
satudata_password = Blueprint("satudata_password", __name__)
satudata_password.add_url_rule("/user/reset/<id>",
                               view_func=_PolicyResetView.as_view("perform_reset"),
                               methods=["GET", "POST"])
