"""Authorization of the Statistik actions: public aggregates."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["satudata_statistics_show"]


@tk.auth_allow_anonymous_access
def satudata_statistics_show(context: Context, data_dict: DataDict) -> AuthResult:
    # Aggregates of what the public sees: open to everyone.
    return {"success": True}
