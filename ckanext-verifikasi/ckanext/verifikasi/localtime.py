"""Local time of the portal (`ckan.display_timezone`, WIB): dates shown in one Indonesian
format, and WIB days entered in forms turned into UTC bounds (times are stored in UTC;
naive means UTC)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ckan.plugins.toolkit as tk

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")
#: Abbreviations of the zones of Indonesia; others are shown by name.
_ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
               "Asia/Jayapura": "WIT"}


def zone() -> ZoneInfo:
    """The display time zone (Asia/Jakarta unless configured otherwise)."""
    name = tk.config.get("ckan.display_timezone") or "Asia/Jakarta"
    if name == "server":
        name = "Asia/Jakarta"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Jakarta")


def _local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(zone())


def today() -> dt.date:
    """Today's date in local time."""
    return dt.datetime.now(zone()).date()


def format_date(value: dt.date | dt.datetime | str | None) -> str:
    """"5 Desember 2026" (a datetime: its local date); '' for nothing."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value or " " in value \
            else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return f"{value.day} {MONTHS_ID[value.month - 1]} {value.year}"


def format_datetime(value: dt.datetime | str | None) -> str:
    """A stored UTC time as "5 Desember 2026, 10.36 WIB"; '' for nothing."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    local = _local(value)
    abbreviation = _ZONE_NAMES.get(str(zone()), str(zone()))
    return f"{format_date(local.date())}, {local:%H.%M} {abbreviation}"


def day_start_utc(day: dt.date) -> dt.datetime:
    """The naive UTC time at which a local calendar day begins."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone())
    return start.astimezone(dt.timezone.utc).replace(tzinfo=None)
