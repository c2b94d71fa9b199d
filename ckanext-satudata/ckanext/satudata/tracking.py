"""Page-view summaries for many datasets and resources in two queries.

Core's tracking plugin asks the database once per search result and once per
resource of each result (40+ queries for one page of 20 results); these
functions answer the same question for the whole page at once.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from ckan import model
from ckanext.tracking.model import TrackingSummary

Summary = dict[str, int]
_NONE: Summary = {"total": 0, "recent": 0}


def _latest_by(column, values: set[str]) -> dict[str, Summary]:
    """The newest summary row for each value of `column` (PostgreSQL DISTINCT ON)."""
    if not values:
        return {}
    stmt = (
        sa.select(column, TrackingSummary.running_total, TrackingSummary.recent_views)
        .where(column.in_(values))
        .distinct(column)
        .order_by(column, TrackingSummary.tracking_date.desc())
    )
    return {
        key: {"total": total, "recent": recent}
        for key, total, recent in model.Session.execute(stmt)
    }


def add_summaries(datasets: Iterable[dict]) -> None:
    """Set `tracking_summary` on each dataset dict and its resources, as core does."""
    datasets = [d for d in datasets if "id" in d]
    by_package = _latest_by(TrackingSummary.package_id, {d["id"] for d in datasets})
    by_url = _latest_by(
        TrackingSummary.url,
        {r["url"] for d in datasets for r in d.get("resources", []) if "url" in r},
    )
    for dataset in datasets:
        dataset["tracking_summary"] = dict(by_package.get(dataset["id"], _NONE))
        for resource in dataset.get("resources", []):
            if "url" in resource:
                resource["tracking_summary"] = dict(by_url.get(resource["url"], _NONE))
