"""Actions of ckanext-satudata (registered by blanket)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.satudata import form_pages, indah, metadata
from ckanext.satudata.pii import paths as pii_paths

__all__ = ["datastore_create", "package_update", "satudata_indah_export",
           "satudata_metadata_check"]


@tk.chained_action
def datastore_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """A table made through the API (data entry, the demo, an API client) gets the
    resource's default views, as a file loaded by the loader does: core creates views only
    when a resource is created, before it has a table, so the page had no preview.
    Existing views are kept; a view type the resource already has is not added again.
    Records that would make personal data public at once are refused first (pii.paths)."""
    pii_paths.check_datastore_write(context, data_dict)
    result = next_action(context, data_dict)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    system: Context = {"user": site_user["name"], "ignore_auth": True}
    resource = tk.get_action("resource_show")(dict(system), {"id": result["resource_id"]})
    tk.get_action("resource_create_default_resource_views")(
        dict(system), {"resource": resource, "create_datastore_views": True})
    return result


@tk.chained_action
def package_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """A save of one dataset form page keeps the fields of the other pages (see form_pages).
    Uploaded files that would make personal data public at once are refused before core
    stores them (pii.paths; resource_create and resource_update come through here)."""
    pii_paths.check_uploads(context, data_dict)
    return next_action(context, form_pages.complete_form_page(context, data_dict))


@tk.side_effect_free
def satudata_metadata_check(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Report every missing or inconsistent mandatory SDI field of a dataset.

    Args:
        id: id or name of the dataset.

    Returns:
        {"complete": bool, "problems": [{field, label, kind, message}, ...]}
        with labels and messages in the request's language.
    """
    tk.check_access("satudata_metadata_check", context, data_dict)
    dataset = tk.get_action("package_show")(
        dict(context), {"id": tk.get_or_bust(data_dict, "id")})
    problems = metadata.check(dataset, dataset.get("type", metadata.DATASET_TYPE))
    return {"complete": not problems, "problems": problems}


@tk.side_effect_free
def satudata_indah_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Export a dataset as BPS INDAH v2 records, ready for submission.

    Never fails on an incomplete dataset: missing values are null and each
    record lists what it lacks under ``incomplete``.

    Args:
        id: id or name of the dataset.

    Returns:
        {"ms_keg": envelope, "ms_var": [envelope, ...], "ms_ind": [envelope, ...]}:
        MS-Keg of the dataset, MS-Var of each column of its DataStore tables the
        caller may read, MS-Ind of the `indikator` datasets linked to it
        (see ckanext.satudata.indah).
    """
    tk.check_access("satudata_indah_export", context, data_dict)
    caller: Context = {"user": context.get("user", ""),
                       "auth_user_obj": context.get("auth_user_obj")}
    dataset = tk.get_action("package_show")(dict(caller), {"id": tk.get_or_bust(data_dict, "id")})
    return indah.export(dataset, caller)
