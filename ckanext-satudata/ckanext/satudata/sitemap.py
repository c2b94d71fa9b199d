"""`/sitemap.xml`: a sitemap index of the pages of every dataset the public may see.

Built from `package_search` as an anonymous user, so the access rules of
verifikasi decide what is listed (no drafts, nothing rahasia, and the
published version of a dataset under update).

The index names the portal's own pages (`/sitemap-pages.xml`) and one part of
`ckanext.satudata.sitemap.part_size` datasets each (`/sitemap-<n>.xml`, in
name order, so a dataset keeps its part). Building a part of 5,000 datasets
takes a search of 5,000 rows, so parts are kept in Redis under the catalogue's
version: the number of public datasets and the newest publication time (a
publication, an update's publication or a withdrawal changes one of them).
Each request costs one search of one row and a Redis read.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from flask import Blueprint, Response

from ckanext.satudata import config

satudata_sitemap = Blueprint("satudata_sitemap", __name__)

PAGE = 1000
LIMIT = 50000  # URLs one sitemap file may hold (sitemaps.org)
_XMLNS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
#: How long a built part is kept at most (it is rebuilt sooner when the catalogue changes).
KEEP_SECONDS = 24 * 3600


def _search(**params: Any) -> dict[str, Any]:
    return tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
        "q": "*:*", "include_private": False, **params})


def _version() -> tuple[int, str]:
    """How many datasets the public sees and when the newest was modified."""
    found = _search(rows=1, fl="id,owner_org,metadata_modified",
                    sort="metadata_modified desc")
    newest = found["results"][0].get("metadata_modified", "") if found["results"] else ""
    return found["count"], newest


def _datasets(start: int, rows: int) -> Iterator[dict[str, Any]]:
    # `id` and `owner_org` let verifikasi swap in the published version of datasets
    # under update (after_dataset_search).
    end = start + rows
    while start < end:
        found = _search(fl="id,owner_org,name,type,metadata_modified",
                        rows=min(PAGE, end - start), start=start, sort="name asc")
        yield from found["results"]
        start += PAGE
        if start >= found["count"]:
            return


def _url(loc: str, lastmod: str | None = None) -> str:
    modified = f"<lastmod>{escape(lastmod[:10])}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{modified}</url>"


def _urlset(urls: list[str]) -> str:
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', f"<urlset {_XMLNS}>",
                      *urls, "</urlset>"])


def _xml(body: str) -> Response:
    return Response(body, mimetype="application/xml")


def _parts(count: int) -> int:
    return max(1, math.ceil(count / config.sitemap_part_size()))


def _key(version: tuple[int, str], part: int) -> str:
    count, newest = version
    return f"{tk.config.get('ckan.site_id')}:satudata:sitemap:{count}:{newest}:{part}"


def sitemap_index() -> Response:
    version = _version()
    count, newest = version
    lastmod = f"<lastmod>{escape(newest[:10])}</lastmod>" if newest else ""
    entries = [tk.url_for("satudata_sitemap.pages", _external=True)] + [
        tk.url_for("satudata_sitemap.part", part=n, _external=True)
        for n in range(1, _parts(count) + 1)]
    return _xml("\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>', f"<sitemapindex {_XMLNS}>",
        *(f"<sitemap><loc>{escape(loc)}</loc>{lastmod}</sitemap>" for loc in entries),
        "</sitemapindex>"]))


def pages() -> Response:
    endpoints = ("home.index", "dataset.search", "satudata_public.tentang",
                 "satudata_public.kontak")
    return _xml(_urlset([_url(tk.url_for(e, _external=True)) for e in endpoints]))


def part(part: int) -> Response:
    version = _version()
    if not 1 <= part <= _parts(version[0]):
        return tk.abort(404)
    conn = connect_to_redis()
    key = _key(version, part)
    cached = conn.get(key)
    if cached is not None:
        return _xml(cached.decode("utf-8") if isinstance(cached, bytes) else str(cached))
    size = config.sitemap_part_size()
    body = _urlset([
        _url(tk.url_for(f"{pkg.get('type') or 'dataset'}.read", id=pkg["name"],
                        _external=True), pkg.get("metadata_modified"))
        for pkg in _datasets((part - 1) * size, size)])
    conn.set(key, body, ex=KEEP_SECONDS)
    return _xml(body)


satudata_sitemap.add_url_rule("/sitemap.xml", "sitemap", sitemap_index)
satudata_sitemap.add_url_rule("/sitemap-pages.xml", "pages", pages)
satudata_sitemap.add_url_rule("/sitemap-<int:part>.xml", "part", part)
