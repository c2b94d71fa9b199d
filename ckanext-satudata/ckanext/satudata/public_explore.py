"""Eksplorasi Data (`/eksplorasi`, `/eksplorasi/<kategori>`): browse the published data
by category, sector, OPD and year, each with its count, into the dataset search with
that facet set.

Each page is one `package_search` as an anonymous visitor (`include_private` off), like
Beranda: the counts and titles are what the public may see, whoever is logged in; no
draft, no dataset that was never published, nothing `rahasia`. The views are added to
the `satudata_public` blueprint (endpoints `satudata_public.eksplorasi` and
`satudata_public.eksplorasi_kategori`).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchError

from ckanext.satudata import metadata, search
from ckanext.satudata.public_pages import (
    CATEGORIES,
    _category_descriptions,
    _category_labels,
    satudata_public,
)

#: Facets of the exploration pages, in the order they are shown.
EXPLORE_FACETS = ("kategori", "sektor_kegiatan", "organization", "tahun_kegiatan")
#: Newest datasets listed on a category page.
CATEGORY_NEWEST = 10


def public_search(fq: str = "", rows: int = 0, sort: str = "metadata_modified desc",
                  facets: tuple[str, ...] = EXPLORE_FACETS, start: int = 0
                  ) -> dict[str, Any] | None:
    """One search as an anonymous visitor over the published statistical activities
    (None when the search is down)."""
    try:
        return tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
            "q": "*:*", "fq": f"+dataset_type:{metadata.DATASET_TYPE} {fq}".strip(),
            "facet.field": list(facets), "facet.limit": -1, "facet.mincount": 1,
            "rows": rows, "start": start, "sort": sort, "include_private": False})
    except SearchError:
        return None


def _facet_items(found: dict[str, Any] | None, field: str, base: dict[str, str]
                 ) -> list[dict[str, Any]]:
    """A facet's values with label, count and the dataset search URL with the facet set
    (plus `base`); years newest first, everything else by count, then label."""
    items = ((found or {}).get("search_facets", {}).get(field) or {}).get("items", [])
    entries = [{
        "name": item["name"], "label": item.get("display_name") or item["name"],
        "count": item["count"],
        "url": tk.h.url_for("dataset.search", **{**base, field: item["name"]}),
    } for item in items]
    if field == "tahun_kegiatan":
        return sorted(entries, key=lambda e: (not e["name"].isdigit(), e["name"]), reverse=True)
    return sorted(entries, key=lambda e: (-e["count"], e["label"].lower()))


def _categories(found: dict[str, Any] | None) -> list[dict[str, Any]]:
    counts = {item["name"]: item["count"] for item in
              ((found or {}).get("search_facets", {}).get("kategori") or {}).get("items", [])}
    labels, descriptions = _category_labels(), _category_descriptions()
    return [{
        "value": value, "slug": slug, "label": labels.get(value, value),
        "description": descriptions[value], "count": counts.get(value, 0),
        "url": tk.h.url_for("satudata_public.eksplorasi_kategori", kategori=slug),
        "search_url": tk.h.url_for("dataset.search", kategori=value),
    } for value, slug in CATEGORIES]


def explore() -> str:
    found = public_search()
    return tk.render("satudata_public/eksplorasi.html", {
        "search_down": found is None,
        "total": (found or {}).get("count", 0),
        "categories": _categories(found),
        "sectors": _facet_items(found, "sektor_kegiatan", {}),
        "opds": _facet_items(found, "organization", {}),
        "years": _facet_items(found, "tahun_kegiatan", {}),
    })


def explore_category(kategori: str) -> str:
    category = next((c for c in _categories(None) if c["slug"] == kategori), None)
    if category is None:
        return tk.abort(404, tk._("Category not found"))
    base = {"kategori": category["value"]}
    found = public_search(fq=f'+kategori:"{category["value"]}"', rows=CATEGORY_NEWEST,
                          sort=search.NEWEST_FIRST, facets=EXPLORE_FACETS[1:])
    category["count"] = (found or {}).get("count", 0)
    return tk.render("satudata_public/eksplorasi_kategori.html", {
        "search_down": found is None,
        "category": category,
        "categories": _categories(None),
        "sectors": _facet_items(found, "sektor_kegiatan", base),
        "opds": _facet_items(found, "organization", base),
        "years": _facet_items(found, "tahun_kegiatan", base),
        "newest": (found or {}).get("results", []),
    })


satudata_public.add_url_rule("/eksplorasi", "eksplorasi", explore)
satudata_public.add_url_rule("/eksplorasi/<kategori>", "eksplorasi_kategori", explore_category)
