"""What the public pages read of the catalogue: one anonymous search and the categories.

Every public page (Beranda, Eksplorasi, Data Terbaru) asks `package_search` once as
an anonymous visitor (`include_private` off), so its counts and titles are what the
public may see, whoever is logged in: no draft, no dataset that was never
published, no unapproved update, nothing `rahasia`.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchError

from ckanext.satudata import metadata

#: The four categories of the guideline (4.3), in its order: `kategori` value and URL slug.
CATEGORIES = (("DATA_DASAR", "data-dasar"), ("DATA_GEOSPASIAL", "data-geospasial"),
              ("DATA_KEWILAYAHAN", "data-kewilayahan"), ("DATA_MIKRO", "data-mikro"))


def public_search(facets: tuple[str, ...], rows: int = 0, start: int = 0,
                  sort: str = "metadata_modified desc", fq: str = "") -> dict[str, Any] | None:
    """One search as an anonymous visitor over the published statistical activities,
    with `facets` (None when the search is down)."""
    try:
        return tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
            "q": "*:*", "fq": f"+dataset_type:{metadata.DATASET_TYPE} {fq}".strip(),
            "facet.field": list(facets), "facet.limit": -1, "facet.mincount": 1,
            "rows": rows, "start": start, "sort": sort, "include_private": False})
    except SearchError:
        return None


def facet_counts(found: dict[str, Any] | None, field: str) -> dict[str, int]:
    items = ((found or {}).get("search_facets", {}).get(field) or {}).get("items", [])
    return {item["name"]: item["count"] for item in items}


def _descriptions() -> dict[str, str]:
    return {
        "DATA_DASAR": tk._("Core data for planning and evaluating development: population, "
                           "social and basic economic data."),
        "DATA_GEOSPASIAL": tk._("Data with a location: maps, administrative boundaries and "
                                "information tied to coordinates or areas."),
        "DATA_KEWILAYAHAN": tk._("The characteristics of each administrative area: its size, "
                                 "villages and other regional features."),
        "DATA_MIKRO": tk._("Detailed records of the smallest units (households, people, "
                           "businesses), available under the rules that apply to them."),
    }


def categories(found: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The four categories with label, description, their count in `found` (a search
    with the `kategori` facet; 0 without) and links: `url` to its exploration page,
    `search_url` to the dataset search with the category set."""
    counts, descriptions = facet_counts(found, "kategori"), _descriptions()
    labels = metadata.choice_labels("kategori")
    return [{
        "value": value, "slug": slug, "label": labels.get(value, value),
        "description": descriptions[value], "count": counts.get(value, 0),
        "url": tk.h.url_for("satudata_public.eksplorasi_kategori", kategori=slug),
        "search_url": tk.h.url_for("dataset.search", kategori=value),
    } for value, slug in CATEGORIES]
