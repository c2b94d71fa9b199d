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

from ckanext.satudata import search
from ckanext.satudata.public_catalog import categories, public_search
from ckanext.satudata.public_pages import satudata_public

#: Facets of the exploration pages, in the order they are shown.
EXPLORE_FACETS = ("kategori", "sektor_kegiatan", "organization", "tahun_kegiatan")
#: Newest datasets listed on a category page.
CATEGORY_NEWEST = 10


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


def explore() -> str:
    found = public_search(EXPLORE_FACETS)
    return tk.render("satudata_public/eksplorasi.html", {
        "search_down": found is None,
        "total": (found or {}).get("count", 0),
        "categories": categories(found),
        "sectors": _facet_items(found, "sektor_kegiatan", {}),
        "opds": _facet_items(found, "organization", {}),
        "years": _facet_items(found, "tahun_kegiatan", {}),
    })


def explore_category(kategori: str) -> str:
    category = next((c for c in categories(None) if c["slug"] == kategori), None)
    if category is None:
        return tk.abort(404, tk._("Category not found"))
    base = {"kategori": category["value"]}
    found = public_search(EXPLORE_FACETS[1:], fq=f'+kategori:"{category["value"]}"',
                          rows=CATEGORY_NEWEST, sort=search.NEWEST_FIRST)
    category["count"] = (found or {}).get("count", 0)
    return tk.render("satudata_public/eksplorasi_kategori.html", {
        "search_down": found is None,
        "category": category,
        "categories": categories(None),
        "sectors": _facet_items(found, "sektor_kegiatan", base),
        "opds": _facet_items(found, "organization", base),
        "years": _facet_items(found, "tahun_kegiatan", base),
        "newest": (found or {}).get("results", []),
    })


satudata_public.add_url_rule("/eksplorasi", "eksplorasi", explore)
satudata_public.add_url_rule("/eksplorasi/<kategori>", "eksplorasi_kategori", explore_category)
