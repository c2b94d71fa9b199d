"""The iCalendar feed of the release calendar (RFC 5545, written by `icalendar`).

A feed holds every public period of two years, tens of thousands of events, and
`icalendar` needs about 0.5 ms to build and serialise one. Each event's text is
therefore kept in Redis (shared by every process, for a week) under a digest of
everything it shows (its fields, the language and the site); a feed after a
publication or a change of the Daftar Data serialises only the events that changed
and joins the rest.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import ckan.plugins.toolkit as tk
import icalendar
from ckan.lib.redis import connect_to_redis

from ckanext.satudata.daftar import calendar

#: How long a serialised event is kept (about 500 bytes each).
KEEP_SECONDS = 7 * 24 * 3600
_BATCH = 1000
_SHOWN = ("id", "title", "opd", "period", "date", "planned", "revised", "revised_reason",
          "released", "status_label", "modified")


def _words() -> dict[str, str]:
    """The event texts, translated once per feed rather than once per event."""
    placeholder = "__dataset__"
    return {"period": tk._("Period: {period}"), "status": tk._("Status: {status}"),
            "planned": tk._("Planned release: {date}"),
            "revised": tk._("Revised to {date}: {reason}"), "released": tk._("Released: {date}"),
            "url": tk.h.url_for("dataset.read", id=placeholder, qualified=True).replace(
                placeholder, "{name}")}


def _event(item: dict[str, Any], host: str, words: dict[str, str]) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"jadwal-rilis-{item['id']}@{host}")
    event.add("dtstamp", item["modified"].replace(tzinfo=dt.timezone.utc))
    event.add("dtstart", item["date"])
    event.add("dtend", item["date"] + dt.timedelta(days=1))
    event.add("summary", f"{item['title']} ({item['period']})")
    lines = [item["opd"], words["period"].format(period=item["period"]),
             words["status"].format(status=item["status_label"]),
             words["planned"].format(date=item["planned"].isoformat())]
    if item["revised"]:
        lines.append(words["revised"].format(
            date=item["revised"].isoformat(), reason=item["revised_reason"] or ""))
    if item["released"]:
        lines.append(words["released"].format(date=item["released"].isoformat()))
    url = words["url"].format(name=item["dataset"]["name"])
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("categories", [item["status_label"]])
    event.add("transp", "TRANSPARENT")
    return event


def _key(item: dict[str, Any], host: str, words: dict[str, str]) -> str:
    shown = (host, words["url"], words["status"], words["period"], item["dataset"]["name"],
             *(item[k] for k in _SHOWN))
    digest = hashlib.sha1(repr(shown).encode()).hexdigest()
    return f"{tk.config.get('ckan.site_id')}:satudata:ics-event:{digest}"


def _serialised(items: list[dict[str, Any]], host: str, words: dict[str, str]) -> bytes:
    """The events' texts in order: kept ones read in batches, the others built and kept."""
    conn = connect_to_redis()
    out: list[bytes] = []
    for start in range(0, len(items), _BATCH):
        batch = items[start:start + _BATCH]
        keys = [_key(item, host, words) for item in batch]
        found = conn.mget(keys)
        pipe = conn.pipeline(transaction=False)
        for item, key, text in zip(batch, keys, found, strict=True):
            if text is None:
                text = _event(item, host, words).to_ical()
                pipe.set(key, text, ex=KEEP_SECONDS)
            out.append(text)
        pipe.execute()
    return b"".join(out)


def feed(filters: calendar.Filters) -> str:
    """The feed of the public periods of the selection."""
    site = tk.config.get("ckan.site_url") or "http://localhost"
    host = site.split("://", 1)[-1].split("/", 1)[0]
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Satu Data Kabupaten Pasuruan//Jadwal Rilis//ID")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = tk._("Release calendar") + " - " + (tk.config.get("ckan.site_title") or "")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Jakarta")
    words = _words()
    events = _serialised(calendar.page_of_items(filters, calendar.public_linked(), size=None),
                         host, words)
    # The calendar's own lines from icalendar, with the events' texts spliced in
    # before its closing line.
    head, end = cal.to_ical().rsplit(b"END:VCALENDAR", 1)
    return (head + events + b"END:VCALENDAR" + end).decode("utf-8")
