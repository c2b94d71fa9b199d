"""Walidata's pages of the Daftar Data (`/daftar-data`, blueprint `satudata_daftar`).

The list of a year's entries with filters, an entry with its periods, revisions and
change log, the forms to create and edit an entry, the spreadsheet import (upload,
every-error dry run, then apply) and the import template. Walidata and sysadmins manage;
an OPD's operators and verifikators read their own OPD's entries and propose revised
dates. Every view calls the actions, which decide who may do what; a visitor is sent
to the login page, a signed-in user without access gets 403.
"""
from __future__ import annotations

import os
import re
import secrets
import time
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, make_response, request
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from ckanext.satudata.daftar import entries, template
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.localtime import year_or_current

satudata_daftar = Blueprint("satudata_daftar", __name__, url_prefix="/daftar-data")

#: Uploaded import files kept for the "apply" step after the dry run.
_UPLOAD_DIR = "satudata_daftar_imports"
_KEEP_UPLOADS_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_FILTER_STATUSES = (*P.STATUSES, "belum_tersedia")


def _error_page(code: int, name: str, content: str) -> tuple[str, int]:
    """The portal's error page (what core's handler renders for an HTTP error)."""
    return tk.render("error_document_template.html", {
        "code": code, "name": name, "content": content,
        "show_login_redirect_link": False}), code


@satudata_daftar.errorhandler(tk.NotAuthorized)
def _not_authorized(_: Exception) -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to(tk.url_for("user.login", came_from=request.full_path))
    return _error_page(403, "Forbidden", tk._("You may not see the Daftar Data"))


@satudata_daftar.errorhandler(tk.ObjectNotFound)
def _not_found(_: Exception) -> Any:
    return _error_page(404, "Not Found", tk._("Daftar Data entry not found"))


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _may(action: str, data: dict[str, Any] | None = None) -> bool:
    try:
        tk.check_access(action, _context(), data or {})
    except tk.NotAuthorized:
        return False
    return True


def _labels() -> dict[str, Any]:
    return {"statuses": P.status_labels(), "frequencies": P.frequency_labels(),
            "pembina": P.pembina_labels(), "kategori": entries.choices("kategori"),
            "sektor": entries.choices("sektor_kegiatan")}


def _organizations() -> list[dict[str, Any]]:
    return tk.get_action("organization_list")(
        {"ignore_auth": True}, {"all_fields": True, "sort": "title asc", "limit": 1000})


def index() -> str:
    context = _context()
    tk.check_access("satudata_daftar_data_list", context, {})
    args = request.args
    year = year_or_current(args.get("tahun"))
    data: dict[str, Any] = {"year": year}
    filters = {"tahun": year, "organization": args.get("organization", ""),
               "prioritas": args.get("prioritas", ""), "status": args.get("status", "")}
    if filters["organization"]:
        data["organization"] = filters["organization"]
    if filters["prioritas"] in ("ya", "tidak"):
        data["prioritas"] = filters["prioritas"] == "ya"
    if filters["status"] in _FILTER_STATUSES:
        data["status"] = filters["status"]
    result = tk.get_action("satudata_daftar_data_list")(context, data)
    manager = _may("satudata_daftar_data_create")
    organizations = _organizations()
    if not manager:
        own = {e["organization_id"] for e in tk.get_action("satudata_daftar_data_list")(
            context, {})["results"]}
        organizations = [o for o in organizations if o["id"] in own]
    return tk.render("satudata_daftar/index.html", {
        "result": result, "year": year, "filters": filters, "manager": manager,
        "organizations": organizations, "years": list(range(year - 2, year + 3)),
        "filter_statuses": _FILTER_STATUSES, **_labels()})


def read(entry_id: str) -> str:
    context = _context()
    entry = tk.get_action("satudata_daftar_data_show")(context, {"id": entry_id})
    manager = _may("satudata_daftar_data_update", {"id": entry["id"]})
    return tk.render("satudata_daftar/read.html", {
        "entry": entry, "manager": manager,
        "may_propose": _may("satudata_daftar_revision_propose",
                            {"period_id": entry["periods"][0]["id"]})
        if entry["periods"] else False,
        "organization": next((o for o in _organizations()
                              if o["id"] == entry["organization_id"]), None),
        **_labels()})


def _form_data(form: Any, frequency: str | None, editing: bool) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("year", "organization", "title", "kategori", "sektor", "frequency",
                "pembina", "package_id", "reason"):
        value = (form.get(key) or "").strip()
        if value or (editing and key == "package_id"):
            data[key] = value
    data["prioritas"] = form.get("prioritas") == "on"
    if frequency in P.PERIODS:
        data["periods"] = [{"period": code, "planned": form.get(f"planned-{code}", "").strip()}
                           for code in P.PERIODS[frequency]
                           if form.get(f"planned-{code}", "").strip()]
        if not editing:
            # A missing date is reported by the action, period by period.
            given = {p["period"] for p in data["periods"]}
            data["periods"] += [{"period": c} for c in P.PERIODS[frequency] if c not in given]
    return data


def _form(entry: dict[str, Any] | None, values: dict[str, Any], errors: dict[str, Any]
          ) -> str:
    planned = {p["period"]: p["planned"] for p in (entry or {}).get("periods", [])}
    for key, value in values.items():
        if key.startswith("planned-"):
            planned[key[len("planned-"):]] = value
    year = year_or_current(values.get("year") or (entry or {}).get("year"))
    return tk.render("satudata_daftar/form.html", {
        "entry": entry, "values": values, "errors": errors, "planned": planned,
        "organizations": _organizations(), "period_codes": P.PERIODS,
        "period_labels": {c: P.period_label(c, year) for codes in P.PERIODS.values()
                          for c in codes},
        "frequency_options": P.frequency_labels(), **_labels()})


def _errors(err: tk.ValidationError) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [str(v)] for k, v in err.error_dict.items()}


def new() -> Any:
    context = _context()
    tk.check_access("satudata_daftar_data_create", context, {})
    if request.method == "GET":
        return _form(None, {"year": P.today_wib().year + 1}, {})
    form = request.form
    data = _form_data(form, form.get("frequency"), editing=False)
    try:
        entry = tk.get_action("satudata_daftar_data_create")(context, data)
    except tk.ValidationError as err:
        return _form(None, dict(form), _errors(err))
    tk.h.flash_success(tk._("The entry was added to the Daftar Data."))
    return tk.redirect_to("satudata_daftar.read", entry_id=entry["id"])


def edit(entry_id: str) -> Any:
    context = _context()
    entry = tk.get_action("satudata_daftar_data_show")(context, {"id": entry_id})
    tk.check_access("satudata_daftar_data_update", context, {"id": entry["id"]})
    if request.method == "GET":
        organization = entry["organization_id"]
        return _form(entry, {**entry, "organization": organization}, {})
    form = request.form
    data = _form_data(form, form.get("frequency") or entry["frequency"], editing=True)
    data["id"] = entry["id"]
    try:
        tk.get_action("satudata_daftar_data_update")(context, data)
    except tk.ValidationError as err:
        return _form(entry, dict(form), _errors(err))
    tk.h.flash_success(tk._("The entry was saved."))
    return tk.redirect_to("satudata_daftar.read", entry_id=entry["id"])


def delete(entry_id: str) -> Any:
    context = _context()
    entry = tk.get_action("satudata_daftar_data_show")(context, {"id": entry_id})
    try:
        tk.get_action("satudata_daftar_data_delete")(
            context, {"id": entry["id"], "reason": request.form.get("reason", "")})
    except tk.ValidationError as err:
        for messages in _errors(err).values():
            for message in messages:
                tk.h.flash_error(message)
        return tk.redirect_to("satudata_daftar.read", entry_id=entry["id"])
    tk.h.flash_success(tk._("The entry was removed from the Daftar Data."))
    return tk.redirect_to("satudata_daftar.index", tahun=entry["year"])


def revise(entry_id: str) -> Any:
    """A revised date of a period: walidata's applies at once, an OPD's is a proposal."""
    context = _context()
    entry = tk.get_action("satudata_daftar_data_show")(context, {"id": entry_id})
    form = request.form
    try:
        tk.get_action("satudata_daftar_revision_propose")(context, {
            "period_id": form.get("period_id", ""), "revised": form.get("revised", ""),
            "reason": form.get("reason", "")})
    except tk.ValidationError as err:
        for field, messages in _errors(err).items():
            for message in messages:
                tk.h.flash_error(f"{_field_label(field)}: {message}")
    else:
        tk.h.flash_success(tk._("The revised date was recorded."))
    return tk.redirect_to("satudata_daftar.read", entry_id=entry["id"])


def decide(entry_id: str, revision_id: str) -> Any:
    context = _context()
    entry = tk.get_action("satudata_daftar_data_show")(context, {"id": entry_id})
    try:
        tk.get_action("satudata_daftar_revision_decide")(context, {
            "id": revision_id, "decision": request.form.get("decision", ""),
            "note": request.form.get("note", "")})
    except tk.ValidationError as err:
        for field, messages in _errors(err).items():
            for message in messages:
                tk.h.flash_error(f"{_field_label(field)}: {message}")
    else:
        tk.h.flash_success(tk._("The decision was recorded."))
    return tk.redirect_to("satudata_daftar.read", entry_id=entry["id"])


def _field_label(field: str) -> str:
    return {"revised": tk._("Revised date"), "reason": tk._("Reason"),
            "period_id": tk._("Period"), "decision": tk._("Decision"),
            "note": tk._("Note")}.get(field, field)


def template_xlsx() -> Response:
    tk.check_access("satudata_daftar_data_list", _context(), {})
    response = make_response(template.workbook(), 200)
    response.headers["Content-Type"] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = (
        'attachment; filename="template-daftar-data.xlsx"')
    return response


def _upload_dir() -> str:
    base = tk.config.get("ckan.storage_path") or "/tmp"
    path = os.path.join(base, _UPLOAD_DIR)
    os.makedirs(path, exist_ok=True)
    return path


def _upload_path(token: str) -> str:
    """Where the caller's upload of this token is kept (the user's id is part of the name,
    so nobody applies another user's upload)."""
    return os.path.join(_upload_dir(), f"{tk.current_user.id}-{token}")


def _forget_old_uploads() -> None:
    limit = time.time() - _KEEP_UPLOADS_SECONDS
    for name in os.listdir(_upload_dir()):
        path = os.path.join(_upload_dir(), name)
        if os.path.getmtime(path) < limit:
            os.remove(path)


def _run_import(context: dict[str, Any], token: str, filename: str, data: dict[str, Any]
                ) -> tuple[dict[str, Any] | None, list[str]]:
    with open(_upload_path(token), "rb") as stream:
        upload = FileStorage(stream=stream, filename=filename)
        try:
            return tk.get_action("satudata_daftar_data_import")(
                context, {**data, "upload": upload}), []
        except tk.ValidationError as err:
            summary = err.error_dict.get("summary")
            messages = [m for k, v in _errors(err).items() if k != "summary" for m in v]
            return (summary[0] if summary else None), messages


def import_() -> Any:
    context = _context()
    tk.check_access("satudata_daftar_data_import", context, {})
    form = request.form
    values = {"year": form.get("year") or str(P.today_wib().year + 1),
              "reason": form.get("reason", ""), "sheet": form.get("sheet", "")}
    page: dict[str, Any] = {"values": values, "summary": None, "messages": [], "token": None,
                            "filename": None, "applied": False}
    if request.method == "GET":
        return tk.render("satudata_daftar/import.html", page)
    data = {"year": values["year"], "mode": "dry_run"}
    if values["reason"].strip():
        data["reason"] = values["reason"]
    if values["sheet"].strip():
        data["sheet"] = values["sheet"]
    token = form.get("token", "")
    upload = request.files.get("upload")
    if upload is not None and upload.filename:
        _forget_old_uploads()
        token = secrets.token_hex(16)
        upload.save(_upload_path(token))
        filename = os.path.basename(upload.filename)
    elif _TOKEN.match(token) and os.path.exists(_upload_path(token)):
        filename = os.path.basename(form.get("filename") or "daftar.xlsx")
        mode = form.get("mode")
        if mode in ("all_or_nothing", "valid_only"):
            data["mode"] = mode
    else:
        page["messages"] = [tk._("Choose the spreadsheet file to upload")]
        return tk.render("satudata_daftar/import.html", page)
    summary, messages = _run_import(context, token, filename, data)
    applied = bool(summary and summary.get("written"))
    if applied:
        os.remove(_upload_path(token))
    page.update(summary=summary, messages=messages, token=None if applied else token,
                filename=filename, applied=applied, mode=data["mode"])
    return tk.render("satudata_daftar/import.html", page)


satudata_daftar.add_url_rule("", "index", index, strict_slashes=False)
satudata_daftar.add_url_rule("/template.xlsx", "template", template_xlsx)
satudata_daftar.add_url_rule("/baru", "new", new, methods=["GET", "POST"])
satudata_daftar.add_url_rule("/impor", "import_", import_, methods=["GET", "POST"])
satudata_daftar.add_url_rule("/<entry_id>", "read", read)
satudata_daftar.add_url_rule("/<entry_id>/ubah", "edit", edit, methods=["GET", "POST"])
satudata_daftar.add_url_rule("/<entry_id>/hapus", "delete", delete, methods=["POST"])
satudata_daftar.add_url_rule("/<entry_id>/revisi", "revise", revise, methods=["POST"])
satudata_daftar.add_url_rule("/<entry_id>/revisi/<revision_id>", "decide", decide,
                             methods=["POST"])

__all__ = ["satudata_daftar"]
