"""Data Terbaru (`/data-terbaru`) and its Atom feed (`/data-terbaru.atom`).

Published datasets, newest *publication* first: the time a dataset became public
through verifikasi's workflow or gate (indexed as `search.PUBLISHED_FIELD`), not its
`metadata_modified` (a corrected typo is not new data). Each page is one anonymous
`package_search` sorted in Solr plus one query for the shown datasets' publication
times; each dataset shows the period its data covers. Anonymous search: nothing
unpublished or `rahasia`, whoever asks.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page
from ckan.views.feed import CKANFeed
from dateutil.tz import tzutc
from flask import make_response
from werkzeug.wrappers import Response

from ckanext.satudata import localtime, metadata, search, verification
from ckanext.satudata.public_catalog import public_search
from ckanext.satudata.public_pages import satudata_public
from ckanext.satudata.request_args import int_arg

#: Datasets on one page of Data Terbaru.
PAGE_SIZE = 20


def period_label(pkg: dict[str, Any], months: dict[str, str], quarters: dict[str, str]) -> str:
    """The period a dataset's data covers, e.g. "Tahun 2025", "Triwulan III 2025",
    "Juli 2025" (empty when it has no year)."""
    year = str(pkg.get("tahun_kegiatan") or "").strip()
    if not year:
        return ""
    month, quarter = str(pkg.get("periode_bulan") or ""), str(pkg.get("periode_triwulan") or "")
    if month in months:
        return f"{months[month]} {year}"
    if quarter in quarters:
        return f"{quarters[quarter]} {year}"
    return tk._("Year {year}").format(year=year)


def published_text(value: dt.datetime) -> str:
    """A publication time as users read it: "5 Desember 2026, 19.08 WIB" (stored in
    UTC, shown in WIB; the one format of `localtime.format_datetime`)."""
    return localtime.format_datetime(value)


def newest(page: int, rows: int = PAGE_SIZE) -> tuple[dict[str, Any] | None,
                                                     list[dict[str, Any]]]:
    """(the search, its datasets as entries with publication time and period)."""
    found = public_search((), rows=rows, start=(page - 1) * rows, sort=search.NEWEST_FIRST)
    results = (found or {}).get("results", [])
    published = verification.publication_dates([r["id"] for r in results])
    months, quarters = (metadata.choice_labels("periode_bulan"),
                        metadata.choice_labels("periode_triwulan"))
    entries = []
    for pkg in results:
        modified = tk.h.date_str_to_datetime(pkg["metadata_modified"])
        entries.append({
            "pkg": pkg, "published": published.get(pkg["id"], modified),
            "published_text": published_text(published.get(pkg["id"], modified)),
            "modified": modified, "period": period_label(pkg, months, quarters),
            "opd": (pkg.get("organization") or {}).get("title") or "",
        })
    return found, entries


def _page_number() -> int:
    return int_arg("page")


def latest() -> str:
    page = _page_number()
    found, entries = newest(page)
    pager = Page(collection=entries, page=page, item_count=(found or {}).get("count", 0),
                 items_per_page=PAGE_SIZE,
                 url=lambda q=None, **kw: tk.h.url_for("satudata_public.data_terbaru", **kw))
    return tk.render("satudata_public/data_terbaru.html", {
        "entries": entries, "page": pager, "search_down": found is None,
        "total": (found or {}).get("count", 0),
    })


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=tzutc())


def latest_atom() -> Response:
    """The newest publications as an Atom feed (RFC 4287), in the request's language."""
    found, entries = newest(1, tk.config.get("ckan.feeds.limit") or PAGE_SIZE)
    if found is None:
        return tk.abort(503, tk._("The catalogue cannot be searched at the moment. "
                                  "Please try again later."))
    page_url = tk.h.url_for("satudata_public.data_terbaru", qualified=True)
    feed_url = tk.h.url_for("satudata_public.data_terbaru_atom", qualified=True)
    feed = CKANFeed(
        feed_title=f"{tk._('Latest data')} - {tk.config.get('ckan.site_title')}",
        feed_link=page_url,
        feed_description=tk._("Datasets newly published on the portal, newest first."),
        language=metadata.language(), author_name=tk.config.get("ckan.site_title"),
        feed_guid=feed_url, feed_url=feed_url, previous_page=None, next_page=None,
        first_page=None, last_page=None)
    updated = [entry["modified"] or entry["published"] for entry in entries]
    if updated:
        feed.updated(_utc(max(updated)))
    # feedgen puts each new entry first.
    for entry in reversed(entries):
        pkg = entry["pkg"]
        summary = " · ".join(part for part in (
            entry["opd"],
            tk._("Period: {period}").format(period=entry["period"]) if entry["period"] else "",
            pkg.get("notes") or "") if part)
        feed.add_item(
            title=pkg.get("title") or pkg["name"],
            link=tk.h.url_for("dataset.read", id=pkg["name"], qualified=True),
            unique_id=tk.h.url_for("dataset.read", id=pkg["id"], qualified=True),
            published=_utc(entry["published"]),
            updated=_utc(max(filter(None, (entry["modified"], entry["published"])))),
            author_name=entry["opd"] or tk.config.get("ckan.site_title"),
            description=summary,
            categories=[t["name"] for t in pkg.get("tags", [])])
    response = make_response(feed.atom_str(encoding="utf-8"), 200)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response


satudata_public.add_url_rule("/data-terbaru", "data_terbaru", latest)
satudata_public.add_url_rule("/data-terbaru.atom", "data_terbaru_atom", latest_atom)
