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
from sqlalchemy.dialects.postgresql import ARRAY

Summary = dict[str, int]
_NONE: Summary = {"total": 0, "recent": 0}

# The newest summary row of each dataset and of each resource URL, as core's
# TrackingSummary.get_for_package/get_for_resource read them. Written once as
# text with array parameters: building the statement per call cost more than
# running it.
_LATEST = sa.text("""
    SELECT 'package' AS kind, key, running_total, recent_views FROM (
        SELECT DISTINCT ON (package_id) package_id AS key, running_total, recent_views
        FROM tracking_summary WHERE package_id = ANY(:package_ids)
        ORDER BY package_id, tracking_date DESC) AS by_package
    UNION ALL
    SELECT 'url' AS kind, key, running_total, recent_views FROM (
        SELECT DISTINCT ON (url) url AS key, running_total, recent_views
        FROM tracking_summary WHERE url = ANY(:urls)
        ORDER BY url, tracking_date DESC) AS by_url
""").bindparams(sa.bindparam("package_ids", type_=ARRAY(sa.UnicodeText)),
                sa.bindparam("urls", type_=ARRAY(sa.UnicodeText)))


def add_summaries(datasets: Iterable[dict]) -> None:
    """Set `tracking_summary` on each dataset dict and its resources, as core does."""
    datasets = [d for d in datasets if "id" in d]
    if not datasets:
        return
    urls = {r["url"] for d in datasets for r in d.get("resources", []) if "url" in r}
    found: dict[tuple[str, str], Summary] = {
        (kind, key): {"total": total, "recent": recent}
        for kind, key, total, recent in model.Session.execute(
            _LATEST, {"package_ids": [d["id"] for d in datasets], "urls": list(urls)})
    }
    for dataset in datasets:
        dataset["tracking_summary"] = dict(found.get(("package", dataset["id"]), _NONE))
        for resource in dataset.get("resources", []):
            if "url" in resource:
                resource["tracking_summary"] = dict(found.get(("url", resource["url"]), _NONE))
