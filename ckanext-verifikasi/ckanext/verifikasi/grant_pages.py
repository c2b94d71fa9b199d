"""The walidata's access grants page, `/verifikasi/akses`: list (filtered by dataset,
user and status), create with an expiry date, extend, revoke (after a confirmation).

Routes of the `verifikasi_pages` blueprint (login required, its error handlers);
everything goes through the grant actions, which check access and audit.
Expiry dates are local (WIB) calendar days.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.verifikasi import localtime
from ckanext.verifikasi.pages import _action, _context, _messages, verifikasi_pages

#: Form fields of the create form, and the action's names for them.
GRANT_FIELDS = {"dataset": "id", "user": "user", "expires": "expires", "reason": "reason"}
PAGE_SIZE = 50


def _page_number() -> int:
    try:
        return max(int(tk.request.args.get("page") or 1), 1)
    except ValueError:
        return 1


def _filters() -> dict[str, str]:
    return {k: (tk.request.args.get(k) or "").strip() for k in ("dataset", "user", "status")}


def _grants_page(errors: dict[str, list[str]] | None = None,
                 data: dict[str, str] | None = None, code: int = 200,
                 extend_errors: dict[int, list[str]] | None = None) -> Any:
    tk.check_access("verifikasi_access_grant_list", _context(), {})
    filters = _filters()
    page = _page_number()
    query: dict[str, Any] = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    if filters["dataset"]:
        query["id"] = filters["dataset"]
    if filters["user"]:
        query["user"] = filters["user"]
    if filters["status"] in ("active", "expired", "revoked"):
        query["status"] = filters["status"]
    filter_errors: list[str] = []
    try:
        found = _action("verifikasi_access_grant_list", query)
    except tk.ValidationError as err:
        # An unknown dataset or user in the filter: said, and nothing listed.
        labels = {"id": tk._("Dataset"), "user": tk._("User")}
        filter_errors = [f"{labels.get(k, k)}: {' '.join(_messages(v))}"
                         for k, v in err.error_dict.items()]
        found = {"count": 0, "results": []}
        code = 400 if code == 200 else code
    return tk.render("verifikasi/grants.html", {
        "grants": found["results"], "count": found["count"], "page": page,
        "page_size": PAGE_SIZE, "filters": filters, "filter_errors": filter_errors,
        "errors": errors or {}, "data": data or {}, "extend_errors": extend_errors or {},
        "today": localtime.today().isoformat(),
    }), code


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@verifikasi_pages.route("/akses")
def grants() -> Any:
    return _grants_page()


@verifikasi_pages.route("/akses/baru", methods=["POST"])
def grant_create() -> Any:
    tk.check_access("verifikasi_access_grant", _context(), {})
    form = {k: (tk.request.form.get(k) or "").strip() for k in GRANT_FIELDS}
    errors: dict[str, list[str]] = {}
    expires = _date(form["expires"]) if form["expires"] else None
    if form["expires"] and expires is None:
        errors["expires"] = [tk._("Enter a date (YYYY-MM-DD)")]
    elif expires is not None and expires < localtime.today():
        errors["expires"] = [tk._("The expiry date cannot be in the past")]
    if not errors:
        payload = {GRANT_FIELDS[k]: v for k, v in form.items() if v}
        try:
            result = _action("verifikasi_access_grant", payload)
        except tk.ValidationError as err:
            back = {v: k for k, v in GRANT_FIELDS.items()}
            errors = {back.get(k, k): _messages(v) for k, v in err.error_dict.items()}
        except tk.ObjectNotFound as err:
            errors = {"dataset": [str(err) or tk._("Dataset not found")]}
        else:
            tk.h.flash_success(tk._("Access granted until {date}.").format(
                date=localtime.format_date(result["expires"])))
            return tk.redirect_to("verifikasi_pages.grants")
    return _grants_page(errors, form, 400)


def _grant(grant_id: int) -> dict[str, Any]:
    found = _action("verifikasi_access_grant_list", {"grant_id": grant_id, "limit": 1})
    if not found["results"]:
        raise tk.ObjectNotFound(tk._("Access grant not found"))
    return found["results"][0]


@verifikasi_pages.route("/akses/<int:grant_id>/perpanjang", methods=["POST"])
def grant_extend(grant_id: int) -> Any:
    expires = (tk.request.form.get("expires") or "").strip()
    try:
        result = _action("verifikasi_access_grant_extend",
                         {"grant_id": grant_id, "expires": expires})
    except tk.ValidationError as err:
        return _grants_page(extend_errors={grant_id: _messages(err.error_dict)}, code=400)
    tk.h.flash_success(tk._("Access extended until {date}.").format(
        date=localtime.format_date(result["expires"])))
    return tk.redirect_to("verifikasi_pages.grants")


@verifikasi_pages.route("/akses/<int:grant_id>/cabut", methods=["GET", "POST"])
def grant_revoke(grant_id: int) -> Any:
    tk.check_access("verifikasi_access_revoke", _context(), {})
    grant = _grant(grant_id)
    if tk.request.method == "GET":
        return tk.render("verifikasi/grant_revoke.html", {"grant": grant})
    if grant["status"] == "revoked":
        tk.h.flash_notice(tk._("This access grant was already revoked."))
        return tk.redirect_to("verifikasi_pages.grants")
    _action("verifikasi_access_revoke", {"id": grant["package_id"], "user": grant["user_id"]})
    tk.h.flash_success(tk._("The access of {user} to {dataset} was revoked.").format(
        user=grant["user_title"] or grant["user_id"],
        dataset=grant["package_title"] or grant["package_id"]))
    return tk.redirect_to("verifikasi_pages.grants")
