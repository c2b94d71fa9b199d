"""The KPIs of integration (issue 15), in one query:

- "% of OPD applications integrated by API": of the OPD systems registered for
  integration (not rejected), those approved that have synced successfully at least once;
- "% of datasets updated by scheduled sync": of the active datasets that have an input
  package, those whose rows were updated by a successful sync (push or pull) in the last
  12 months.

Counts only: no system or dataset is named.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata.integrasi.model import Integrasi, IntegrasiRun
from ckanext.satudata.model import InputPackage

WINDOW = dt.timedelta(days=365)


def _percent(numerator: int, denominator: int) -> float | None:
    return round(100.0 * numerator / denominator, 1) if denominator else None


def compute(now: dt.datetime | None = None) -> dict[str, Any]:
    since = (now or dt.datetime.utcnow()) - WINDOW
    synced = sa.exists().where(sa.and_(IntegrasiRun.integrasi_id == Integrasi.id,
                                       IntegrasiRun.state == "success"))
    apps = (sa.select(
        sa.func.count().filter(Integrasi.status != "rejected"),
        sa.func.count().filter(Integrasi.status == "approved", synced))
        .select_from(Integrasi).subquery())
    dataset_synced = sa.exists().where(sa.and_(
        IntegrasiRun.input_id == InputPackage.id, IntegrasiRun.state == "success",
        IntegrasiRun.started >= since))
    datasets = (sa.select(
        sa.func.count(sa.distinct(InputPackage.package_id)),
        sa.func.count(sa.distinct(InputPackage.package_id)).filter(dataset_synced))
        .select_from(InputPackage)
        .join(model.Package, model.Package.id == InputPackage.package_id)
        .where(InputPackage.state == "active", model.Package.state == "active")
        .subquery())
    apps_total, apps_done, ds_total, ds_done = model.Session.execute(
        sa.select(*apps.c, *datasets.c)).one()
    return {
        "applications_integrated": {"value": _percent(apps_done, apps_total),
                                    "numerator": apps_done, "denominator": apps_total},
        "datasets_synced": {"value": _percent(ds_done, ds_total),
                            "numerator": ds_done, "denominator": ds_total},
        "definitions": {
            "applications_integrated": tk._(
                "OPD systems registered for integration (not rejected) that are approved "
                "and have synced at least once"),
            "datasets_synced": tk._(
                "Datasets with an input package whose rows were updated by a successful "
                "push or scheduled pull in the last 12 months")},
    }
