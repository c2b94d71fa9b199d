"""`satudata_monitoring_show`: the monitoring figures per OPD as JSON (issue 13)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata import metadata, verification
from ckanext.satudata.daftar import access, calendar
from ckanext.satudata.localtime import today_wib
from ckanext.satudata.logic.validators import date_period
from ckanext.satudata.monitoring import figures
from ckanext.satudata.statistik import aggregate

__all__ = ["satudata_monitoring_show"]


def _schema() -> dict[str, Any]:
    ignore_missing = tk.get_validator("ignore_missing")
    int_validator = tk.get_validator("int_validator")
    unicode_safe = tk.get_validator("unicode_safe")
    isodate = tk.get_validator("isodate")
    return {"year": [ignore_missing, int_validator],
            "organization": [ignore_missing, unicode_safe],
            "start": [ignore_missing, isodate], "end": [ignore_missing, isodate]}


@tk.side_effect_free
def satudata_monitoring_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The monitoring figures.

    Args:
        year: the Daftar Data year (default: this year).
        organization: one OPD's id or name (default: every OPD the caller may see).
        start, end: a period (ISO dates, both or neither; the periodic reports of
            /laporan): views and downloads are those of its days, overdue figures
            are as on the day after its end (today at the latest), the year
            defaults to the end's year. Workflow states are always today's.

    Returns:
        {year, organization, start, end, rows: [one dict per OPD], totals,
         columns: [[key, label]], kecamatan: [published datasets covering each
         kecamatan], kecamatan_columns, and per breakdown (`sektor`, `kategori`):
         <breakdown>: [one dict per sector/category, `value` and `label`, the same
         figures as the OPD rows, only of the OPDs shown], <breakdown>_totals,
         <breakdown>_columns}
    """
    tk.check_access("satudata_monitoring_show", context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), _schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    period = date_period(data)
    year = int(data.get("year") or (period[1].year if period else today_wib().year))
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
    today = min(period[1] + dt.timedelta(days=1), today_wib()) if period else None
    # Kept under everything the figures are made of, for the scope the caller may see.
    key = ":".join(str(part) for part in (
        "monitoring", year, organization, ",".join(scope) if scope is not None else "*",
        period, today or today_wib(), _language(), _data_version()))
    result: dict[str, Any] = aggregate.cached(
        key, lambda: _compute(year, scope, organization, today, period))
    return result


def _language() -> str:
    """The language of the labels in the result (a job or the CLI has no request)."""
    try:
        return str(tk.h.lang() or "")
    except (RuntimeError, AttributeError):
        return str(tk.config.get("ckan.locale_default") or "")


def _data_version() -> str:
    """The datasets (any change touches metadata_modified), the workflow, the Daftar
    Data and the region boundaries; views and downloads are kept an hour (figures.usage)."""
    count, newest = model.Session.execute(sa.select(
        sa.func.count(), sa.func.max(model.Package.metadata_modified))).one()
    shared = verification.shared()
    workflow = shared.workflow_version() if shared else ""
    return f"{count}:{newest}:{workflow}:{calendar.version()}"


def _compute(year: int, scope: list[str] | None, organization: str | None,
             today: dt.date | None, period: tuple[dt.date, dt.date] | None
             ) -> dict[str, Any]:
    rows = figures.by_opd(year, scope, today, period)
    return {"year": year, "organization": organization,
            "start": period[0].isoformat() if period else None,
            "end": period[1].isoformat() if period else None, "rows": rows,
            "totals": figures.totals(rows),
            "columns": [[k, tk._(label)] for k, label in figures.COLUMNS],
            "kecamatan": figures.by_kecamatan(scope),
            "kecamatan_columns": [[k, tk._(label)] for k, label in figures.KECAMATAN_COLUMNS],
            **_breakdowns(year, [r["organization_id"] for r in rows], today, period)}


def _breakdowns(year: int, org_ids: list[str], today: dt.date | None,
                period: tuple[dt.date, dt.date] | None) -> dict[str, Any]:
    """The tables per sector and per category, of the OPDs whose rows are shown."""
    out: dict[str, Any] = {}
    for which, (field, _, first) in figures.BREAKDOWNS.items():
        rows = figures.by_field(which, year, org_ids, metadata.choice_labels(field),
                                today, period)
        for row in rows:
            if row["value"] is None:
                row["label"] = tk._("(not filled)")
        out[which] = rows
        out[f"{which}_totals"] = figures.totals(rows)
        out[f"{which}_columns"] = [["label", tk._(first)]] + [
            [k, tk._(label)] for k, label in figures.COLUMNS[1:]]
    return out
