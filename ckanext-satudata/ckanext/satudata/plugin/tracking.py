"""The `satudata_tracking` plugin: CKAN's tracking, without queries per dataset or resource.

It is core's `tracking` plugin (middleware, CLI, helpers, indexing, migrations)
with one change: a dataset and its resources, or a page of search results, get
their view counts in one query. Enable it instead of `tracking`, not next to it.
"""
from __future__ import annotations

from typing import Any

from ckan.types import Context
from ckanext.tracking.plugin import TrackingPlugin

from ckanext.satudata import tracking


class SatudataTrackingPlugin(TrackingPlugin):
    # IPackageController

    def after_dataset_show(self, context: Context, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        tracking.add_summaries([pkg_dict])
        return pkg_dict

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        tracking.add_summaries(search_results["results"])
        return search_results
