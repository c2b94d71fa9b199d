"""Frequencies, the periods they make in a year, and the release status of a period.

Pure functions (no database): the actions, the import, the release receiver and the
public pages share them.

Status of a period, on a given day (WIB) with `due_days` from the configuration; the
*effective* date is the revised date when there is one, else the planned date:

* released on or before the effective date: ``rilis_tepat_waktu``; after: ``rilis_terlambat``;
* not released and the effective date has passed: ``terlambat``;
* not released and the effective date is within `due_days` days: ``jatuh_tempo``;
* otherwise ``akan_datang``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

# Re-exported (`as`): the daftar modules and their tests use them through this module.
from ckanext.satudata.localtime import WIB as WIB
from ckanext.satudata.localtime import today_wib as today_wib
from ckanext.satudata.localtime import wib_date as wib_date
from ckanext.satudata.localtime import wib_date_sql

FREQUENCIES = ("tahunan", "semesteran", "triwulanan", "bulanan", "sekali")
#: Period codes of each frequency, in order.
PERIODS: dict[str, tuple[str, ...]] = {
    "tahunan": ("Y",),
    "sekali": ("Y",),
    "semesteran": ("S1", "S2"),
    "triwulanan": ("Q1", "Q2", "Q3", "Q4"),
    "bulanan": tuple(f"{m:02d}" for m in range(1, 13)),
}
STATUSES = ("akan_datang", "jatuh_tempo", "terlambat", "rilis_tepat_waktu", "rilis_terlambat")
RELEASED = ("rilis_tepat_waktu", "rilis_terlambat")
PEMBINA = ("BPS", "DCKTR")

_ROMAN = {"I": "Q1", "II": "Q2", "III": "Q3", "IV": "Q4"}


def frequency_labels() -> dict[str, str]:
    return {"tahunan": tk._("Yearly"), "semesteran": tk._("Half-yearly"),
            "triwulanan": tk._("Quarterly"), "bulanan": tk._("Monthly"),
            "sekali": tk._("One-off")}


def status_labels() -> dict[str, str]:
    return {"akan_datang": tk._("Upcoming"), "jatuh_tempo": tk._("Due soon"),
            "terlambat": tk._("Late"), "rilis_tepat_waktu": tk._("Released on time"),
            "rilis_terlambat": tk._("Released late")}


def pembina_labels() -> dict[str, str]:
    return {"BPS": "BPS Kabupaten Pasuruan",
            "DCKTR": tk._("Dinas Cipta Karya dan Tata Ruang")}


def period_label(code: str, year: int) -> str:
    """"Tahun 2025", "Semester I 2025", "Triwulan III 2025", "Juli 2025"."""
    if code == "Y":
        return tk._("Year {year}").format(year=year)
    if code.startswith("S"):
        return tk._("Semester {n} {year}").format(n="I" * int(code[1]), year=year)
    if code.startswith("Q"):
        roman = {"1": "I", "2": "II", "3": "III", "4": "IV"}[code[1]]
        return tk._("Quarter {n} {year}").format(n=roman, year=year)
    from flask_babel import format_date

    return f"{format_date(dt.date(year, int(code), 1), 'LLLL')} {year}"


def period_from_metadata(frequency: str, month: str | None, quarter: str | None) -> str | None:
    """The period code a dataset's period metadata (`periode_bulan` "01".."12",
    `periode_triwulan` "I".."IV") names for this frequency, None when it names none."""
    if frequency in ("tahunan", "sekali"):
        return "Y"
    q = _ROMAN.get(quarter or "")
    m = int(month) if month and month.isdigit() and 1 <= int(month) <= 12 else None
    if frequency == "bulanan":
        return f"{m:02d}" if m else None
    if frequency == "triwulanan":
        if q:
            return q
        return f"Q{(m - 1) // 3 + 1}" if m else None
    if frequency == "semesteran":
        if m:
            return "S1" if m <= 6 else "S2"
        if q:
            return "S1" if q in ("Q1", "Q2") else "S2"
    return None


def status(planned: dt.date, revised: dt.date | None, released: dt.datetime | None,
           today: dt.date, due_days: int) -> str:
    effective = revised or planned
    if released is not None:
        return "rilis_tepat_waktu" if wib_date(released) <= effective else "rilis_terlambat"
    if today > effective:
        return "terlambat"
    if (effective - today).days <= due_days:
        return "jatuh_tempo"
    return "akan_datang"


def status_sql(planned: Any, revised: Any, released: Any, today: dt.date, due_days: int) -> Any:
    """`status()` as a SQL expression over these columns (`released` in UTC), for pages
    that count or filter tens of thousands of periods; a test holds the two equal."""
    effective = sa.func.coalesce(revised, planned)
    released_wib = wib_date_sql(released)
    return sa.case(
        (sa.and_(released.isnot(None), released_wib <= effective), "rilis_tepat_waktu"),
        (released.isnot(None), "rilis_terlambat"),
        (effective < sa.literal(today, sa.Date), "terlambat"),
        (effective - sa.literal(today, sa.Date) <= due_days, "jatuh_tempo"),
        else_="akan_datang")
