"""`satudata_statistics_show`: the portal's public figures (aggregates only)."""
from __future__ import annotations

import copy
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata import metadata
from ckanext.satudata.logic.validators import date_period
from ckanext.satudata.statistik import aggregate, schema

__all__ = ["satudata_statistics_show"]


def _organization_id(value: str | None) -> str | None:
    if not value:
        return None
    group = model.Group.get(value)
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ValidationError({"organization": [tk._("Unknown OPD: {name}").format(
            name=value)]})
    return str(group.id)


@tk.side_effect_free
def satudata_statistics_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Figures of the published, non-`rahasia` statistical activities: ``totals``
    (datasets, producing OPDs, views, downloads), ``monthly`` (published, views,
    downloads per month), ``by_category``, ``by_sector``, ``by_opd`` (datasets,
    views, downloads each), ``most_viewed`` and ``most_downloaded`` (top 10) and
    ``generated`` (UTC). Kept in Redis, refreshed hourly and on publication.

    Args:
        start, end: a period (ISO dates, both or neither): views, downloads and
            publications of those days only, the top datasets of the period (the
            periodic reports' usage figures). Default: all time.
        organization: one OPD (id or name): its published datasets only.

    Returns:
        The figures, with ``start``, ``end`` and ``organization`` (id) as asked
        (None when not).
    """
    tk.check_access("satudata_statistics_show", context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), schema.statistics_show(), context)
    if errors:
        raise tk.ValidationError(errors)
    start, end = date_period(data) or (None, None)
    organization_id = _organization_id(data.get("organization"))
    figures = copy.deepcopy(aggregate.figures(start, end, organization_id))
    for field, rows in (("kategori", figures["by_category"]),
                        ("sektor_kegiatan", figures["by_sector"])):
        labels = metadata.choice_labels(field)
        for row in rows:
            row["label"] = labels.get(row["key"], row["key"])
    figures.update(start=start.isoformat() if start else None,
                   end=end.isoformat() if end else None, organization=organization_id)
    return figures
