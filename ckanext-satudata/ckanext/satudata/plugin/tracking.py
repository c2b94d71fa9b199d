"""The `satudata_tracking` plugin: CKAN's tracking, without queries per search result.

It is core's `tracking` plugin (middleware, CLI, helpers, indexing, migrations)
with one change: search results get their view counts in two queries for the
whole page. Enable it instead of `tracking`, not next to it.
"""
from __future__ import annotations

from typing import Any

from ckanext.tracking.plugin import TrackingPlugin

from ckanext.satudata import tracking


class SatudataTrackingPlugin(TrackingPlugin):
    # IPackageController

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        tracking.add_summaries(search_results["results"])
        return search_results
