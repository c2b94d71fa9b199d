"""The map view of a GeoJSON resource: where the browser gets the file, or why it cannot.

The browser (assets/js/resource-map.js) fetches the GeoJSON from the portal's own
download address of the resource (same origin), so the download route's rules hold for
the map too: verifikasi's access classes, the published copy while an update is being
prepared, the audit of restricted downloads. Nothing is fetched from another host:
a resource whose link points to another site gets `external` and a download link.
The file is drawn by ECharts on a plain background; no tile server is needed.

Refused before any fetch: data the viewer may not use (`restricted`), a stored file
over `MAX_BYTES` (`too_large`); the browser refuses a larger answer again, and a file
that is not GeoJSON.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import ckan.plugins.toolkit as tk
from ckan.lib import uploader

from ckanext.satudata import verification

__all__ = ["MAX_BYTES", "MapSource", "is_geojson", "same_origin_path", "source"]

#: Largest file the view draws (5 MB); a larger one is offered as a download only.
MAX_BYTES = 5 * 1024 * 1024

_FORMATS = frozenset({"geojson", "geo+json", "application/geo+json",
                      "application/vnd.geo+json"})


@dataclass
class MapSource:
    """The same-origin address the browser reads the GeoJSON from, or an error key."""

    url: str | None = None
    error: str | None = None
    size: int | None = None


def is_geojson(resource: dict[str, Any]) -> bool:
    """A resource the map view is for: format GeoJSON, or a link ending in .geojson."""
    fmt = (resource.get("format") or "").strip().lower()
    path = urlsplit(resource.get("url") or "").path.lower()
    return fmt in _FORMATS or path.endswith(".geojson")


def same_origin_path(url: str) -> str | None:
    """`url` as a path on this portal (site_url's host), or None when it is elsewhere."""
    parts = urlsplit(url or "")
    site = urlsplit(tk.config.get("ckan.site_url") or "")
    origin = (parts.scheme.lower(), parts.netloc.lower())
    if (parts.scheme or parts.netloc) and origin != (site.scheme.lower(), site.netloc.lower()):
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _stored_size(resource: dict[str, Any]) -> int | None:
    if resource.get("url_type") != "upload":
        return None
    try:
        path = uploader.get_resource_uploader(resource).get_path(resource["id"])
        return os.path.getsize(path)
    except (OSError, tk.ValidationError):
        return None


def source(resource: dict[str, Any], user: str | None) -> MapSource:
    """Where the viewer's browser reads this resource's GeoJSON, or why it does not."""
    if not verification.can_use_data(user, resource["package_id"]):
        return MapSource(error="restricted")
    path = same_origin_path(resource.get("url") or "")
    if path is None:
        return MapSource(error="external")
    size = _stored_size(resource)
    if size is None and str(resource.get("size") or "").isdigit():
        size = int(resource["size"])
    if size is not None and size > MAX_BYTES:
        return MapSource(error="too_large", size=size)
    return MapSource(url=path, size=size)
