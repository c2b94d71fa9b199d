"""Public pages of the release calendar on the `satudata_public` blueprint.

`/jadwal-rilis` (endpoint `satudata_public.jadwal_rilis`: the public menu shows "Jadwal
Rilis" once it exists) lists a year's periods by month, filtered by OPD, sector,
category and priority; `/jadwal-rilis.ics` is the iCalendar feed (RFC 5545, built with
the `icalendar` library) of the whole portal or, with `?organization=<name>`, one OPD.
Both show only what calendar.py lets the public see.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import icalendar
from flask import make_response, request
from werkzeug.wrappers import Response

from ckanext.satudata import config
from ckanext.satudata.daftar import calendar
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.public_pages import satudata_public

#: Past years the iCalendar feed still carries.
ICS_PAST_YEARS = 1


def _filters() -> calendar.Filters:
    args = request.args
    prioritas = {"ya": True, "tidak": False}.get(args.get("prioritas", ""))
    return calendar.Filters(
        organization=args.get("organization") or None, sektor=args.get("sektor") or None,
        kategori=args.get("kategori") or None, prioritas=prioritas)


def _year() -> int:
    try:
        year = int(request.args.get("tahun", ""))
    except ValueError:
        return P.today_wib().year
    return year if 2000 <= year <= 2100 else P.today_wib().year


def jadwal_rilis() -> str:
    filters = _filters()
    filters.year = _year()
    months = calendar.months(filters)
    return tk.render("satudata_public/jadwal_rilis.html", {
        "months": months, "year": filters.year, "filters": filters,
        "years": sorted(set(calendar.years()) | {filters.year}),
        "options": calendar.filter_options(filters.year),
        "statuses": P.status_labels(),
        "due_days": config.jadwal_rilis_due_days(),
        "late": sum(1 for m in months for i in m.items if i["status"] == "terlambat"),
        "hidden": sum(m.hidden for m in months),
    })


def _event(item: dict[str, Any], host: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"jadwal-rilis-{item['id']}@{host}")
    event.add("dtstamp", item["modified"].replace(tzinfo=dt.timezone.utc))
    event.add("dtstart", item["date"])
    event.add("dtend", item["date"] + dt.timedelta(days=1))
    event.add("summary", f"{item['title']} ({item['period']})")
    lines = [item["opd"], tk._("Period: {period}").format(period=item["period"]),
             tk._("Status: {status}").format(status=item["status_label"]),
             tk._("Planned release: {date}").format(date=item["planned"].isoformat())]
    if item["revised"]:
        lines.append(tk._("Revised to {date}: {reason}").format(
            date=item["revised"].isoformat(), reason=item["revised_reason"] or ""))
    if item["released"]:
        lines.append(tk._("Released: {date}").format(date=item["released"].isoformat()))
    url = tk.h.url_for("dataset.read", id=item["dataset"]["name"], qualified=True)
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("categories", [item["status_label"]])
    event.add("transp", "TRANSPARENT")
    return event


def jadwal_rilis_ics() -> Response:
    filters = _filters()
    filters.from_year = P.today_wib().year - ICS_PAST_YEARS
    site = tk.config.get("ckan.site_url") or "http://localhost"
    host = site.split("://", 1)[-1].split("/", 1)[0]
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Satu Data Kabupaten Pasuruan//Jadwal Rilis//ID")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = tk._("Release calendar") + " - " + (tk.config.get("ckan.site_title") or "")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Jakarta")
    found, _, _ = calendar.items(filters)
    for item in found:
        if not item["hidden"]:
            cal.add_component(_event(item, host))
    response = make_response(cal.to_ical(), 200)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="jadwal-rilis.ics"'
    return response


satudata_public.add_url_rule("/jadwal-rilis", "jadwal_rilis", jadwal_rilis)
satudata_public.add_url_rule("/jadwal-rilis.ics", "jadwal_rilis_ics", jadwal_rilis_ics)
