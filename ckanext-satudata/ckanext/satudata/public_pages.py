"""The public portal's own pages: Beranda (`/`), Tentang Satu Data, Kontak Kami.

Beranda's figures come from one anonymous search (`public_catalog`), so they
count only what the public may see, and are the same for everyone.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from flask import Blueprint, current_app
from werkzeug.wrappers import Response

from ckanext.satudata import config, public_catalog, search

satudata_public = Blueprint("satudata_public", __name__)

#: CKAN's own logo (core's default `ckan.site_logo`): never this portal's.
_CKAN_LOGO = "/base/images/ckan-logo.png"
PORTAL_LOGO = "/satudata/logo.svg"


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
    # Newest publication first: when each became public, not its last correction.
    found = public_catalog.public_search(("kategori", "organization"),
                                         rows=config.home_newest_datasets(),
                                         sort=search.NEWEST_FIRST)
    figures = None if found is None else {
        "datasets": found["count"],
        "opds": len(public_catalog.facet_counts(found, "organization")),
    }
    return tk.render("satudata_public/home.html", {
        "categories": public_catalog.categories(found), "figures": figures,
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
    """The public menu (guideline 4.1.1 and 4.2, plus the release calendar), each entry the
    first of its endpoints that exists: pages still to be built appear once their endpoint
    is registered; Capaian Kinerja lists the indicators until then. "Tentang Satu Data",
    "Kinerja SDI" and the portal's other pages are linked from the footer: the menu must
    fit a laptop screen (tests/test_browser_public.py measures it at 1366 px)."""
    entries: list[tuple[tuple[str, ...], str, list[str]]] = [
        (("satudata_public.home",), tk._("Home"), []),
        (("satudata_public.eksplorasi", "dataset.search"), tk._("Data"), ["dataset", "resource"]),
        (("satudata_public.capaian_kinerja", "indikator.search"),
         tk._("Performance achievements"), ["indikator"]),
        (("satudata_public.statistik",), tk._("Statistics"), []),
        (("satudata_public.data_terbaru",), tk._("Latest data"), []),
        (("satudata_public.jadwal_rilis",), tk._("Release calendar"), []),
        (("satudata_public.kontak",), tk._("Contact"), []),
    ]
    known = current_app.view_functions
    menu = []
    for endpoints, title, highlight in entries:
        endpoint = next((e for e in endpoints if e in known), None)
        if endpoint:
            menu.append((endpoint, title, highlight))
    return menu
