"""The public release calendar: what the pages `/jadwal-rilis` and `/jadwal-rilis.ics` show.

The Daftar Data itself is internal (actions for walidata and the OPDs). The public
sees each period with its dates and status, and the entry's title only when the
linked dataset is public: published and not `rahasia`, decided by anonymous
`package_search`es (the portal's one gate to the public; when the search is down,
every title is hidden). An entry without a public dataset (none linked yet, a draft,
under review, withdrawn, rahasia) is counted without its title, OPD or any other detail.

A year holds tens of thousands of periods (2,000 entries of 12 months), so nothing
here walks them in Python: the status, the counts per month and one page of items
come from SQL, and the set of public linked datasets is kept in Redis under the
catalogue's version (a publication or a withdrawal changes it).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.search import SearchError
from sqlalchemy.dialects.postgresql import ARRAY

from ckanext.satudata import config
from ckanext.satudata.daftar import entries
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.daftar.model import DaftarEntry, DaftarPeriod
from ckanext.satudata.statistik import aggregate

_CHUNK = 500
#: Items on one page of the month and list views.
PAGE_SIZE = 100
_LATE = ("terlambat", "rilis_terlambat")


@dataclass
class Filters:
    year: int | None = None
    organization: str | None = None  # OPD name
    sektor: str | None = None
    kategori: str | None = None
    prioritas: bool | None = None
    from_year: int | None = None
    #: Only periods whose (revised or planned) date falls in this month.
    month: tuple[int, int] | None = None


@dataclass
class Month:
    year: int
    month: int
    label: str = ""
    #: Periods of the month: shown with their titles, counted without, and late ones.
    shown: int = 0
    hidden: int = 0
    hidden_late: int = 0
    late: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"


def public_datasets(package_ids: list[str]) -> dict[str, dict[str, Any]] | None:
    """{id: {name, title}} of those datasets the public may see (None: search down)."""
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(package_ids), _CHUNK):
        chunk = package_ids[i:i + _CHUNK]
        try:
            result = tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
                "q": "*:*", "fq": "+id:(" + " OR ".join(f'"{p}"' for p in chunk) + ")",
                "fl": "id,name,title", "rows": len(chunk), "include_private": False})
        except SearchError:
            return None
        for pkg in result["results"]:
            found[pkg["id"]] = {"id": pkg["id"], "name": pkg["name"], "title": pkg["title"]}
    return found


def _linked_ids() -> list[str]:
    return list(model.Session.execute(
        sa.select(DaftarEntry.package_id).where(DaftarEntry.package_id.isnot(None))
        .distinct().order_by(DaftarEntry.package_id)).scalars())


def public_linked() -> dict[str, dict[str, Any]]:
    """The public datasets among those the Daftar Data links, kept in Redis under the
    catalogue's version and the set of linked ids (either changing builds it anew)."""
    linked = _linked_ids()
    if not linked:
        return {}
    digest = hashlib.sha1(",".join(linked).encode()).hexdigest()[:16]
    try:
        return aggregate.cached(f"jadwal:{digest}", lambda: _public_or_raise(linked))
    except SearchError:
        return {}


def _public_or_raise(linked: list[str]) -> dict[str, dict[str, Any]]:
    found = public_datasets(linked)
    if found is None:
        raise SearchError("search is down: nothing is kept, every title stays hidden")
    return found


def _effective() -> Any:
    return sa.func.coalesce(DaftarPeriod.revised, DaftarPeriod.planned)


def _base(filters: Filters, public_ids: list[str]) -> tuple[Any, dict[str, Any]]:
    """The filtered periods with their date, status and public flag as columns."""
    date = _effective().label("date")
    status = P.status_sql(DaftarPeriod.planned, DaftarPeriod.revised, DaftarPeriod.released,
                          P.today_wib(), config.jadwal_rilis_due_days()).label("status")
    # NULL (no dataset linked) is not public: coalesce, or the counts would skip it.
    public = sa.func.coalesce(DaftarEntry.package_id == sa.any_(
        sa.literal(public_ids, ARRAY(sa.UnicodeText))), sa.false()).label("public")
    stmt = (sa.select(DaftarPeriod.id, date, status, public)
            .join(DaftarEntry, DaftarEntry.id == DaftarPeriod.entry_id)
            .join(model.Group, model.Group.id == DaftarEntry.organization_id))
    if filters.year is not None:
        stmt = stmt.where(DaftarEntry.year == filters.year)
    if filters.from_year is not None:
        stmt = stmt.where(DaftarEntry.year >= filters.from_year)
    if filters.organization:
        stmt = stmt.where(model.Group.name == filters.organization)
    if filters.sektor:
        stmt = stmt.where(DaftarEntry.sektor == filters.sektor)
    if filters.kategori:
        stmt = stmt.where(DaftarEntry.kategori == filters.kategori)
    if filters.prioritas is not None:
        stmt = stmt.where(DaftarEntry.prioritas.is_(filters.prioritas))
    if filters.month is not None:
        first = dt.date(filters.month[0], filters.month[1], 1)
        after = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        stmt = stmt.where(_effective() >= first, _effective() < after)
    return stmt, {"date": date, "status": status, "public": public}


def months(filters: Filters, public: dict[str, dict[str, Any]]) -> list[Month]:
    """Every month with periods in the selection, with its counts (one grouped query);
    `public` is `public_linked()`."""
    from flask_babel import format_date

    base = _base(filters, list(public))[0].subquery()
    year = sa.func.extract("year", base.c.date)
    month = sa.func.extract("month", base.c.date)
    late = base.c.status.in_(_LATE)
    rows = model.Session.execute(
        sa.select(year, month,
                  sa.func.count().filter(base.c.public),
                  sa.func.count().filter(sa.not_(base.c.public)),
                  sa.func.count().filter(sa.and_(sa.not_(base.c.public), late)),
                  sa.func.count().filter(sa.and_(base.c.public,
                                                 base.c.status == "terlambat")))
        .group_by(year, month).order_by(year, month)).all()
    return [Month(int(y), int(m), f"{format_date(dt.date(int(y), int(m), 1), 'LLLL')} {int(y)}",
                  shown, hidden, hidden_late, late_)
            for y, m, shown, hidden, hidden_late, late_ in rows]


def page_of_items(filters: Filters, public: dict[str, dict[str, Any]], page: int = 1,
                  size: int | None = PAGE_SIZE) -> list[dict[str, Any]]:
    """The public periods of the selection in date order, one page of them (all when
    `size` is None): the only rows that are turned into dicts."""
    stmt, cols = _base(filters, list(public))
    stmt = (stmt.add_columns(
                DaftarPeriod.period, DaftarPeriod.planned, DaftarPeriod.revised,
                DaftarPeriod.revised_reason, DaftarPeriod.released, DaftarEntry.id,
                DaftarEntry.year, DaftarEntry.title, DaftarEntry.package_id,
                DaftarEntry.prioritas, DaftarEntry.sektor, DaftarEntry.kategori,
                DaftarEntry.frequency, DaftarEntry.modified, model.Group.title)
            .where(cols["public"])
            .order_by(cols["date"], model.Group.title, DaftarEntry.title, DaftarPeriod.position))
    if size is not None:
        stmt = stmt.limit(size).offset((max(page, 1) - 1) * size)
    sectors, categories = entries.choices("sektor_kegiatan"), entries.choices("kategori")
    statuses, frequencies = P.status_labels(), P.frequency_labels()
    labels: dict[tuple[str, int], str] = {}
    result = []
    for (pid, date, status, _, period, planned, revised, reason, released, entry_id, year,
         title, package_id, prioritas, sektor, kategori, frequency, modified,
         opd) in model.Session.execute(stmt):
        result.append({
            "id": pid, "entry_id": entry_id, "title": title, "opd": opd,
            "period": labels.get((period, year)) or labels.setdefault(
                (period, year), P.period_label(period, year)), "date": date, "planned": planned,
            "revised": revised, "revised_reason": reason,
            "released": P.wib_date(released) if released else None,
            "status": status, "status_label": statuses[status], "late": status in _LATE,
            "prioritas": prioritas, "sektor": sectors.get(sektor, sektor),
            "kategori": categories.get(kategori, kategori),
            "frequency": frequencies.get(frequency, frequency),
            "dataset": public[package_id], "modified": modified,
        })
    return result


def version() -> str:
    """Changes whenever an entry or one of its periods does (they touch `modified`)."""
    count, newest = model.Session.execute(
        sa.select(sa.func.count(), sa.func.max(DaftarEntry.modified))).one()
    return f"{count}:{newest.isoformat() if newest else ''}"


def years() -> list[int]:
    return list(model.Session.execute(sa.select(DaftarEntry.year).distinct().order_by(
        DaftarEntry.year)).scalars())


def filter_options(year: int) -> dict[str, list[tuple[str, str]]]:
    """The OPDs, sectors and categories that have entries in the year (for the form)."""
    rows = model.Session.execute(
        sa.select(model.Group.name, model.Group.title, DaftarEntry.sektor,
                  DaftarEntry.kategori)
        .join(model.Group, model.Group.id == DaftarEntry.organization_id)
        .where(DaftarEntry.year == year).distinct()).all()
    sectors, categories = entries.choices("sektor_kegiatan"), entries.choices("kategori")
    return {
        "organizations": sorted({(r[0], r[1]) for r in rows}, key=lambda x: x[1]),
        "sectors": sorted({(r[2], sectors.get(r[2], r[2])) for r in rows}, key=lambda x: x[1]),
        "categories": sorted({(r[3], categories.get(r[3], r[3])) for r in rows},
                             key=lambda x: x[1]),
    }
