"""Page-view summaries for many datasets and resources in one query.

Core's tracking plugin asks the database once per dataset and once per
resource (40+ queries for one page of 20 search results, one per resource on
a dataset page); `add_summaries` answers the same question for all of them at
once.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from ckan import model
from ckanext.tracking.model import TrackingSummary

Summary = dict[str, int]
_NONE: Summary = {"total": 0, "recent": 0}


def _latest_by(kind: str, column, values: set[str]) -> sa.Select:
    """The newest summary row for each value of `column` (PostgreSQL DISTINCT ON)."""
    newest = (
        sa.select(column.label("key"), TrackingSummary.running_total,
                  TrackingSummary.recent_views)
        .where(column.in_(values))
        .distinct(column)
        .order_by(column, TrackingSummary.tracking_date.desc())
        .subquery()
    )
    return sa.select(sa.literal(kind).label("kind"), newest)


def _summaries(package_ids: set[str], urls: set[str]) -> dict[tuple[str, str], Summary]:
    """{("package", id) | ("url", url): summary}, for those that have one."""
    parts = []
    if package_ids:
        parts.append(_latest_by("package", TrackingSummary.package_id, package_ids))
    if urls:
        parts.append(_latest_by("url", TrackingSummary.url, urls))
    if not parts:
        return {}
    stmt = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    return {
        (kind, key): {"total": total, "recent": recent}
        for kind, key, total, recent in model.Session.execute(stmt)
    }


def add_summaries(datasets: Iterable[dict]) -> None:
    """Set `tracking_summary` on each dataset dict and its resources, as core does."""
    datasets = [d for d in datasets if "id" in d]
    found = _summaries(
        {d["id"] for d in datasets},
        {r["url"] for d in datasets for r in d.get("resources", []) if "url" in r},
    )
    for dataset in datasets:
        dataset["tracking_summary"] = dict(found.get(("package", dataset["id"]), _NONE))
        for resource in dataset.get("resources", []):
            if "url" in resource:
                resource["tracking_summary"] = dict(found.get(("url", resource["url"]), _NONE))
