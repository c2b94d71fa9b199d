"""Auth functions of ckanext-satudata, one per action, same names."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["satudata_indah_export", "satudata_metadata_check"]


@tk.auth_allow_anonymous_access
def satudata_metadata_check(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the dataset may see what its metadata lacks."""
    try:
        tk.check_access("package_show", context, data_dict)
    except tk.NotAuthorized:
        return {"success": False}
    return {"success": True}


@tk.auth_allow_anonymous_access
def satudata_indah_export(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may see the dataset may export its metadata (DataStore columns stay guarded)."""
    try:
        tk.check_access("package_show", context, data_dict)
    except tk.NotAuthorized:
        return {"success": False}
    return {"success": True}
