"""Pages of data input: input packages, entry form, file import with its summary,
survey links, staging, and the public survey form.

Every page reads and writes through the action API; the actions check access.
"""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, current_app, send_file
from werkzeug.exceptions import Forbidden, NotFound

from ckanext.satudata import config
from ckanext.satudata.localtime import today_wib
from ckanext.satudata.request_args import int_arg
from ckanext.satudata.tabular import template
from ckanext.satudata.tabular.structure import FREQUENCIES, Period, Structure

satudata_input = Blueprint("satudata_input", __name__)

COLUMN_KEYS = ("id", "label", "tipe_data", "satuan", "value_domain", "required", "key")
LINK_FIELDS = ("title", "period", "expires", "max_submissions", "login_required")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _action(name: str, data: dict[str, Any] | None = None) -> Any:
    return tk.get_action(name)(_context(), data or {})


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


@satudata_input.errorhandler(tk.NotAuthorized)
def _forbidden(err: tk.NotAuthorized):
    if not tk.current_user.is_authenticated:
        return tk.redirect_to(tk.url_for("user.login", came_from=tk.request.full_path))
    return current_app.handle_http_exception(Forbidden(str(err) or None))


@satudata_input.errorhandler(tk.ObjectNotFound)
def _not_found(err: tk.ObjectNotFound):
    return current_app.handle_http_exception(NotFound(str(err) or tk._("Not found")))


def _dataset(id: str) -> dict[str, Any]:
    return _action("package_show", {"id": id})


def _of_url(name: str, data: dict[str, Any]) -> Any:
    """An action given every id of the URL: ids that do not belong together are a 404.

    The action authorizes against the dataset of each object (the caller must be allowed on
    all of them) and refuses ids of different input packages or datasets.
    """
    try:
        return _action(name, data)
    except tk.ValidationError as err:
        raise tk.ObjectNotFound(tk._("Not found")) from err


def _input(pkg: dict[str, Any], input_id: str) -> dict[str, Any]:
    """The input package of the URL, only under its own dataset's URL."""
    return _of_url("satudata_input_package_show", {"id": input_id, "package_id": pkg["id"]})


def _latest_ended(frequency: str, today: dt.date | None = None) -> Period:
    """The latest period that has ended by `today` (WIB): the default of the pickers
    (in December 2026: 2025, Semester I 2026, Triwulan III 2026, November 2026)."""
    today = today or today_wib()
    if frequency == "tahunan":
        return Period(frequency, today.year - 1)
    size = {"semesteran": 6, "triwulanan": 3, "bulanan": 1}[frequency]
    current = (today.month - 1) // size  # 0-based number of the running sub-period
    if current == 0:
        return Period(frequency, today.year - 1, 12 // size)
    return Period(frequency, today.year, current)


def _periods(frequency: str, around: int | None = None) -> list[Period]:
    """Periods offered in pickers: this year, the five before and the next."""

    year = around or today_wib().year
    counts = {"tahunan": None, "semesteran": 2, "triwulanan": 4, "bulanan": 12}
    out = []
    for y in range(year + 1, year - 6, -1):
        subs = counts[frequency]
        out += [Period(frequency, y)] if subs is None else \
            [Period(frequency, y, s) for s in range(subs, 0, -1)]
    return out


# --- input packages -------------------------------------------------------------------

@satudata_input.route("/dataset/<id>/input")
def index(id: str):
    pkg = _dataset(id)
    packages = _action("satudata_input_package_list", {"package_id": pkg["id"]})
    can_write = tk.h.check_access("satudata_input_package_create", {"package_id": pkg["id"]})
    return tk.render("satudata_input/index.html", {
        "pkg": pkg, "pkg_dict": pkg, "packages": packages, "can_write": can_write})


def _columns_from_form(form: Any) -> list[dict[str, Any]]:
    """Column rows of the structure editor (col-<n>-<key>), blank rows left out."""
    numbers = sorted({int(k.split("-")[1]) for k in form if k.startswith("col-")
                      and k.split("-")[1].isdigit()})
    columns = []
    for n in numbers:
        column = {k: (form.get(f"col-{n}-{k}") or "").strip() for k in COLUMN_KEYS}
        column["required"] = bool(form.get(f"col-{n}-required"))
        column["key"] = bool(form.get(f"col-{n}-key"))
        if column["id"] or column["label"]:
            columns.append(column)
    return columns


def _domain_text(column: dict[str, Any]) -> str:
    domain = column.get("value_domain") or []
    if isinstance(domain, str):
        return domain
    return "\n".join(f"{d['kode']}={d['nilai']}" for d in domain)


@satudata_input.route("/dataset/<id>/input/new", methods=["GET", "POST"])
@satudata_input.route("/dataset/<id>/input/<input_id>/edit", methods=["GET", "POST"],
                      endpoint="edit")
def new(id: str, input_id: str | None = None):
    pkg = _dataset(id)
    existing = _input(pkg, input_id) if input_id else None
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        form = tk.request.form
        data = {"title": form.get("title", ""), "columns": _columns_from_form(form)}
        try:
            if existing:
                _action("satudata_input_package_update", {"id": input_id, **data})
                tk.h.flash_success(tk._("The input package was saved."))
                return tk.redirect_to("satudata_input.read", id=pkg["name"], input_id=input_id)
            created = _action("satudata_input_package_create", {
                "package_id": pkg["id"], "frequency": form.get("frequency"), **data})
        except tk.ValidationError as err:
            errors = err.error_dict
            values = {**data, "frequency": form.get("frequency")}
        else:
            tk.h.flash_success(tk._("The input package was created."))
            return tk.redirect_to("satudata_input.read", id=pkg["name"], input_id=created["id"])
    else:
        tk.check_access("satudata_input_package_create", _context(), {"package_id": pkg["id"]})
        values = existing or {"title": "", "frequency": "tahunan", "columns": []}
    columns = [dict(c, value_domain=_domain_text(c)) for c in values["columns"]]
    columns += [{} for _ in range(max(3, 8 - len(columns)))]
    return tk.render("satudata_input/edit.html", {
        "pkg": pkg, "pkg_dict": pkg, "data": values, "columns": columns, "existing": existing,
        "errors": errors, "error_list": _messages(errors), "frequencies": FREQUENCIES,
        "tipe_data": ("CHARACTER", "INTEGER", "DECIMAL", "DATE", "BOOLEAN")})


@satudata_input.route("/dataset/<id>/input/<input_id>")
def read(id: str, input_id: str):
    pkg = _dataset(id)
    input_pkg = _input(pkg, input_id)
    links = _action("satudata_survey_link_list", {"id": input_id})
    pending = _action("satudata_survey_submission_list", {"id": input_id, "state": "pending"})
    return tk.render("satudata_input/read.html", {
        "pkg": pkg, "pkg_dict": pkg, "input": input_pkg, "links": links,
        "pending_count": len(pending), "periods": _periods(input_pkg["frequency"]),
        "default_period": _latest_ended(input_pkg["frequency"]).code(),
        "can_write": tk.h.check_access("satudata_input_rows_save", {"id": input_id})})


@satudata_input.route("/dataset/<id>/input/<input_id>/template.<fmt>")
def download_template(id: str, input_id: str, fmt: str):
    pkg = _dataset(id)
    input_pkg = _input(pkg, input_id)
    structure = Structure.from_dict(input_pkg)
    period = None
    if tk.request.args.get("period"):
        try:
            period = Period.parse(tk.request.args["period"])
        except ValueError:
            return tk.abort(400, tk._("Not a period code"))
    out = io.BytesIO()
    stem = f"templat-{pkg['name']}-{period.code() if period else 'data'}"
    if fmt == "xlsx":
        template.build_xlsx_template(structure, title=input_pkg["title"], period=period,
                                     package_id=input_id, out=out)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        template.build_csv_template(structure, out=out)
        mimetype = "text/csv"
    else:
        return tk.abort(404, tk._("Not found"))
    out.seek(0)
    return send_file(out, mimetype=mimetype, as_attachment=True,
                     download_name=f"{stem}.{fmt}")


# --- file import ----------------------------------------------------------------------

@satudata_input.route("/dataset/<id>/input/<input_id>/upload", methods=["POST"])
def upload(id: str, input_id: str):
    pkg = _dataset(id)
    _input(pkg, input_id)
    form = tk.request.form
    try:
        result = _action("satudata_input_import_check", {
            "id": input_id, "period": form.get("period"),
            "upload": tk.request.files.get("upload")})
    except tk.ValidationError as err:
        for message in _messages(err.error_dict):
            tk.h.flash_error(message)
        return tk.redirect_to("satudata_input.read", id=pkg["name"], input_id=input_id)
    return tk.redirect_to("satudata_input.import_summary", id=pkg["name"], input_id=input_id,
                          import_id=result["id"])


@satudata_input.route("/dataset/<id>/input/<input_id>/import/<import_id>",
                      methods=["GET", "POST"])
def import_summary(id: str, input_id: str, import_id: str):
    pkg = _dataset(id)
    input_pkg = _input(pkg, input_id)
    _of_url("satudata_input_import_show", {"import_id": import_id, "id": input_id})
    errors: list[str] = []
    if tk.request.method == "POST":
        form = tk.request.form
        try:
            if "decimal_separator" in form:
                _action("satudata_input_import_check", {
                    "id": input_id, "import_id": import_id, "period": form.get("period"),
                    "sheet": form.get("sheet"),
                    "decimal_separator": form.get("decimal_separator")})
            elif form.get("sheet"):
                _action("satudata_input_import_check", {
                    "id": input_id, "import_id": import_id, "period": form.get("period"),
                    "sheet": form.get("sheet")})
            else:
                result = _action("satudata_input_import_apply", {
                    "import_id": import_id, "id": input_id, "mode": form.get("mode")})
                message = tk._("{n} rows were written for {period}.").format(
                    n=result["rows_applied"], period=Period.parse(result["period"]).label())
                if not result["published"]:
                    message += " " + tk._("They stay with the OPD until the dataset's update "
                                          "is verified and published.")
                tk.h.flash_success(message)
                return tk.redirect_to("satudata_input.read", id=pkg["name"], input_id=input_id)
        except tk.ValidationError as err:
            errors = _messages(err.error_dict)
    found = _action("satudata_input_import_show", {"import_id": import_id, "id": input_id})
    return tk.render("satudata_input/import.html", {
        "pkg": pkg, "pkg_dict": pkg, "input": input_pkg, "import": found,
        "summary": found["summary"], "error_list": errors,
        "period_label": Period.parse(found["period"]).label()})


# --- entry form -----------------------------------------------------------------------

@satudata_input.route("/dataset/<id>/input/<input_id>/rows", methods=["GET", "POST"])
def rows(id: str, input_id: str):
    pkg = _dataset(id)
    input_pkg = _input(pkg, input_id)
    try:
        period = Period.parse(tk.request.values.get("period", ""))
    except ValueError:
        return tk.abort(400, tk._("Not a period code"))
    per_page = config.input_form_rows_per_page()
    page = int_arg("page", args=tk.request.values)
    columns = [c["id"] for c in input_pkg["columns"]]
    cell_errors: dict[tuple[int, str | None], str] = {}
    error_list: list[str] = []
    submitted: list[dict[str, Any]] | None = None
    if tk.request.method == "POST":
        form = tk.request.form
        indices = sorted({int(k.split("-")[1]) for k in form if k.startswith("r-")
                          and k.split("-")[1].isdigit()})
        submitted, deletions = [], []
        for i in indices:
            values = {c: form.get(f"r-{i}-{c}", "") for c in columns}
            row_id = form.get(f"r-{i}-_row") or None
            if form.get(f"r-{i}-delete") and row_id:
                deletions.append(row_id)
                continue
            if not row_id and not any(v.strip() for v in values.values()):
                continue  # an untouched blank row
            submitted.append({"_row": row_id, "values": values, "index": i})
        try:
            result = _action("satudata_input_rows_save", {
                "id": input_id, "period": period.code(), "delete": deletions,
                "rows": [{"_row": r["_row"], "values": r["values"]} for r in submitted]})
        except tk.ValidationError as err:
            error_list = _messages(err.error_dict)
            for index, column, message in getattr(err, "cells", []):
                cell_errors[(submitted[index]["index"], column)] = message
        else:
            message = tk._("Saved: {added} added, {updated} changed, {deleted} deleted.").format(
                **result)
            if not result["published"]:
                message += " " + tk._("The changes stay with the OPD until the dataset's "
                                      "update is verified and published.")
            tk.h.flash_success(message)
            return tk.redirect_to("satudata_input.rows", id=pkg["name"], input_id=input_id,
                                  period=period.code(), page=page)
    listing = _action("satudata_input_rows_list", {
        "id": input_id, "period": period.code(), "offset": (page - 1) * per_page,
        "limit": per_page})
    if submitted is not None:  # show what the user typed, with the errors
        form_rows = [{"index": r["index"], "_row": r["_row"], **r["values"]} for r in submitted]
    else:
        form_rows = [{"index": n, **row} for n, row in enumerate(listing["rows"])]
    start = max([r["index"] for r in form_rows] + [-1]) + 1
    form_rows += [{"index": start + n, "_row": None} for n in range(5)]
    return tk.render("satudata_input/rows.html", {
        "pkg": pkg, "pkg_dict": pkg, "input": input_pkg, "period": period,
        "rows": form_rows, "cell_errors": cell_errors, "error_list": error_list,
        "page": page, "pages": max(1, -(-listing["total"] // per_page)),
        "total": listing["total"]})


# --- survey links and staging ---------------------------------------------------------

@satudata_input.route("/dataset/<id>/input/<input_id>/links", methods=["POST"])
def link_create(id: str, input_id: str):
    pkg = _dataset(id)
    _input(pkg, input_id)
    form = tk.request.form
    data = {k: form.get(k) for k in LINK_FIELDS}
    data["login_required"] = bool(form.get("login_required"))
    data["columns"] = form.getlist("columns")
    try:
        link = _action("satudata_survey_link_create", {"id": input_id, **data})
    except tk.ValidationError as err:
        for message in _messages(err.error_dict):
            tk.h.flash_error(message)
    else:
        tk.h.flash_success(tk._("The link was created: {url}").format(url=link["url"]))
    return tk.redirect_to("satudata_input.read", id=pkg["name"], input_id=input_id,
                          _anchor="links")


@satudata_input.route("/dataset/<id>/input/<input_id>/links/<link_id>/revoke",
                      methods=["POST"])
def link_revoke(id: str, input_id: str, link_id: str):
    pkg = _dataset(id)
    _input(pkg, input_id)
    _of_url("satudata_survey_link_revoke", {"link_id": link_id, "id": input_id})
    tk.h.flash_success(tk._("The link was revoked."))
    return tk.redirect_to("satudata_input.read", id=pkg["name"], input_id=input_id,
                          _anchor="links")


@satudata_input.route("/dataset/<id>/input/<input_id>/staging", methods=["GET", "POST"])
def staging(id: str, input_id: str):
    pkg = _dataset(id)
    input_pkg = _input(pkg, input_id)
    error_list: list[str] = []
    if tk.request.method == "POST":
        ids = tk.request.form.getlist("submission")
        try:
            result = _action("satudata_survey_submission_review", {
                "id": input_id, "submission_ids": ids, "decision": tk.request.form.get("decision"),
                "note": tk.request.form.get("note")})
        except tk.ValidationError as err:
            error_list = _messages(err.error_dict)
        else:
            tk.h.flash_success(tk._("{n} submissions reviewed.").format(n=result["reviewed"]))
            return tk.redirect_to("satudata_input.staging", id=pkg["name"], input_id=input_id)
    submissions = _action("satudata_survey_submission_list", {"id": input_id})
    return tk.render("satudata_input/staging.html", {
        "pkg": pkg, "pkg_dict": pkg, "input": input_pkg, "error_list": error_list,
        "pending": [s for s in submissions if s["state"] == "pending"],
        "reviewed": [s for s in submissions if s["state"] != "pending"][-50:]})


# --- the public survey form -----------------------------------------------------------

@satudata_input.route("/isian/<token>", methods=["GET", "POST"])
def survey(token: str):
    errors: dict[str, Any] = {}
    values: dict[str, str] = {}
    try:
        form = _action("satudata_survey_form_show", {"token": token})
    except tk.ValidationError as err:
        return tk.render("satudata_input/survey_closed.html",
                         {"messages": _messages(err.error_dict)}), 410
    if tk.request.method == "POST":
        values = {c["id"]: tk.request.form.get(c["id"], "") for c in form["columns"]}
        try:
            _action("satudata_survey_submit", {"token": token, "values": values})
        except tk.ValidationError as err:
            errors = err.error_dict
        else:
            return tk.render("satudata_input/survey_done.html", {"form": form})
    return tk.render("satudata_input/survey.html", {
        "form": form, "token": token, "values": values, "errors": errors,
        "error_list": _messages({k: v for k, v in errors.items()
                                 if k not in {c["id"] for c in form["columns"]}})}), \
        400 if errors else 200
