"""Chained xloader actions: supported formats go to our loader, xloader's API stays the same.

Auth is xloader's own (`xloader_submit` / `xloader_status` auth functions,
i.e. the DataStore auth: who may update the resource's dataset).
"""
from __future__ import annotations

import time
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.satudata.loader import config, jobs, stale, status

__all__ = ["xloader_status", "xloader_submit"]


handles = config.handles


@tk.chained_action
def xloader_submit(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Queue a load of a resource into the DataStore (same parameters and answer as xloader's).

    Args:
        resource_id: the resource.
        ignore_hash: reload even if the file has not changed (default False).

    Returns:
        True when a load was queued (or a running one will reload), False otherwise.
    """
    resource_id = data_dict.get("resource_id") or data_dict.get("id")
    tk.check_access("xloader_submit", context, data_dict)
    if not resource_id:
        raise tk.ValidationError({"resource_id": [tk._("Missing value")]})
    resource = _resource(resource_id)
    if resource is None:
        return False
    if not handles(resource):
        if not resource.get("url_type"):
            # A linked file: xloader would download it without safe_fetch's address check.
            return False
        return up_func(context, data_dict)
    from ckanext.xloader.interfaces import IXloader

    for plugin in p.PluginImplementations(IXloader):
        if not plugin.can_upload(resource_id):
            return False
    # A dead load is dealt with first (re-queued, or failed so a new one starts below).
    stale.check_stale(resource_id)
    current = status.read(resource_id)
    value = current["value"] if current else {}
    if value.get("stage") in (*status.RUNNING_STAGES, "queued"):
        if value.get("stage") in status.RUNNING_STAGES or value.get("indexing_only"):
            # No second job racing the running one: it queues a fresh load when it ends.
            status.write(resource_id, reload_requested=True)
        return True
    jobs.enqueue(resource_id, ignore_hash=tk.asbool(data_dict.get("ignore_hash", False)))
    return True


def _resource(resource_id: str) -> dict[str, Any] | None:
    # xloader submits from after_resource_create before the resource is committed: retry briefly.
    for wait in (0, 0.2, 0.5):
        time.sleep(wait)
        try:
            return tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
        except tk.ObjectNotFound:
            continue
    return None


@tk.side_effect_free
@tk.chained_action
def xloader_status(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """xloader's status answer plus `satudata_loader`: our progress.

    `satudata_loader` holds stage (queued/reading/loading/indexing/complete/error),
    rows_loaded, rows_total, sheets, sheet, attempt, heartbeat, job_id, errors and
    notices (messages translated), columns and `running`. A dead load is detected
    here too (and re-enqueued or failed).
    """
    tk.check_access("xloader_status", context, data_dict)
    resource_id = data_dict.get("resource_id") or data_dict.get("id")
    if resource_id:
        stale.check_stale(resource_id)
    result = up_func(context, data_dict)
    current = status.read(resource_id) if resource_id else None
    if current and "stage" in current["value"]:
        result["satudata_loader"] = present(current["value"])
    return result


def present(value: dict[str, Any]) -> dict[str, Any]:
    """The progress for an answer or a page: messages in the request's language."""
    out = dict(value)
    for key in ("errors", "notices"):
        out[key] = [dict(m, message=_translate(m)) for m in value.get(key) or []]
    out["running"] = value.get("stage") in (*status.RUNNING_STAGES, "queued")
    if value.get("stage") == "error" and value.get("errors"):
        out["message"] = out["errors"][0]["message"]
    return out


def _translate(entry: dict[str, Any]) -> str:
    msgid = entry.get("msgid")
    if not msgid:
        return str(entry.get("message") or "")
    try:
        return tk._(msgid).format(**(entry.get("params") or {}))
    except (KeyError, IndexError, ValueError):
        return str(entry.get("message") or msgid)
