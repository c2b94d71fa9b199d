"""The page `/laporan` (blueprint `satudata_laporan`): the stored reports the caller
may read, their downloads, and the walidata's button to generate a past period's.

Who sees what is decided by the actions (`satudata_report_list`, `satudata_report_show`
for a download, from the stored report's OPD): a visitor is sent to the login page,
anyone refused gets 403."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint, Response, request, send_file

from ckanext.satudata.daftar import access
from ckanext.satudata.laporan import periods, render, store
from ckanext.satudata.laporan.model import Report

satudata_laporan = Blueprint("satudata_laporan", __name__, url_prefix="/laporan")

MIMETYPES = {"pdf": "application/pdf", "xlsx": render.XLSX_TYPE}


@satudata_laporan.errorhandler(tk.NotAuthorized)
def _not_authorized(_: Exception) -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to(tk.url_for("user.login", came_from=request.full_path))
    return tk.render("error_document_template.html", {
        "code": 403, "name": "Forbidden", "show_login_redirect_link": False,
        "content": tk._("You may not see the reports")}), 403


@satudata_laporan.errorhandler(tk.ObjectNotFound)
def _not_found(_: Exception) -> Any:
    return tk.render("error_document_template.html", {
        "code": 404, "name": "Not Found", "show_login_redirect_link": False,
        "content": tk._("Report not found")}), 404


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _index(errors: dict[str, Any] | None = None, form: dict[str, str] | None = None,
           status: int = 200) -> Any:
    context = _context()
    kind = request.args.get("kind", "")
    params: dict[str, Any] = {"limit": 500}
    if kind in periods.KINDS:
        params["kind"] = kind
    else:
        kind = ""
    found = tk.get_action("satudata_report_list")(dict(context), params)
    today = periods.today_wib()
    return tk.render("satudata_laporan/index.html", {
        "reports": found, "kind": kind, "kinds": periods.KINDS,
        "manager": access.caller(context["user"]).manager, "errors": errors or {},
        "form": form or {"period": periods.previous("monthly", today).key,
                         "format": "all"},
    }), status


@satudata_laporan.route("/")
def index() -> Any:
    return _index()


@satudata_laporan.route("/buat", methods=["POST"])
def generate() -> Any:
    context = _context()
    form = {"period": request.form.get("period", "").strip(),
            "format": request.form.get("format", "all")}
    try:
        done = tk.get_action("satudata_report_generate")(dict(context), dict(form))
    except tk.ValidationError as e:
        return _index(e.error_dict, form, 400)
    tk.h.flash_success(tk._("{count} reports of {period} generated").format(
        count=len(done["reports"]), period=periods.parse(form["period"]).label))
    return tk.redirect_to("satudata_laporan.index")


@satudata_laporan.route("/<report_id>/unduh.<fmt>")
def download(report_id: str, fmt: str) -> Response:
    if fmt not in store.FORMATS:
        raise tk.ObjectNotFound()
    shown = tk.get_action("satudata_report_show")(_context(), {"id": report_id})
    report = model.Session.get(Report, shown["id"])
    found = store.path(report, fmt) if report is not None else None
    if found is None:
        raise tk.ObjectNotFound()
    response = send_file(found, mimetype=MIMETYPES[fmt], as_attachment=True,
                         download_name=found.name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
