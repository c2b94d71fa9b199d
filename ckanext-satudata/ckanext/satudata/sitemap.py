"""`/sitemap.xml`: the pages of every dataset the public may see.

Built from `package_search` as an anonymous user, so the access rules of
verifikasi decide what is listed (no drafts, nothing rahasia, and the
published version of a dataset under update).
"""
from __future__ import annotations

from xml.sax.saxutils import escape

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

satudata_sitemap = Blueprint("satudata_sitemap", __name__)

PAGE = 1000
LIMIT = 50000  # URLs one sitemap file may hold (sitemaps.org)


def _datasets():
    # `id` and `owner_org` let verifikasi swap in the published version of datasets
    # under update (after_dataset_search).
    start = 0
    while start < LIMIT:
        found = tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
            "q": "*:*", "fl": "id,owner_org,name,type,metadata_modified", "rows": PAGE,
            "start": start,
            "sort": "metadata_modified desc", "include_private": False})
        yield from found["results"]
        start += PAGE
        if start >= found["count"]:
            return


def sitemap():
    def url(loc: str, lastmod: str | None = None) -> str:
        modified = f"<lastmod>{escape(lastmod[:10])}</lastmod>" if lastmod else ""
        return f"<url><loc>{escape(loc)}</loc>{modified}</url>"

    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
             url(tk.url_for("home.index", _external=True)),
             url(tk.url_for("dataset.search", _external=True))]
    for pkg in _datasets():
        lines.append(url(tk.url_for(f"{pkg.get('type') or 'dataset'}.read", id=pkg["name"],
                                    _external=True), pkg.get("metadata_modified")))
    lines.append("</urlset>")
    return Response("\n".join(lines), mimetype="application/xml")


satudata_sitemap.add_url_rule("/sitemap.xml", "sitemap", sitemap)
