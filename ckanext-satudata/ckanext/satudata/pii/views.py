"""The personal data page of a dataset (issue 14, 7.3), blueprint `satudata_pii`.

`/dataset/<id>/data-pribadi`: the findings of the scan (resource, column, kind, count,
sample row numbers; never a value) and the accepted exceptions, for the dataset's OPD,
the walidata and sysadmins; the walidata records an exception for a finding with a
reason, and deletes one. Every read and write goes through the actions, which decide
from the dataset (an exception: from the exception looked up by its id).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint, current_app, make_response, request
from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.wrappers import Response

satudata_pii = Blueprint("satudata_pii", __name__, url_prefix="/dataset/<id>/data-pribadi")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


@satudata_pii.errorhandler(tk.NotAuthorized)
def _forbidden(err: tk.NotAuthorized) -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to(tk.url_for("user.login", came_from=request.full_path))
    return current_app.handle_http_exception(Forbidden(str(err) or None))


@satudata_pii.errorhandler(tk.ObjectNotFound)
def _not_found(err: tk.ObjectNotFound) -> Any:
    return current_app.handle_http_exception(NotFound(str(err) or tk._("Dataset not found")))


def _kind_labels() -> dict[str, str]:
    return {"nik": "NIK", "nip": "NIP", "phone": tk._("Phone numbers"),
            "email": tk._("E-mail addresses"), "name": tk._("Names")}


def _source_labels() -> dict[str, str]:
    return {"datastore": tk._("DataStore table"), "file": tk._("Uploaded file"),
            "input": tk._("Entered data"), "records": tk._("Records sent")}


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def _render(id: str, errors: list[str] | None = None,
            form: dict[str, str] | None = None) -> Response:
    check = tk.get_action("satudata_pii_check")(_context(), {"package_id": id})
    exceptions = tk.get_action("satudata_pii_exception_list")(_context(), {"package_id": id})
    pkg = tk.get_action("package_show")(_context(), {"id": check["package_id"]})
    names = {r["id"]: r.get("name") or r["id"] for r in pkg.get("resources", [])}
    creators = {}
    for e in exceptions:
        user = model.User.get(e["created_by"]) if e["created_by"] else None
        creators[e["id"]] = user.display_name if user else ""
    may_manage = tk.h.check_access("satudata_pii_exception_create",
                                   {"package_id": pkg["id"]})
    response = make_response(tk.render("satudata_pii/index.html", {
        "pkg": pkg, "pkg_dict": pkg, "check": check, "exceptions": exceptions,
        "resource_names": names, "creators": creators, "may_manage": may_manage,
        "kind_labels": _kind_labels(), "source_labels": _source_labels(),
        "errors": errors or [], "form": form or {}}), 400 if errors else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@satudata_pii.route("", endpoint="index")
def index(id: str) -> Response:
    """The dataset's findings and exceptions."""
    return _render(id)


@satudata_pii.route("/pengecualian", methods=["POST"], endpoint="exception_create")
def exception_create(id: str) -> Response:
    """Record an accepted exception for one finding (walidata, sysadmins)."""
    form = {key: str(request.form.get(key) or "") for key in ("resource_id", "column", "reason")}
    # The dataset of the URL: the action checks that the resource belongs to it.
    check = tk.get_action("satudata_pii_check")(_context(), {"package_id": id})
    try:
        tk.get_action("satudata_pii_exception_create")(
            _context(), {"package_id": check["package_id"], **form})
    except tk.ValidationError as err:
        return _render(id, _messages(err.error_dict), form)
    tk.h.flash_success(tk._("The exception is recorded."))
    return tk.redirect_to("satudata_pii.index", id=id)


@satudata_pii.route("/pengecualian/<exception_id>/hapus", methods=["POST"],
                    endpoint="exception_delete")
def exception_delete(id: str, exception_id: str) -> Response:
    """Delete an exception of this dataset (walidata, sysadmins)."""
    check = tk.get_action("satudata_pii_check")(_context(), {"package_id": id})
    own = {e["id"] for e in tk.get_action("satudata_pii_exception_list")(
        _context(), {"package_id": check["package_id"]})}
    if exception_id not in own:
        raise tk.ObjectNotFound(tk._("Exception not found"))
    tk.get_action("satudata_pii_exception_delete")(_context(), {"id": exception_id})
    tk.h.flash_success(tk._("The exception is deleted: the column holds the dataset back "
                            "again."))
    return tk.redirect_to("satudata_pii.index", id=id)
