"""Public pages of the release calendar on the `satudata_public` blueprint.

`/jadwal-rilis` (endpoint `satudata_public.jadwal_rilis`: the public menu shows "Jadwal
Rilis" once it exists) lists a year's periods by month, filtered by OPD, sector,
category and priority; `/jadwal-rilis.ics` is the iCalendar feed (RFC 5545, built with
the `icalendar` library) of the whole portal or, with `?organization=<name>`, one OPD.
Both show only what calendar.py lets the public see.
"""
from __future__ import annotations

import hashlib

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page
from flask import make_response, request
from werkzeug.wrappers import Response

from ckanext.satudata import config
from ckanext.satudata.daftar import calendar, ics
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.localtime import year_or_current
from ckanext.satudata.public_pages import satudata_public
from ckanext.satudata.request_args import int_arg
from ckanext.satudata.statistik import aggregate

#: Past years the iCalendar feed still carries.
ICS_PAST_YEARS = 1


def _filters() -> calendar.Filters:
    args = request.args
    prioritas = {"ya": True, "tidak": False}.get(args.get("prioritas", ""))
    return calendar.Filters(
        organization=args.get("organization") or None, sektor=args.get("sektor") or None,
        kategori=args.get("kategori") or None, prioritas=prioritas)


def _year() -> int:
    return year_or_current(request.args.get("tahun"))


VIEWS = ("bulan", "daftar")


def _page() -> int:
    return int_arg("page")


def _chosen_month(months: list[calendar.Month]) -> calendar.Month | None:
    """The month asked for (`bulan=YYYY-MM`), else the month nearest to today."""
    asked = request.args.get("bulan", "")
    for month in months:
        if month.key == asked:
            return month
    today = P.today_wib()

    def distance(m: calendar.Month) -> int:
        return abs((m.year - today.year) * 12 + m.month - today.month)

    return min(months, key=distance) if months else None


def jadwal_rilis() -> str:
    filters = _filters()
    filters.year = _year()
    view = request.args.get("tampilan", "bulan")
    view = view if view in VIEWS else "bulan"
    public = calendar.public_linked()
    months = calendar.months(filters, public)
    month = _chosen_month(months) if view == "bulan" else None
    if month is not None:
        filters.month = (month.year, month.month)
    count = month.shown if month is not None else sum(m.shown for m in months)
    page = _page()
    items = calendar.page_of_items(filters, public, page, calendar.PAGE_SIZE) if count else []
    args = {k: v for k, v in request.args.items() if k != "page"}
    pager = Page(collection=items, page=page, item_count=count,
                      items_per_page=calendar.PAGE_SIZE, presliced_list=True,
                      url=lambda q=None, **kw: tk.h.url_for(
                          "satudata_public.jadwal_rilis", **{**args, **kw}))
    return tk.render("satudata_public/jadwal_rilis.html", {
        "months": months, "month": month, "items": items, "page": pager, "view": view,
        "year": filters.year, "filters": filters,
        "years": sorted(set(calendar.years()) | {filters.year}),
        "options": calendar.filter_options(filters.year),
        "statuses": P.status_labels(),
        "due_days": config.jadwal_rilis_due_days(),
        "late": sum(m.late for m in months),
        "hidden": sum(m.hidden for m in months),
        "query": args,
    })


def jadwal_rilis_ics() -> Response:
    filters = _filters()
    filters.from_year = P.today_wib().year - ICS_PAST_YEARS
    # Kept under the catalogue's and the Daftar Data's versions and today's date (the
    # statuses change with it): calendar applications poll the whole feed often.
    kind = ":".join(["jadwal-ics", calendar.version(), P.today_wib().isoformat(),
                     tk.h.lang() or "", hashlib.sha1(repr(sorted(vars(filters).items()))
                                                     .encode()).hexdigest()[:16]])
    response = make_response(aggregate.cached(kind, lambda: ics.feed(filters)), 200)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="jadwal-rilis.ics"'
    return response


satudata_public.add_url_rule("/jadwal-rilis", "jadwal_rilis", jadwal_rilis)
satudata_public.add_url_rule("/jadwal-rilis.ics", "jadwal_rilis_ics", jadwal_rilis_ics)
