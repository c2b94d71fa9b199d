"""Auth functions of ckanext-satudata, one per action, same names."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["satudata_indah_export", "satudata_metadata_check"]


def _can_see_dataset(context: Context, data_dict: DataDict) -> AuthResult:
    try:
        tk.check_access("package_show", context, data_dict)
    except tk.NotAuthorized:
        return {"success": False}
    return {"success": True}


@tk.auth_allow_anonymous_access
def satudata_metadata_check(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the dataset may see what its metadata lacks."""
    return _can_see_dataset(context, data_dict)


@tk.auth_allow_anonymous_access
def satudata_indah_export(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the dataset may export its metadata (DataStore columns stay guarded)."""
    return _can_see_dataset(context, data_dict)
