"""satudata_kpi_show: the KPIs of a year's Daftar Data, per OPD and overall."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata import config
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.kpi import compute
from ckanext.satudata.kpi.schema import kpi_show_schema

__all__ = ["satudata_kpi_show"]


def _organization(value: str) -> tuple[str, str, str]:
    row = model.Session.execute(
        sa.select(model.Group.id, model.Group.name, model.Group.title).where(
            sa.or_(model.Group.id == value, model.Group.name == value),
            model.Group.is_organization.is_(True), model.Group.state == "active")).first()
    if row is None:
        raise tk.ValidationError({"organization": [tk._("Unknown OPD: {name}").format(
            name=value)]})
    return (row[0], row[1], row[2] or row[1])


@tk.side_effect_free
@tk.validate(kpi_show_schema)
def satudata_kpi_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The KPIs of the Satu Data programme for a year (issue 12), with their definitions.

    Args:
        year: the Daftar Data year (default: this year, WIB).
        organization: name or id of one OPD (default: all).

    Returns:
        {year, first_year, plan_year, as_of, organization ({id, name, title} or null),
         definitions {key: text}, overall {figures}, organizations [{id, name, title,
         figures...}]}; figures: on_schedule {value %, numerator, denominator, target},
         fill_rate and metadata_complete {value %, numerator, denominator},
         published_datasets {value, target (overall only)}, delay_days {mean, median,
         count}, late_releases {value, overdue}. A percentage without a denominator is
         null. Counts only: no entry or dataset is named.
    """
    tk.check_access("satudata_kpi_show", context, data_dict)
    year = data_dict.get("year") or P.today_wib().year
    first_year = config.kpi_first_year()
    org = _organization(data_dict["organization"]) if data_dict.get("organization") else None
    figures = compute.kept(year, first_year, org)
    return {
        "year": year, "first_year": first_year,
        "plan_year": compute.plan_year(year, first_year),
        "as_of": figures["as_of"],
        "organization": {"id": org[0], "name": org[1], "title": org[2]} if org else None,
        "definitions": compute.definitions(),
        "overall": figures["overall"], "organizations": figures["organizations"],
    }
