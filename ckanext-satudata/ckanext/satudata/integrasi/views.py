"""The pages of integrations under /integrasi (blueprint `satudata_integrasi`).

Every page calls the actions, which decide who sees and does what: walidata and the
owning OPD's staff see an integration, its documents and its sync runs; an OPD's operator
registers systems and sets pulls; walidata decides and revokes. A visitor is sent to the
login page, anyone else without a right gets 403.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request, send_file

from ckanext.satudata.integrasi import access, documents, model
from ckanext.satudata.integrasi import schema as S

satudata_integrasi = Blueprint("satudata_integrasi", __name__, url_prefix="/integrasi")

STATUS_LABELS = {"requested": "Requested", "approved": "Approved", "rejected": "Rejected",
                 "revoked": "Revoked"}
RUN_LABELS = {"running": "Running", "success": "Succeeded", "failed": "Failed",
              "missed": "Missed"}


def _error_page(code: int, name: str, content: str) -> tuple[str, int]:
    return tk.render("error_document_template.html", {
        "code": code, "name": name, "content": content,
        "show_login_redirect_link": False}), code


@satudata_integrasi.errorhandler(tk.NotAuthorized)
def _not_authorized(_: Exception) -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to(tk.url_for("user.login", came_from=request.full_path))
    return _error_page(403, "Forbidden", tk._("You may not see or do this"))


@satudata_integrasi.errorhandler(tk.ObjectNotFound)
def _not_found(_: Exception) -> Any:
    return _error_page(404, "Not found", tk._("Integration not found"))


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _labels() -> dict[str, Any]:
    return {"status_labels": {k: tk._(v) for k, v in STATUS_LABELS.items()},
            "run_labels": {k: tk._(v) for k, v in RUN_LABELS.items()},
            "schedule_labels": {"daily": tk._("Daily"), "weekly": tk._("Weekly")},
            "formats": model.FORMATS}


def _register_orgs(user: str) -> list[dict[str, str]]:
    """The OPDs the user may register a system for (operator; walidata: every OPD)."""
    from ckan import model as ckan_model

    orgs = ckan_model.Session.query(ckan_model.Group).filter(
        ckan_model.Group.is_organization.is_(True), ckan_model.Group.state == "active"
    ).order_by(ckan_model.Group.title).all()
    if not access.is_walidata(user):
        mine = access.opds_of(user)
        orgs = [o for o in orgs if o.id in mine and access.is_operator_of(user, o.id)]
    return [{"id": o.id, "title": o.title or o.name} for o in orgs]


def _index(errors: dict[str, Any] | None = None, form: dict[str, Any] | None = None,
           status: int = 200) -> Any:
    context = _context()
    overview = tk.get_action("satudata_integration_list")(dict(context), {})
    kpi = tk.get_action("satudata_integration_kpi")(dict(context), {})
    page = tk.render("satudata/integrasi/index.html", {
        **overview, **_labels(), "kpi": kpi, "register_orgs": _register_orgs(context["user"]),
        "walidata": access.is_walidata(context["user"]),
        "errors": errors or {}, "form": form or {}})
    return (page, status) if status != 200 else page


@satudata_integrasi.route("/")
def index() -> Any:
    return _index()


def _form(*fields: str) -> dict[str, Any]:
    return {f: request.form.get(f, "") for f in fields}


@satudata_integrasi.route("/baru", methods=["POST"])
def create() -> Any:
    form = _form("organization_id", "system_name", "contact", "api_description",
                 "data_structure")
    data = {**form, "upload": request.files.getlist("upload")}
    try:
        found = tk.get_action("satudata_integration_create")(_context(), data)
    except tk.ValidationError as err:
        return _index(err.error_dict, form, 400)
    tk.h.flash_success(tk._("The integration request was sent to the walidata"))
    return tk.redirect_to("satudata_integrasi.show", id=found["id"])


def _show(integration_id: str, *, token: str | None = None,
          errors: dict[str, Any] | None = None, status: int = 200) -> Any:
    context = _context()
    shown = tk.get_action("satudata_integration_show")(dict(context), {"id": integration_id})
    user = context["user"]
    page = tk.render("satudata/integrasi/show.html", {
        "item": shown, **_labels(), "token": token, "errors": errors or {},
        "walidata": access.is_walidata(user),
        "operator": access.is_walidata(user) or access.is_operator_of(
            user, shown["organization_id"]),
        "push_max_rows": S.PUSH_MAX_ROWS,
        "api_url": tk.url_for("api.action", ver=3, logic_function="satudata_integration_push",
                              _external=True)})
    return (page, status) if status != 200 else page


@satudata_integrasi.route("/<id>")
def show(id: str) -> Any:
    return _show(id)


@satudata_integrasi.route("/<id>/putuskan", methods=["POST"])
def decide(id: str) -> Any:
    try:
        result = tk.get_action("satudata_integration_decide")(_context(), {
            "id": id, "decision": request.form.get("decision", ""),
            "note": request.form.get("note", "")})
    except tk.ValidationError as err:
        return _show(id, errors=err.error_dict, status=400)
    if result.get("token"):
        # Shown once, in this answer only: it is not stored.
        return _show(id, token=result["token"])
    tk.h.flash_success(tk._("The request was rejected"))
    return tk.redirect_to("satudata_integrasi.show", id=id)


@satudata_integrasi.route("/<id>/cabut", methods=["POST"])
def revoke(id: str) -> Any:
    try:
        tk.get_action("satudata_integration_revoke")(_context(), {
            "id": id, "reason": request.form.get("reason", "")})
    except tk.ValidationError as err:
        return _show(id, errors=err.error_dict, status=400)
    tk.h.flash_success(tk._("The integration was revoked; its token no longer works"))
    return tk.redirect_to("satudata_integrasi.show", id=id)


@satudata_integrasi.route("/<id>/dokumen", methods=["POST"])
def document_add(id: str) -> Any:
    try:
        tk.get_action("satudata_integration_document_add")(_context(), {
            "id": id, "upload": request.files.get("upload")})
    except tk.ValidationError as err:
        return _show(id, errors=err.error_dict, status=400)
    tk.h.flash_success(tk._("The document was added"))
    return tk.redirect_to("satudata_integrasi.show", id=id)


@satudata_integrasi.route("/<id>/dokumen/<document_id>")
def document(id: str, document_id: str) -> Any:
    doc = tk.get_action("satudata_integration_document_show")(_context(), {
        "id": id, "document_id": document_id})
    return send_file(documents.file_of(doc["id"]), as_attachment=True,
                     download_name=doc["filename"])


@satudata_integrasi.route("/<id>/tarik", methods=["POST"])
def pull_set(id: str) -> Any:
    data = _form("input_id", "url", "format", "schedule", "period")
    data["integration_id"] = id
    data["enabled"] = request.form.get("enabled", "true")
    try:
        tk.get_action("satudata_integration_pull_set")(_context(), data)
    except tk.ValidationError as err:
        return _show(id, errors=err.error_dict, status=400)
    tk.h.flash_success(tk._("The scheduled pull was saved"))
    return tk.redirect_to("satudata_integrasi.show", id=id)


@satudata_integrasi.route("/<id>/tarik/<input_id>/jalankan", methods=["POST"])
def pull_run(id: str, input_id: str) -> Any:
    tk.get_action("satudata_integration_pull_run")(_context(), {"input_id": input_id})
    tk.h.flash_success(tk._("The pull was queued; its result appears below in a moment"))
    return tk.redirect_to("satudata_integrasi.show", id=id)


@satudata_integrasi.route("/<id>/tarik/<input_id>/hapus", methods=["POST"])
def pull_delete(id: str, input_id: str) -> Any:
    tk.get_action("satudata_integration_pull_delete")(_context(), {"input_id": input_id})
    tk.h.flash_success(tk._("The scheduled pull was removed"))
    return tk.redirect_to("satudata_integrasi.show", id=id)
