"""Report periods: a month ("2026-11"), a quarter ("2026-Q3") or a year ("2026"),
their dates, Indonesian labels, and the period that ended before a given day."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

# The date formats live in the portal's local-time module; re-exported for the reports.
from ckanext.satudata.localtime import MONTHS_ID, WIB
from ckanext.satudata.localtime import date_id as date_id
from ckanext.satudata.localtime import datetime_wib as datetime_wib

KINDS = ("monthly", "quarterly", "yearly")
_ROMAN = ("I", "II", "III", "IV")
_PATTERN = re.compile(r"^(\d{4})(?:-(?:(\d{2})|[Qq]([1-4])))?$")


@dataclasses.dataclass(frozen=True)
class Period:
    kind: str
    key: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        """Indonesian name: "November 2026", "Triwulan III 2026", "Tahun 2026"."""
        if self.kind == "monthly":
            return f"{MONTHS_ID[self.start.month - 1]} {self.start.year}"
        if self.kind == "quarterly":
            return f"Triwulan {_ROMAN[(self.start.month - 1) // 3]} {self.start.year}"
        return f"Tahun {self.start.year}"

    def months(self) -> list[str]:
        """The months of the period as YYYY-MM."""
        return [f"{self.start.year}-{m:02d}"
                for m in range(self.start.month, self.end.month + 1)]


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def parse(value: str) -> Period:
    """"2026-11", "2026-Q3" or "2026"; ValueError otherwise."""
    found = _PATTERN.match((value or "").strip())
    if not found:
        raise ValueError(value)
    year = int(found.group(1))
    if not 2000 <= year <= 2100:
        raise ValueError(value)
    if found.group(2):
        month = int(found.group(2))
        if not 1 <= month <= 12:
            raise ValueError(value)
        return Period("monthly", f"{year}-{month:02d}", dt.date(year, month, 1),
                      _month_end(year, month))
    if found.group(3):
        quarter = int(found.group(3))
        first = 3 * quarter - 2
        return Period("quarterly", f"{year}-Q{quarter}", dt.date(year, first, 1),
                      _month_end(year, first + 2))
    return Period("yearly", str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))


def previous(kind: str, today: dt.date) -> Period:
    """The period of this kind that ended last before `today`."""
    if kind == "monthly":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return parse(f"{last.year}-{last.month:02d}")
    if kind == "quarterly":
        first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        last = first - dt.timedelta(days=1)
        return parse(f"{last.year}-Q{(last.month - 1) // 3 + 1}")
    return parse(str(today.year - 1))


def today_wib(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(WIB).date()
