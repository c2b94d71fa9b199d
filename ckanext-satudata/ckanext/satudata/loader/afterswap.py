"""What follows the swap, as xloader does it: the resource flags, its views, IXloader hooks."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context


def site_context() -> Context:
    """A context acting as the site user (the load job has no request user)."""
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"ignore_auth": True, "user": user["name"]}


def after_swap(resource: dict[str, Any]) -> None:
    """What xloader does once the table is in: the resource flags, its views, IXloader hooks."""
    from ckan import plugins
    from ckanext.xloader.interfaces import IXloader
    from ckanext.xloader.utils import set_resource_metadata

    set_resource_metadata({"resource_id": resource["id"], "datastore_active": True,
                           "datastore_contains_all_records_of_source_file": True})
    context = site_context()
    resource = tk.get_action("resource_show")(context, {"id": resource["id"]})
    package = tk.get_action("package_show")(context, {"id": resource["package_id"]})
    for plugin in plugins.PluginImplementations(IXloader):
        plugin.after_upload(context, resource, package)
    tk.get_action("resource_create_default_resource_views")(
        context, {"resource": resource, "package": package, "create_datastore_views": True})
