"""The portal's local time (WIB, Asia/Jakarta): today's date, the date of a stored UTC
time in Python and in SQL, and the year a page shows when none (or nonsense) is asked.

Times are stored in UTC (naive means UTC); calendars, deadlines and release dates are
WIB days. One module, so that a deadline, a release status and a KPI agree on which day
a time belongs to.
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

WIB = ZoneInfo("Asia/Jakarta")

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
