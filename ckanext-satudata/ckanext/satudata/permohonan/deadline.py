"""Deadlines of requests (UU 14/2008 on public information): an answer within 10
working days of receipt, extendable once by 7 working days with a reason.

Working days are Monday to Friday, less the holidays in
`ckanext.satudata.permohonan.holidays`. The day of receipt does not count.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import ckan.plugins.toolkit as tk

ANSWER_DAYS = 10
EXTENSION_DAYS = 7


def holidays() -> frozenset[dt.date]:
    """The configured holidays (an unreadable entry stops the start-up check: see
    `check_holidays`)."""
    value = tk.config.get("ckanext.satudata.permohonan.holidays") or []
    words = value.split() if isinstance(value, str) else [w for v in value for w in v.split()]
    return frozenset(dt.date.fromisoformat(w) for w in words)


def is_working_day(day: dt.date, off: Collection[dt.date] = ()) -> bool:
    return day.weekday() < 5 and day not in off


def add_working_days(start: dt.date, days: int, off: Collection[dt.date] | None = None) -> dt.date:
    """The date `days` working days after `start` (`start` itself does not count)."""
    off = holidays() if off is None else off
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, off):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date,
                         off: Collection[dt.date] | None = None) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is
    earlier)."""
    off = holidays() if off is None else off
    if end < start:
        return -working_days_between(end, start, off)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, off):
            count += 1
    return count


def first_due(received: dt.date) -> dt.date:
    return add_working_days(received, ANSWER_DAYS)


def extended_due(due: dt.date) -> dt.date:
    return add_working_days(due, EXTENSION_DAYS)
