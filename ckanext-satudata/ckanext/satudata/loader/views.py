"""The DataStore tab's choosers: remember the sheet or the file's decimal separator on the
resource and reload."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.satudata.tabular.values import DECIMAL_SEPARATORS

satudata_loader = Blueprint("satudata_loader", __name__)


@satudata_loader.route("/dataset/<id>/resource_data/<resource_id>/sheet", methods=["POST"])
def choose_sheet(id: str, resource_id: str) -> Any:
    context: Any = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        tk.check_access("xloader_submit", context, {"resource_id": resource_id})
        resource = tk.get_action("resource_show")(context, {"id": resource_id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    sheet = (tk.request.form.get("sheet") or "").strip()
    if sheet and sheet != resource.get("satudata_sheet"):
        tk.get_action("resource_patch")(context, {"id": resource_id, "satudata_sheet": sheet})
    tk.get_action("xloader_submit")(context, {"resource_id": resource_id, "ignore_hash": True})
    tk.h.flash_success(tk._('The sheet "{sheet}" will be loaded into the DataStore.').format(
        sheet=sheet))
    return tk.redirect_to("xloader.resource_data", id=id, resource_id=resource_id)


@satudata_loader.route("/dataset/<id>/resource_data/<resource_id>/decimal", methods=["POST"])
def choose_decimal(id: str, resource_id: str) -> Any:
    """Declare the file's decimal separator (or none: read it from the numbers) and reload."""
    context: Any = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        tk.check_access("xloader_submit", context, {"resource_id": resource_id})
        resource = tk.get_action("resource_show")(context, {"id": resource_id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    separator = (tk.request.form.get("decimal_separator") or "").strip()
    if separator not in ("", *DECIMAL_SEPARATORS):
        return tk.abort(400, tk._('The decimal separator must be "," or "."'))
    if separator != (resource.get("satudata_decimal_separator") or ""):
        tk.get_action("resource_patch")(context, {"id": resource_id,
                                                  "satudata_decimal_separator": separator})
    tk.get_action("xloader_submit")(context, {"resource_id": resource_id, "ignore_hash": True})
    tk.h.flash_success(tk._("The file will be loaded again with the chosen decimal separator."))
    return tk.redirect_to("xloader.resource_data", id=id, resource_id=resource_id)


def get_blueprints() -> list[Blueprint]:
    return [satudata_loader]
