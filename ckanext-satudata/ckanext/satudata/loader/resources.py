"""The loader's reactions to resource changes made through the API or the forms.

* A changed `satudata_sheet` (the sheet to load) or `satudata_decimal_separator` reloads
  the resource: xloader itself reloads only when the URL changes.
* A macro workbook (.xlsm, .xltm, .xlsb, .xlam by format or file name) is never
  loaded; instead of being skipped silently (it is not a loadable format) its load
  status says why, in the words of the file check (tabular.guard).
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata.loader import config, status
from ckanext.satudata.loader.errors import message
from ckanext.satudata.tabular import guard

log = logging.getLogger(__name__)

#: Resource fields whose change reloads the DataStore table.
RELOAD_FIELDS = ("satudata_sheet", "satudata_decimal_separator")
_CONTEXT_KEY = "satudata_loader_reload"
MACRO_MESSAGE = ("The file contains macros (VBA or scripts). Save it as an ordinary workbook "
                 "(.xlsx) without macros and upload it again.")


def _value(resource: dict[str, Any], field: str) -> str | None:
    return (str(resource.get(field) or "").strip()) or None


def before_update(context: Any, current: dict[str, Any], resource: dict[str, Any]) -> None:
    """Remember (in the action's context) a resource whose sheet or separator changes."""
    if any(field in resource and _value(resource, field) != _value(current, field)
           for field in RELOAD_FIELDS):
        context.setdefault(_CONTEXT_KEY, set()).add(current.get("id"))


def after_update(context: Any, resource: dict[str, Any]) -> None:
    """Reload a resource remembered by before_update; refuse a macro workbook."""
    if refuse_macro_workbook(resource):
        return
    if resource.get("id") not in context.get(_CONTEXT_KEY, ()):
        return
    context[_CONTEXT_KEY].discard(resource["id"])
    if not config.handles(resource):
        return
    try:
        tk.get_action("xloader_submit")({"ignore_auth": True}, {
            "resource_id": resource["id"], "ignore_hash": True})
    except tk.ValidationError as exc:  # as xloader does: a save never fails on this
        log.warning("reload of %s not queued: %s", resource["id"], exc)


def after_create(context: Any, resource: dict[str, Any]) -> None:
    refuse_macro_workbook(resource)


def is_macro_workbook(resource: dict[str, Any]) -> bool:
    fmt = (resource.get("format") or "").strip().lower().lstrip(".")
    url = (resource.get("url") or "").split("?")[0].split("#")[0]
    extension = url.rsplit(".", 1)[-1].lower() if "." in url.rsplit("/", 1)[-1] else ""
    macro = guard._MACRO_EXTENSIONS  # the file check's own list
    return fmt in macro or extension in macro or "macroenabled" in fmt


def refuse_macro_workbook(resource: dict[str, Any]) -> bool:
    """Write an error status for a macro workbook (True), else leave it alone (False)."""
    if not resource.get("id") or not is_macro_workbook(resource):
        return False
    error = dict(message(MACRO_MESSAGE), code="macro")
    status.write(resource["id"], stage="error", job_id=None, errors=[error], notices=[],
                 message=error["message"], finished=status.now(), heartbeat=status.now(),
                 rows_loaded=0, rows_total=None, reload_requested=False, viewable=False)
    return True
