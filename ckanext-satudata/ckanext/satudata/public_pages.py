"""The public portal's own pages: Beranda (`/`), Tentang Satu Data, Kontak Kami.

Beranda's figures come from one `package_search` as an anonymous visitor
(`include_private` off), so they count only what the public may see: no draft,
no dataset under review that was never published, nothing `rahasia` (which is
never public). The same figures are shown to everyone, logged in or not.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchError
from flask import Blueprint, current_app
from werkzeug.wrappers import Response

from ckanext.satudata import config, metadata, search

satudata_public = Blueprint("satudata_public", __name__)

#: The four categories of the guideline (4.3), in its order: `kategori` value and URL slug.
CATEGORIES = (("DATA_DASAR", "data-dasar"), ("DATA_GEOSPASIAL", "data-geospasial"),
              ("DATA_KEWILAYAHAN", "data-kewilayahan"), ("DATA_MIKRO", "data-mikro"))

#: CKAN's own logo (core's default `ckan.site_logo`): never this portal's.
_CKAN_LOGO = "/base/images/ckan-logo.png"
PORTAL_LOGO = "/satudata/logo.svg"


def _category_descriptions() -> dict[str, str]:
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


def _category_labels() -> dict[str, str]:
    """The categories' labels in the current language, from the dataset schema."""
    for field in metadata.dataset_fields():
        if field["field_name"] == "kategori":
            return {c["value"]: metadata.text(c["label"]) for c in field.get("choices", [])}
    return {}


def _public_search(rows: int) -> dict[str, Any] | None:
    """Published datasets as the public sees them, newest publication first (when each
    became public, not its last correction), with the category and OPD facets (one
    search; None when the search is down)."""
    try:
        return tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
            "q": "*:*", "fq": f"+dataset_type:{metadata.DATASET_TYPE}",
            "facet.field": ["kategori", "organization"], "facet.limit": -1,
            "rows": rows, "sort": search.NEWEST_FIRST, "include_private": False})
    except SearchError:
        return None


def _catalog_by_negotiation() -> Any:
    """ckanext-dcat's answer at `/` when the client asks for RDF (content
    negotiation on), else None: this page replaces core's home page, which
    dcat's own `/` view wraps."""
    if not (p.plugin_loaded("dcat")
            and tk.asbool(tk.config.get("ckanext.dcat.enable_content_negotiation"))):
        return None
    from ckanext.dcat import utils as dcat_utils

    _format = dcat_utils.check_access_header()
    return dcat_utils.read_catalog_page(_format) if _format else None


def home() -> Any:
    catalog = _catalog_by_negotiation()
    if catalog is not None:
        return catalog
    found = _public_search(config.home_newest_datasets())
    facets = (found or {}).get("search_facets", {})
    counts = {item["name"]: item["count"]
              for item in facets.get("kategori", {}).get("items", [])}
    labels, descriptions = _category_labels(), _category_descriptions()
    categories = [{
        "value": value, "slug": slug, "label": labels.get(value, value),
        "description": descriptions[value], "count": counts.get(value, 0),
        "url": tk.h.url_for("dataset.search", kategori=value),
    } for value, slug in CATEGORIES]
    figures = None if found is None else {
        "datasets": found["count"],
        "opds": len(facets.get("organization", {}).get("items", [])),
    }
    return tk.render("satudata_public/home.html", {
        "categories": categories, "figures": figures,
        "newest": (found or {}).get("results", []), "search_down": found is None,
    })


def about() -> str:
    return tk.render("satudata_public/about.html", {"site_url": tk.config.get("ckan.site_url")})


def contact() -> str:
    return tk.render("satudata_public/contact.html", {})


def core_about() -> Response:
    """CKAN's own About page: replaced by Tentang Satu Data."""
    return tk.redirect_to("satudata_public.tentang")


satudata_public.add_url_rule("/", "home", home)
satudata_public.add_url_rule("/tentang", "tentang", about)
satudata_public.add_url_rule("/kontak", "kontak", contact)
satudata_public.add_url_rule("/about", "core_about", core_about)


def phone_uri(phone: str) -> str:
    """`tel:` URI of an Indonesian number as written on a letterhead: (0343) 429064
    becomes tel:+62343429064."""
    digits = re.sub(r"[^\d+]", "", phone)
    if digits.startswith("0"):
        digits = "+62" + digits[1:]
    return f"tel:{digits}"


def site_logo() -> str:
    """The configured logo (`ckan.site_logo`, also set from the sysadmin's config
    page); the portal's wordmark while it is CKAN's default; empty: no logo, the
    site title in text."""
    logo = tk.config.get("ckan.site_logo")
    if logo is None or logo == _CKAN_LOGO:
        return PORTAL_LOGO
    return logo


def main_menu() -> list[tuple[str, str, list[str]]]:
    """The public menu (guideline 4.1.1 and 4.2), each entry the first of its endpoints that
    exists: pages still to be built (Statistik, Jadwal Rilis) appear once their
    endpoint is registered; Capaian Kinerja lists the indicators until then."""
    entries: list[tuple[tuple[str, ...], str, list[str]]] = [
        (("satudata_public.home",), tk._("Home"), []),
        (("satudata_public.eksplorasi", "dataset.search"), tk._("Data"), ["dataset", "resource"]),
        (("satudata_public.capaian_kinerja", "indikator.search"),
         tk._("Performance achievements"), ["indikator"]),
        (("satudata_public.statistik",), tk._("Statistics"), []),
        (("satudata_public.data_terbaru",), tk._("Latest data"), []),
        (("satudata_public.jadwal_rilis",), tk._("Release calendar"), []),
        (("satudata_public.tentang",), tk._("About Satu Data"), []),
        (("satudata_public.kontak",), tk._("Contact"), []),
    ]
    known = current_app.view_functions
    menu = []
    for endpoints, title, highlight in entries:
        endpoint = next((e for e in endpoints if e in known), None)
        if endpoint:
            menu.append((endpoint, title, highlight))
    return menu
