"""The figures of a report, from the same functions as the dashboards (one source of
truth): `satudata_monitoring_show` for the period (input, verification, correction
notes, views and downloads per OPD), `satudata_kpi_show` of the period's year
(timeliness and fill rate), the metadata quality summary of /kualitas-metadata, and
`satudata_statistics_show` for the period (and OPD): monthly usage and the top
datasets of the period, public figures only.

Nothing here names an unpublished or `rahasia` dataset: the monitoring, KPI and quality
figures are counts, and the top datasets come from the public statistics (an OPD's
report lists that OPD's published datasets only).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata.laporan.periods import Period
from ckanext.satudata.quality import summary as quality_summary


def _system_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def monitoring(period: Period, organization_id: str | None) -> dict[str, Any]:
    """`satudata_monitoring_show` for the period (and OPD)."""
    params: dict[str, Any] = {"start": period.start.isoformat(),
                              "end": period.end.isoformat()}
    if organization_id:
        params["organization"] = organization_id
    result: dict[str, Any] = tk.get_action("satudata_monitoring_show")(
        _system_context(), params)
    return result


def statistics(period: Period, organization_id: str | None) -> dict[str, Any]:
    """`satudata_statistics_show` for the period (and OPD): what the public statistics
    answer for the same days, computed by the same grouped queries."""
    params: dict[str, Any] = {"start": period.start.isoformat(),
                              "end": period.end.isoformat()}
    if organization_id:
        params["organization"] = organization_id
    # Anonymous: the public figures, whoever generates the report.
    result: dict[str, Any] = tk.get_action("satudata_statistics_show")({"user": ""}, params)
    return result


def collect(period: Period, organization_id: str | None, organization_title: str | None
            ) -> dict[str, Any]:
    """Every figure of one report (the whole portal when `organization_id` is None)."""
    context = _system_context
    mon = monitoring(period, organization_id)
    kpi_params: dict[str, Any] = {"year": period.end.year}
    if organization_id:
        kpi_params["organization"] = organization_id
    kpi = tk.get_action("satudata_kpi_show")(context(), kpi_params)
    scope = [organization_id] if organization_id else None
    quality_rows = quality_summary.by_opd(scope)
    months = set(period.months())
    quality_kpi = [m for m in quality_summary.kpi(scope, months=240) if m["month"] in months]
    stats = statistics(period, organization_id)
    usage_months = [m for m in stats["monthly"] if m["month"] in months]
    present = {m["month"] for m in usage_months}
    usage_months += [{"month": m, "published": 0, "views": 0, "downloads": 0}
                     for m in months - present]
    usage_months.sort(key=lambda m: m["month"])
    return {
        "period": period, "organization_id": organization_id,
        "organization_title": organization_title,
        "generated": dt.datetime.now(dt.timezone.utc),
        "monitoring": mon, "kpi": kpi,
        "quality": {"rows": quality_rows, "totals": quality_summary.totals(quality_rows),
                    "kpi": quality_kpi, "kpi_days": quality_summary.KPI_DAYS},
        "usage": {"months": usage_months,
                  "views": mon["totals"]["views"], "downloads": mon["totals"]["downloads"],
                  "most_viewed": stats["most_viewed"],
                  "most_downloaded": stats["most_downloaded"]},
    }
