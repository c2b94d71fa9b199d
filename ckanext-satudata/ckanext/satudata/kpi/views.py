"""/kinerja-sdi (endpoint `satudata_public.kinerja_sdi`): the KPIs of a year with their
targets, charts, a table per OPD and the definitions, for the public and for an EPSS
assessor. Everything comes from `satudata_kpi_show` (aggregates only)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import request

from ckanext.satudata.daftar import calendar
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.kpi import compute
from ckanext.satudata.localtime import year_or_current
from ckanext.satudata.public_pages import satudata_public

#: Figures drawn per OPD, as (key, unit).
PER_OPD_CHARTS = (("on_schedule", "%"), ("fill_rate", "%"), ("metadata_complete", "%"))


def _year() -> int:
    return year_or_current(request.args.get("tahun"))


def _target_series(kpi: dict[str, Any], first_year: int) -> dict[str, Any]:
    """The Rencana Aksi path (years 1-5) with this year's value beside its target."""
    years = [first_year + i for i in range(len(compute.ON_SCHEDULE_TARGETS))]
    value = kpi["overall"]["on_schedule"]["value"]
    return {
        "type": "bar", "unit": "%", "max": 100,
        "categories": [str(y) for y in years],
        "series": [
            {"name": tk._("Target"), "data": list(compute.ON_SCHEDULE_TARGETS),
             "type": "line", "dashed": True},
            {"name": tk._("Achieved"),
             "data": [value if y == kpi["year"] else None for y in years]},
        ],
    }


def _dataset_series(kpi: dict[str, Any], first_year: int) -> dict[str, Any]:
    years = [first_year + i for i in range(len(compute.DATASET_TARGETS))]
    value = kpi["overall"]["published_datasets"]["value"]
    return {
        "type": "bar", "unit": "",
        "categories": [str(y) for y in years],
        "series": [
            {"name": tk._("Target"), "data": list(compute.DATASET_TARGETS),
             "type": "line", "dashed": True},
            {"name": tk._("Published now"),
             "data": [value if y == kpi["year"] else None for y in years]},
        ],
    }


def _per_opd(kpi: dict[str, Any], key: str, unit: str, name: str) -> dict[str, Any]:
    rows = [o for o in kpi["organizations"] if o[key]["value"] is not None]
    return {"type": "bar", "unit": unit, "max": 100, "horizontal": True,
            "categories": [o["title"] for o in rows],
            "series": [{"name": name, "data": [o[key]["value"] for o in rows]}]}


def kinerja_sdi() -> str:
    year = _year()
    kpi = tk.get_action("satudata_kpi_show")({"user": ""}, {"year": year})
    first_year = kpi["first_year"]
    names = {"on_schedule": tk._("Priority data released on schedule"),
             "fill_rate": tk._("Fill rate of the Daftar Data"),
             "metadata_complete": tk._("Priority data with complete metadata")}
    return tk.render("satudata_kpi/kinerja_sdi.html", {
        "kpi": kpi, "year": year, "names": names,
        # Issue 15: the KPIs of integration (integrasi/kpi.py), counts only.
        "integrasi": tk.get_action("satudata_integration_kpi")({"user": ""}, {}),
        "years": sorted(set(calendar.years()) | {year, P.today_wib().year}),
        "charts_data": {
            "target": _target_series(kpi, first_year),
            "datasets": _dataset_series(kpi, first_year),
            **{key: _per_opd(kpi, key, unit, names[key]) for key, unit in PER_OPD_CHARTS},
        },
    })


satudata_public.add_url_rule("/kinerja-sdi", "kinerja_sdi", kinerja_sdi)
