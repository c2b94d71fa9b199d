"""What the dataset and resource pages tell a visitor beyond core: how to cite the
dataset (guideline 3.5), and, for data the visitor may not use (`terbatas`), who holds
it and where to ask instead of download buttons that end in 403/404.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import current_app, g, has_request_context

from ckanext.satudata import verification

#: The page where a visitor asks for restricted data, when it exists (issue 17 / the
#: `/permohonan-data` route); until then, Kontak Kami.
DATA_REQUEST_ENDPOINTS = ("satudata_public.permohonan_data", "satudata_public.kontak")


def citation(pkg: dict[str, Any]) -> str:
    """"Sumber: Portal Satu Data Kabupaten Pasuruan, <OPD>, <judul>, <tahun>, <URL>" (the
    guideline's wording, the same in every language)."""
    year = pkg.get("tahun_kegiatan") or (pkg.get("metadata_created") or "")[:4]
    parts = [f"Sumber: Portal {tk.config.get('ckan.site_title')}",
             (pkg.get("organization") or {}).get("title") or "",
             pkg.get("title") or pkg.get("name") or "", str(year or ""),
             tk.h.url_for(f"{pkg.get('type') or 'dataset'}.read", id=pkg["name"],
                          qualified=True, locale="default")]
    return ", ".join(part for part in parts if part)


def data_access(pkg: dict[str, Any]) -> dict[str, Any]:
    """Whether the current user may use the dataset's data; when not, who holds it and
    where to ask. Asked once per request and dataset (the resource list asks per item)."""
    cache: dict[str, dict[str, Any]] = {}
    if has_request_context():
        cache = g.setdefault("satudata_data_access", {})
    if pkg["id"] in cache:
        return cache[pkg["id"]]
    user = tk.current_user.name if tk.current_user.is_authenticated else None
    restricted = not verification.can_use_data(user, pkg["id"])
    organization = pkg.get("organization") or {}
    endpoint = next(e for e in DATA_REQUEST_ENDPOINTS
                    if not has_request_context() or e in current_app.view_functions)
    answer = {
        "restricted": restricted,
        "holder": organization.get("title") or organization.get("name") or "",
        "holder_url": tk.h.url_for("organization.read", id=organization["name"])
        if organization.get("name") else "",
        # The request form names the dataset and asks for access (issue 14).
        "request_url": tk.h.url_for(endpoint) if endpoint.endswith(".kontak")
        else tk.h.url_for(endpoint, dataset=pkg["name"], jenis="akses"),
        "request_is_contact": endpoint.endswith(".kontak"),
    }
    cache[pkg["id"]] = answer
    return answer


def organization_card(organization: dict[str, Any]) -> dict[str, Any]:
    """The dataset's OPD for the sidebar card, from the dataset's own copy of it.

    Core's dataset page asks `organization_show` for it, and with it Solr for a dataset
    count the card does not show; only the image's address is missing from the copy,
    made here as `group_dictize` makes it.
    """
    image = organization.get("image_url") or ""
    if image and not image.startswith("http"):
        image = tk.h.url_for_static(f"uploads/group/{image}", qualified=True)
    return {**organization, "image_display_url": image}
