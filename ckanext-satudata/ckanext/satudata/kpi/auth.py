"""Auth of the KPI action: public, since it returns only aggregates (no titles)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["satudata_kpi_show"]


@tk.auth_allow_anonymous_access
def satudata_kpi_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone: the KPIs are counts that name no entry or dataset."""
    return {"success": True}
