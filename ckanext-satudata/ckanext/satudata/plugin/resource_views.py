"""The `satudata_chart_view` and `satudata_map_view` plugins: two resource views.

Declarations only; what the views show is worked out in `ckanext.satudata.resource_views`.
Both need the `satudata` plugin (templates and assets) and are drawn in the resource
page itself (not in an iframe), with Apache ECharts served by the portal.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.satudata.resource_views import chart, geojson


def _viewer() -> str | None:
    """The name of the person looking at the page (None: anonymous)."""
    user = tk.current_user
    return None if user is None or user.is_anonymous else user.name


class SatudataChartViewPlugin(p.SingletonPlugin):
    """A bar or line chart of a DataStore table, with a table of the same numbers."""

    p.implements(p.IResourceView, inherit=True)

    def info(self) -> dict[str, Any]:
        return {"name": "satudata_chart_view", "title": tk._("Chart"),
                "default_title": tk._("Chart"), "icon": "chart-column",
                "requires_datastore": True, "iframed": False, "preview_enabled": True,
                "always_available": False, "schema": chart.config_schema()}

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return bool(data_dict["resource"].get("datastore_active"))

    def setup_template_variables(self, context: Context,
                                 data_dict: dict[str, Any]) -> dict[str, Any]:
        view = data_dict.get("resource_view") or {}
        data = chart.load(data_dict["resource"]["id"], view, _viewer())
        return {"chart": data, "chart_types": chart.CHART_TYPES}

    def view_template(self, context: Context, data_dict: dict[str, Any]) -> str:
        return "satudata_resource_views/chart_view.html"

    def form_template(self, context: Context, data_dict: dict[str, Any]) -> str:
        return "satudata_resource_views/chart_form.html"


class SatudataMapViewPlugin(p.SingletonPlugin):
    """The features of a GeoJSON file on a plain background (no tile server)."""

    p.implements(p.IResourceView, inherit=True)

    def info(self) -> dict[str, Any]:
        return {"name": "satudata_map_view", "title": tk._("Map"),
                "default_title": tk._("Map"), "icon": "map",
                "iframed": False, "preview_enabled": True, "always_available": False,
                "schema": {}}

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return geojson.is_geojson(data_dict["resource"])

    def setup_template_variables(self, context: Context,
                                 data_dict: dict[str, Any]) -> dict[str, Any]:
        return {"map": geojson.source(data_dict["resource"], _viewer()),
                "map_max_mb": geojson.MAX_BYTES // (1024 * 1024)}

    def view_template(self, context: Context, data_dict: dict[str, Any]) -> str:
        return "satudata_resource_views/map_view.html"
