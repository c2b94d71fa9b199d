"""The walidata's account pages: `/verifikasi/akun` (list filtered by OPD, role and
status; create with the assignment letter; one account with its roles and letters,
deactivate, reactivate, send the activation e-mail again; the letters' PDFs),
`/verifikasi/opd` (create and rename OPDs) and `/verifikasi/teks-situs` (site texts).

Routes of the `verifikasi_pages` blueprint (login required, its error handlers); every
read and write goes through the actions of logic/account_action.py, which check access
and audit.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import send_file

from ckanext.verifikasi import accounts, localtime, site_texts
from ckanext.verifikasi.model.role import GLOBAL_ROLES
from ckanext.verifikasi.pages import (
    _action,
    _context,
    _messages,
    _organizations,
    verifikasi_pages,
)
from ckanext.verifikasi.request_args import int_arg

PAGE_SIZE = 50
ACCOUNT_FIELDS = ("name", "fullname", "email", "role", "organization", "letter_number",
                  "letter_date")
LETTER_FIELDS = ("role", "organization", "letter_number", "letter_date")

# A session of an account deactivated (or pending again) ends at its next request.
verifikasi_pages.before_app_request(accounts.end_inactive)


def state_labels() -> dict[str, str]:
    return {"active": tk._("Active"), "pending": tk._("Waiting for activation"),
            "deleted": tk._("Inactive")}


def _role_choices() -> list[str]:
    from ckanext.verifikasi.roles import ALL_ROLES

    return list(ALL_ROLES)


def _common() -> dict[str, Any]:
    return {"organizations": _organizations(), "role_choices": _role_choices(),
            "global_roles": list(GLOBAL_ROLES), "state_labels": state_labels(),
            "today": localtime.today().isoformat()}


def _field_errors(err: tk.ValidationError) -> dict[str, list[str]]:
    return {k: _messages(v) for k, v in err.error_dict.items()}


def _form(fields: tuple[str, ...]) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's text fields, and the action's payload (with the PDF, if one was sent)."""
    form = {k: (tk.request.form.get(k) or "").strip() for k in fields}
    payload: dict[str, Any] = {k: v for k, v in form.items() if v}
    if payload.get("role") in GLOBAL_ROLES:
        payload.pop("organization", None)
    upload = tk.request.files.get("letter_upload")
    if upload is not None and upload.filename:
        payload["letter_upload"] = upload
    return form, payload


# The list

@verifikasi_pages.route("/akun")
def accounts_page() -> Any:
    tk.check_access("verifikasi_account_list", _context(), {})
    filters = {k: (tk.request.args.get(k) or "").strip()
               for k in ("organization", "role", "state", "q")}
    page = int_arg("page", 1, minimum=1)
    query: dict[str, Any] = {k: v for k, v in filters.items() if v}
    filter_errors: list[str] = []
    try:
        found = _action("verifikasi_account_list", {
            **query, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE})
        code = 200
    except tk.ValidationError as err:
        labels = {"organization": tk._("OPD"), "role": tk._("Role"),
                  "state": tk._("Status"), "q": tk._("Search")}
        filter_errors = [f"{labels.get(k, k)}: {' '.join(_messages(v))}"
                         for k, v in err.error_dict.items()]
        found, code = {"count": 0, "results": []}, 400
    return tk.render("verifikasi/accounts.html", {
        **_common(), "accounts": found["results"], "count": found["count"], "page": page,
        "page_size": PAGE_SIZE, "filters": filters, "filter_errors": filter_errors,
    }), code


# Create

def _new_page(errors: dict[str, list[str]] | None = None, data: dict[str, str] | None = None,
              code: int = 200) -> Any:
    tk.check_access("verifikasi_account_create", _context(), {})
    return tk.render("verifikasi/account_new.html", {
        **_common(), "errors": errors or {}, "data": data or {},
        "max_mb": tk.config["ckanext.verifikasi.letter_max_mb"]}), code


@verifikasi_pages.route("/akun/baru", methods=["GET", "POST"])
def account_new() -> Any:
    if tk.request.method == "GET":
        return _new_page()
    tk.check_access("verifikasi_account_create", _context(), {})
    form, payload = _form(ACCOUNT_FIELDS)
    try:
        account = _action("verifikasi_account_create", payload)
    except tk.ValidationError as err:
        return _new_page(_field_errors(err), form, 400)
    tk.h.flash_success(tk._(
        "The account {name} was created; the activation e-mail was sent to {email}.").format(
        name=account["name"], email=account["email"]))
    return tk.redirect_to("verifikasi_pages.account_page", id=account["name"])


# One account

def _account_page(id: str, errors: dict[str, list[str]] | None = None,
                  data: dict[str, str] | None = None, form_name: str | None = None,
                  code: int = 200) -> Any:
    account = _action("verifikasi_account_show", {"id": id})
    return tk.render("verifikasi/account.html", {
        **_common(), "account": account, "errors": errors or {}, "data": data or {},
        "form_name": form_name, "is_self": account["id"] == tk.current_user.id,
        "max_mb": tk.config["ckanext.verifikasi.letter_max_mb"]}), code


@verifikasi_pages.route("/akun/<id>")
def account_page(id: str) -> Any:
    return _account_page(id)


@verifikasi_pages.route("/akun/<id>/nonaktifkan", methods=["POST"])
def account_deactivate(id: str) -> Any:
    reason = (tk.request.form.get("reason") or "").strip()
    try:
        account = _action("verifikasi_account_deactivate",
                          {"id": id, **({"reason": reason} if reason else {})})
    except tk.ValidationError as err:
        return _account_page(id, _field_errors(err), {"reason": reason}, "deactivate", 400)
    tk.h.flash_success(tk._("The account {name} was deactivated.").format(
        name=account["name"]))
    return tk.redirect_to("verifikasi_pages.account_page", id=account["name"])


@verifikasi_pages.route("/akun/<id>/aktifkan", methods=["POST"])
def account_reactivate(id: str) -> Any:
    form, payload = _form(LETTER_FIELDS)
    try:
        account = _action("verifikasi_account_reactivate", {"id": id, **payload})
    except tk.ValidationError as err:
        return _account_page(id, _field_errors(err), form, "reactivate", 400)
    tk.h.flash_success(tk._(
        "The account {name} was activated again; the activation e-mail was sent to "
        "{email}.").format(name=account["name"], email=account["email"]))
    return tk.redirect_to("verifikasi_pages.account_page", id=account["name"])


@verifikasi_pages.route("/akun/<id>/kirim-aktivasi", methods=["POST"])
def account_activation_send(id: str) -> Any:
    try:
        account = _action("verifikasi_account_activation_send", {"id": id})
    except tk.ValidationError as err:
        return _account_page(id, _field_errors(err), {}, "activation", 400)
    tk.h.flash_success(tk._("A new activation e-mail was sent to {email}.").format(
        email=account["email"]))
    return tk.redirect_to("verifikasi_pages.account_page", id=account["name"])


@verifikasi_pages.route("/akun/surat/<int:letter_id>")
def account_letter(letter_id: int) -> Any:
    """A letter's PDF, for who may see the account it belongs to (looked up from the
    letter)."""
    from ckanext.verifikasi import letters

    letter = letters.get(letter_id)
    if letter is None:
        raise tk.ObjectNotFound(tk._("Assignment letter not found"))
    tk.check_access("verifikasi_account_show", _context(), {"id": letter.user_id})
    path, name = accounts.letter_file(letter_id)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# OPDs

def _opd_page(errors: dict[str, list[str]] | None = None, data: dict[str, str] | None = None,
              edit_errors: dict[str, list[str]] | None = None, edit_id: str = "",
              code: int = 200) -> Any:
    tk.check_access("verifikasi_opd_create", _context(), {})
    return tk.render("verifikasi/opds.html", {
        "organizations": _organizations(), "errors": errors or {}, "data": data or {},
        "edit_errors": edit_errors or {}, "edit_id": edit_id}), code


@verifikasi_pages.route("/opd")
def opds() -> Any:
    return _opd_page()


@verifikasi_pages.route("/opd/baru", methods=["POST"])
def opd_create() -> Any:
    tk.check_access("verifikasi_opd_create", _context(), {})
    form = {k: (tk.request.form.get(k) or "").strip() for k in ("name", "title", "description")}
    try:
        created = _action("verifikasi_opd_create", {k: v for k, v in form.items() if v})
    except tk.ValidationError as err:
        return _opd_page(_field_errors(err), form, code=400)
    tk.h.flash_success(tk._("The OPD {title} was created.").format(title=created["title"]))
    return tk.redirect_to("verifikasi_pages.opds")


@verifikasi_pages.route("/opd/<id>/ubah", methods=["POST"])
def opd_update(id: str) -> Any:
    tk.check_access("verifikasi_opd_update", _context(), {})
    title = (tk.request.form.get("title") or "").strip()
    try:
        updated = _action("verifikasi_opd_update", {"id": id, "title": title})
    except tk.ValidationError as err:
        return _opd_page(edit_errors=_field_errors(err), edit_id=id, code=400)
    tk.h.flash_success(tk._("The OPD is now called {title}.").format(title=updated["title"]))
    return tk.redirect_to("verifikasi_pages.opds")


# Site texts

def _texts_page(errors: dict[str, list[str]] | None = None,
                data: dict[str, str] | None = None, code: int = 200) -> Any:
    values = _action("verifikasi_site_text_show")
    fields = [{"key": key, "label": label, "long": site_texts.is_long(key),
               "value": (data or values).get(key, ""), "errors": (errors or {}).get(key, [])}
              for key, label in site_texts.labels().items()]
    return tk.render("verifikasi/site_texts.html", {"fields": fields}), code


@verifikasi_pages.route("/teks-situs", methods=["GET", "POST"])
def site_text() -> Any:
    if tk.request.method == "GET":
        return _texts_page()
    tk.check_access("verifikasi_site_text_update", _context(), {})
    form = {key: tk.request.form.get(key) or "" for key in site_texts.text_keys()
            if key in tk.request.form}
    try:
        _action("verifikasi_site_text_update", form)
    except tk.ValidationError as err:
        return _texts_page(_field_errors(err), form, 400)
    tk.h.flash_success(tk._("The site texts were saved."))
    return tk.redirect_to("verifikasi_pages.site_text")
