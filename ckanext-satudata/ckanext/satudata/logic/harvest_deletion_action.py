"""Chained `package_delete`: a harvester's deletion of a dataset gone from its source
withdraws or deletes it through the workflow (`harvest_deletion.take_down`) instead of
core's silent deletion. Every other call is core's (and the auth functions') own."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.satudata import harvest_deletion

__all__ = ["package_delete"]


@tk.chained_action
def package_delete(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Delete a dataset (core's action). Called by a harvester's import stage for a
    dataset deleted at the harvest source (a delete object of it is being imported),
    the dataset is withdrawn with the reason in its history when it has a published
    version, and deleted (not purged) otherwise.

    Args:
        id: dataset id or name.
    """
    from ckan import model

    pkg = model.Package.get(str(data_dict.get("id") or ""))
    obj = harvest_deletion.deletion_in_progress(pkg.id) if pkg is not None else None
    if obj is None:
        return next_action(context, data_dict)
    user = model.User.get(str(context.get("user") or ""))
    if user is None or not user.sysadmin:
        # Only the harvesters (the site user) apply deletions at a source.
        return next_action(context, data_dict)
    tk.check_access("package_delete", context, data_dict)
    harvest_deletion.take_down(pkg.id, obj, lambda: next_action(context, data_dict))
    return None
