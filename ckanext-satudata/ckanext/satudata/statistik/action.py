"""`satudata_statistics_show`: the portal's public figures (aggregates only)."""
from __future__ import annotations

import copy
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.satudata import metadata
from ckanext.satudata.statistik import aggregate

__all__ = ["satudata_statistics_show"]


@tk.side_effect_free
def satudata_statistics_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Figures of the published, non-`rahasia` statistical activities: ``totals``
    (datasets, producing OPDs, views, downloads), ``monthly`` (published, views,
    downloads per month), ``by_category``, ``by_sector``, ``by_opd`` (datasets,
    views, downloads each), ``most_viewed`` and ``most_downloaded`` (top 10) and
    ``generated`` (UTC). Kept in Redis, refreshed hourly and on publication."""
    tk.check_access("satudata_statistics_show", context, data_dict)
    figures = copy.deepcopy(aggregate.figures())
    for field, rows in (("kategori", figures["by_category"]),
                        ("sektor_kegiatan", figures["by_sector"])):
        labels = metadata.choice_labels(field)
        for row in rows:
            row["label"] = labels.get(row["key"], row["key"])
    return figures
