"""`satudata_monitoring_show`: the monitoring figures per OPD as JSON (issue 13)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata.daftar import access
from ckanext.satudata.monitoring import figures

__all__ = ["satudata_monitoring_show"]


def _schema() -> dict[str, Any]:
    ignore_missing = tk.get_validator("ignore_missing")
    int_validator = tk.get_validator("int_validator")
    unicode_safe = tk.get_validator("unicode_safe")
    return {"year": [ignore_missing, int_validator],
            "organization": [ignore_missing, unicode_safe]}


@tk.side_effect_free
def satudata_monitoring_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The monitoring figures.

    Args:
        year: the Daftar Data year (default: this year).
        organization: one OPD's id or name (default: every OPD the caller may see).

    Returns:
        {year, organization, rows: [one dict per OPD], totals, columns: [[key, label]],
         kecamatan: [published datasets covering each kecamatan], kecamatan_columns}
    """
    tk.check_access("satudata_monitoring_show", context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), _schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    year = int(data.get("year") or dt.date.today().year)
    if not 2000 <= year <= 2100:
        raise tk.ValidationError({"year": [tk._("Year must be between 2000 and 2100")]})
    who = access.caller(context.get("user"))
    scope: list[str] | None = None if who.manager else sorted(who.opds)
    organization = None
    if data.get("organization"):
        org = model.Group.get(data["organization"])
        if org is None or not org.is_organization or org.state != "active":
            raise tk.ObjectNotFound(tk._("Organization not found"))
        organization = org.id
        scope = [org.id]
    rows = figures.by_opd(year, scope)
    return {"year": year, "organization": organization, "rows": rows,
            "totals": figures.totals(rows),
            "columns": [[k, tk._(label)] for k, label in figures.COLUMNS],
            "kecamatan": figures.by_kecamatan(scope),
            "kecamatan_columns": [[k, tk._(label)] for k, label in figures.KECAMATAN_COLUMNS]}
