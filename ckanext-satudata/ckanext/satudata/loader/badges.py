"""The DataStore load badge on resources, for the people who can act on it.

xloader's `xloader_badge` asks for the load status of every resource it is
shown for (three queries each with our status chain) and shows pending, running
and failed loads to everyone. Here the badge is shown only to those who may
update the dataset, and the states of all its resources come in one query per
page.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckanext.xloader.utils import XLoaderFormats
from markupsafe import Markup

from ckanext.satudata import localtime
from ckanext.satudata.loader import status

# xloader's states as the badge names them; a finished load needs no badge.
_BADGE_OF_STATE = {"pending": "pending", "submitting": "pending", "running": "running",
                   "running_but_viewable": "running", "error": "error"}


def _texts(badge: str) -> tuple[str, str]:
    return {
        "pending": (tk._("Pending"), tk._("Data awaiting load to DataStore")),
        "running": (tk._("Running"), tk._("Loading data into DataStore")),
        "error": (tk._("Error"), tk._("Failed to load data into DataStore")),
    }[badge]


def _states_for_editor(package_id: str) -> dict[str, Any] | None:
    """{resource id: (state, last_updated)} if the user may update the dataset, else None.

    Kept on the request: a dataset page asks once for all its resources.
    """
    cache = tk.g.setdefault("satudata_loader_badges", {})
    if package_id not in cache:
        try:
            user = tk.current_user.name if tk.current_user.is_authenticated else ""
            tk.check_access("package_update", {"user": user}, {"id": package_id})
        except tk.NotAuthorized:
            cache[package_id] = None
        else:
            task, resource = model.task_status_table, model.resource_table  # type: ignore
            rows = model.Session.execute(
                sa.select(task.c.entity_id, task.c.state, task.c.last_updated)
                .join(resource, resource.c.id == task.c.entity_id)
                .where(resource.c.package_id == package_id,
                       task.c.task_type == status.TASK_TYPE, task.c.key == status.KEY))
            cache[package_id] = {rid: (state, updated) for rid, state, updated in rows}
    return cache[package_id]


@tk.chained_helper
def xloader_badge(next_helper: Any, resource: dict[str, Any]) -> str:
    if not tk.asbool(tk.config.get("ckanext.xloader.show_badges", True)):
        return ""
    if tk.asbool(tk.config.get("ckanext.xloader.debug_badges", False)):
        return next_helper(resource)
    if not XLoaderFormats.is_it_an_xloader_format(resource.get("format")):
        return ""
    if not tk.g.get("user") or not resource.get("package_id"):
        return ""
    states = _states_for_editor(resource["package_id"])
    state, updated = (states or {}).get(resource.get("id") or "", (None, None))
    badge = _BADGE_OF_STATE.get(state or "")
    if badge is None:
        return ""
    label, description = _texts(badge)
    when = localtime.format_datetime(updated) if updated else \
        tk._("Last Updated Not Available")
    url = tk.h.url_for("xloader.resource_data", id=resource["package_id"],
                       resource_id=resource["id"])
    return Markup(
        '<a href="{url}" class="loader-badge" title="{title}">'
        '<span class="prefix">{prefix}</span>'
        '<span class="status {badge}">{label}</span></a>'
    ).format(url=url, title=f"{when}: {description}", prefix=tk._("datastore"),
             badge=badge, label=label)
