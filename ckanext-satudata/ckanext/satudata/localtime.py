"""The portal's local time (WIB, Asia/Jakarta): today's date, the date of a stored UTC
time in Python and in SQL, the year a page shows when none (or nonsense) is asked, the
one date format of the UI ("5 Desember 2026", "5 Desember 2026, 10.36 WIB") and form
input (a naive date-time typed in a form is WIB) turned into UTC for storage.

Times are stored in UTC (naive means UTC); calendars, deadlines and release dates are
WIB days. One module, so that a deadline, a release status and a KPI agree on which day
a time belongs to.
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import has_request_context

WIB = ZoneInfo("Asia/Jakarta")
MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")

#: Years a page or filter accepts; anything else means "this year".
YEARS = range(2000, 2101)


def today_wib(now: dt.datetime | None = None) -> dt.date:
    """Today's date in WIB (`now` in UTC, naive or aware)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(WIB).date()


def wib_date(value: dt.datetime) -> dt.date:
    """The WIB calendar date of a stored UTC time."""
    return today_wib(value)


def wib_date_sql(column: Any) -> Any:
    """`wib_date()` as a SQL expression over a UTC timestamp column."""
    return sa.cast(sa.func.timezone(str(WIB), sa.func.timezone("UTC", column)), sa.Date)


def year_or_current(value: Any) -> int:
    """The year asked for (a page's `tahun` argument), or this WIB year when it is
    missing, not a number or outside `YEARS`."""
    try:
        year = int(str(value))
    except (TypeError, ValueError):
        return today_wib().year
    return year if year in YEARS else today_wib().year


def _aware_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def date_id(day: dt.date) -> str:
    """"5 Desember 2026"."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def datetime_wib(when: dt.datetime) -> str:
    """A UTC time (naive means UTC) as "5 Desember 2026, 19.31 WIB"."""
    local = _aware_utc(when).astimezone(WIB)
    return f"{date_id(local.date())}, {local:%H.%M} WIB"


def local_to_utc(value: dt.datetime) -> dt.datetime:
    """A time entered in a form (naive means WIB; an aware one keeps its offset) as the
    naive UTC time that is stored."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=WIB)
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _parse(value: Any) -> dt.date | dt.datetime | None:
    if not value:
        return None
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value) if ("T" in value or " " in value) \
                else dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, dt.date) else None


def _long_date(day: dt.date) -> str:
    """`date_id` in the page's language ("5 Desember 2026"; "5 December 2026" under /en/);
    outside a request (jobs, CLI) always Indonesian."""
    if not has_request_context():
        return date_id(day)
    from flask_babel import format_date as babel_date
    return str(babel_date(day, "d MMMM y"))


def format_date(value: Any) -> str:
    """Template helper `h.satudata_date`: a date, a stored UTC time (its WIB date) or an
    ISO string as "5 Desember 2026"; '' for nothing or something that is not a date."""
    parsed = _parse(value)
    if parsed is None:
        return ""
    if isinstance(parsed, dt.datetime):
        parsed = wib_date(parsed)
    return _long_date(parsed)


def format_month(value: Any) -> str:
    """Template helper `h.satudata_month`: a month ("2026-12", or a date) as "Desember 2026"
    (the page's language in a request, Indonesian outside one); the value itself when it
    is not a month."""
    if isinstance(value, dt.date):
        month = dt.date(value.year, value.month, 1)
    else:
        try:
            month = dt.date(int(str(value)[:4]), int(str(value)[5:7]), 1)
        except ValueError:
            return str(value or "")
    if not has_request_context():
        return f"{MONTHS_ID[month.month - 1]} {month.year}"
    from flask_babel import format_date as babel_date
    return str(babel_date(month, "MMMM y"))


def format_datetime(value: Any) -> str:
    """Template helper `h.satudata_datetime`: a stored UTC time (naive means UTC) or an
    ISO string as "5 Desember 2026, 10.36 WIB"; a bare date as `format_date`."""
    parsed = _parse(value)
    if parsed is None:
        return ""
    if not isinstance(parsed, dt.datetime):
        return _long_date(parsed)
    local = _aware_utc(parsed).astimezone(WIB)
    return f"{_long_date(local.date())}, {local:%H.%M} WIB"
