"""Pages of the Permohonan Data on the `satudata_public` blueprint.

`/permohonan-data` (endpoint `satudata_public.permohonan_data`, where the notice on a
`terbatas` dataset's page points): the anonymised figures and the request form;
`/permohonan-data/<number>`: a request's status page (its requester by account or
secret link, walidata, the OPD it was forwarded to), with the staff's step forms;
`/permohonan-data/<number>/konfirmasi`: the e-mail confirmation link;
`/permohonan-data/kelola`: the caller's requests, or the staff's queue;
`/permohonan-data/akses`: walidata's access grants (list, create, extend, revoke
through verifikasi's grant actions, which audit them).

Every form carries a CSRF token and every POST here checks it itself, also when the
visitor has no session cookie (core lets such posts through).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import request
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.wrappers import Response
from wtforms import ValidationError as WTFValidationError

from ckanext.satudata.localtime import today_wib
from ckanext.satudata.permohonan import requests as R
from ckanext.satudata.permohonan.schema import KINDS, LIMITS, STEPS
from ckanext.satudata.public_pages import satudata_public
from ckanext.verifikasi import shared

#: The largest form body accepted (bytes): the texts' limits and some margin.
MAX_BODY = 64 * 1024
FORM_FIELDS = ("kind", "description", "purpose", "package_id", "organization", "name",
               "email", "institution")


def _context() -> dict[str, Any]:
    user = tk.current_user.name if tk.current_user.is_authenticated else None
    return {"user": user}


def _check_post() -> None:
    """Size limit and CSRF token of every POST of these pages."""
    if (request.content_length or 0) > MAX_BODY:
        tk.abort(413, tk._("The form is too large"))
    try:
        validate_csrf(request.form.get(tk.config.get("WTF_CSRF_FIELD_NAME") or "_csrf_token"))
    except (CSRFError, WTFValidationError):
        tk.abort(400, tk._("The form has expired or was not sent from this site. "
                           "Please reload the page and try again."))


def _organizations() -> list[dict[str, str]]:
    return [{"id": o.id, "title": o.title} for o in model.Session.query(model.Group)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
            .order_by(model.Group.title)]


def _dataset_choice(name: str | None) -> dict[str, str] | None:
    """The dataset named in the link from its page, if the visitor may see it."""
    pkg = model.Package.get(name or "")
    if pkg is None or not R.dataset_visible(pkg.id, _context()["user"]):
        return None
    return {"id": pkg.id, "name": pkg.name, "title": pkg.title}


def permohonan_data() -> str | Response:
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {"kind": request.args.get("jenis") or "data"}
    if request.method == "POST":
        _check_post()
        values = {f: request.form.get(f, "") for f in FORM_FIELDS}
        data = {k: v for k, v in values.items() if v}
        try:
            created = tk.get_action("satudata_request_create")(_context(), data)
        except tk.ValidationError as e:
            errors = e.error_dict  # type: ignore[assignment]
        else:
            if created["state"] == "menunggu_konfirmasi":
                tk.h.flash_success(tk._(
                    "Your request {number} is saved. We sent a confirmation link to your "
                    "e-mail address: open it to send the request on.").format(
                        number=created["number"]))
            else:
                tk.h.flash_success(tk._("Your request {number} has been received.").format(
                    number=created["number"]))
            return tk.redirect_to("satudata_public.permohonan_show",
                                  number=created["number"], token=created["token"])
    dataset = _dataset_choice(request.args.get("dataset") or values.get("package_id"))
    stats = tk.get_action("satudata_request_statistics")(_context(), {})
    return tk.render("satudata_permohonan/index.html", {
        "errors": errors, "values": values, "dataset": dataset, "kinds": R.kind_labels(),
        "kind_names": KINDS, "organizations": _organizations(), "stats": stats,
        "limits": LIMITS, "field_labels": R.field_labels(),
        "logged_in": tk.current_user.is_authenticated})


def permohonan_show(number: str) -> str:
    token = request.args.get("token")
    try:
        found = tk.get_action("satudata_request_show")(
            _context(), {"id": number, "token": token} if token else {"id": number})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        tk.abort(404, tk._("Request not found"))
    who = R.caller(_context()["user"])
    request_obj = R.find(number)
    steps = [s for s in STEPS if request_obj is not None and R.may_step(who, request_obj, s)]
    return tk.render("satudata_permohonan/read.html", {
        "req": found, "token": token, "steps": steps, "organizations": _organizations(),
        "step_labels": R.step_labels()})


def permohonan_step(number: str) -> Response:
    _check_post()
    data = {"id": number, **{k: request.form[k] for k in ("action", "note", "organization",
                                                          "expires") if request.form.get(k)}}
    try:
        tk.get_action("satudata_request_update")(_context(), data)
    except tk.NotAuthorized:
        tk.abort(403, tk._("Only walidata and the OPD the request was forwarded to may do this"))
    except tk.ValidationError as e:
        tk.h.flash_error("; ".join(f"{R.field_label(k)}: {' '.join(v)}"
                                   for k, v in e.error_dict.items()))
    else:
        tk.h.flash_success(tk._("Saved."))
    return tk.redirect_to("satudata_public.permohonan_show", number=number)


def permohonan_confirm(number: str) -> Response:
    try:
        tk.get_action("satudata_request_confirm")(
            {"user": None}, {"id": number, "token": request.args.get("token", "")})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        tk.abort(404, tk._("The confirmation link is not valid"))
    tk.h.flash_success(tk._("Thank you: your e-mail address is confirmed and your request "
                            "has been received."))
    return tk.redirect_to("satudata_public.permohonan_data")


def permohonan_list() -> str | Response:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=request.path)
    filters = {k: request.args[k] for k in ("state", "kind", "overdue") if request.args.get(k)}
    try:
        found = tk.get_action("satudata_request_list")(_context(), filters)
    except tk.ValidationError:
        found = tk.get_action("satudata_request_list")(_context(), {})
        filters = {}
    who = R.caller(_context()["user"])
    return tk.render("satudata_permohonan/list.html", {
        "found": found, "filters": filters, "staff": who.manager or bool(who.opds),
        "states": R.state_labels(), "kinds": R.kind_labels()})


def permohonan_grants() -> str | Response:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=request.path)
    context = _context()
    try:
        tk.check_access("verifikasi_access_grant", dict(context), {})
    except tk.NotAuthorized:
        tk.abort(403, tk._("Only walidata may manage access grants"))
    if request.method == "POST":
        _check_post()
        _grant_change(context)
        return tk.redirect_to("satudata_public.permohonan_grants")
    show_all = request.args.get("semua") == "1"
    grants = shared.access_grants(current_only=not show_all)
    packages = R.rows_by_id((g["package_id"] for g in grants), model.Package)
    users = R.rows_by_id((g["user_id"] for g in grants), model.User)
    rows = [{**g, "package": packages.get(g["package_id"]), "user": users.get(g["user_id"]),
             "active": g["revoked"] is None and g["expires"] >= today_wib()}
            for g in grants]
    return tk.render("satudata_permohonan/grants.html", {"grants": rows,
                                                         "show_all": show_all})


def _grant_change(context: dict[str, Any]) -> None:
    form = request.form
    what = form.get("do")
    try:
        if what == "revoke":
            tk.get_action("verifikasi_access_revoke")(
                dict(context), {"id": form.get("package", ""), "user": form.get("user", "")})
        elif what in ("create", "extend"):
            if model.Package.get(form.get("package", "")) is None:
                raise tk.ValidationError({"id": [tk._("Dataset not found")]})
            tk.get_action("verifikasi_access_grant")(dict(context), {
                "id": form.get("package", ""), "user": form.get("user", ""),
                "expires": form.get("expires", ""), "reason": form.get("reason") or (
                    tk._("Extended") if what == "extend" else "")})
        else:
            tk.abort(400)
    except tk.ObjectNotFound as e:
        tk.h.flash_error(str(e) or tk._("Not found"))
    except tk.ValidationError as e:
        tk.h.flash_error("; ".join(f"{R.field_label(k)}: {' '.join(v)}"
                                   for k, v in e.error_dict.items()))
    else:
        tk.h.flash_success(tk._("Saved."))


satudata_public.add_url_rule("/permohonan-data", view_func=permohonan_data,
                             methods=["GET", "POST"])
satudata_public.add_url_rule("/permohonan-data/kelola", view_func=permohonan_list)
satudata_public.add_url_rule("/permohonan-data/akses", view_func=permohonan_grants,
                             methods=["GET", "POST"])
satudata_public.add_url_rule("/permohonan-data/<number>", view_func=permohonan_show)
satudata_public.add_url_rule("/permohonan-data/<number>/langkah", view_func=permohonan_step,
                             methods=["POST"])
satudata_public.add_url_rule("/permohonan-data/<number>/konfirmasi",
                             view_func=permohonan_confirm)
