"""The public release calendar: what the pages `/jadwal-rilis` and `/jadwal-rilis.ics` show.

The Daftar Data itself is internal (actions for walidata and the OPDs). The public
sees each period with its dates and status, and the entry's title only when the
linked dataset is public: published and not `rahasia`, decided by one anonymous
`package_search` per 500 linked datasets (the portal's one gate to the public; when
the search is down, every title is hidden). An entry without a public dataset (none
linked yet, a draft, under review, withdrawn, rahasia) is counted without its title,
OPD or any other detail.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.search import SearchError

from ckanext.satudata import config
from ckanext.satudata.daftar import entries
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.daftar.model import DaftarEntry

_CHUNK = 500


@dataclass
class Filters:
    year: int | None = None
    organization: str | None = None  # OPD name
    sektor: str | None = None
    kategori: str | None = None
    prioritas: bool | None = None
    from_year: int | None = None


@dataclass
class Month:
    year: int
    month: int
    label: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)
    hidden: int = 0
    hidden_late: int = 0


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
            found[pkg["id"]] = pkg
    return found


def _entries(filters: Filters) -> list[tuple[DaftarEntry, str]]:
    stmt = sa.select(DaftarEntry, model.Group.title).join(
        model.Group, model.Group.id == DaftarEntry.organization_id)
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
    return [(e, title) for e, title in model.Session.execute(stmt).all()]


def items(filters: Filters) -> tuple[list[dict[str, Any]], int, int]:
    """(public items, each one period; hidden periods; hidden late periods)."""
    found = _entries(filters)
    periods = entries.periods_of([e.id for e, _ in found])
    linked = sorted({e.package_id for e, _ in found if e.package_id})
    public = public_datasets(linked) or {}
    today, due = P.today_wib(), config.jadwal_rilis_due_days()
    sectors, categories = entries.choices("sektor_kegiatan"), entries.choices("kategori")
    statuses, frequencies = P.status_labels(), P.frequency_labels()
    result: list[dict[str, Any]] = []
    hidden = hidden_late = 0
    for entry, opd_title in found:
        pkg = public.get(entry.package_id or "")
        for p in periods[entry.id]:
            status = P.status(p.planned, p.revised, p.released, today, due)
            if pkg is None:
                hidden += 1
                hidden_late += status in ("terlambat", "rilis_terlambat")
                result.append({"hidden": True, "date": p.revised or p.planned,
                               "status": status})
                continue
            result.append({
                "hidden": False, "id": p.id, "entry_id": entry.id, "title": entry.title,
                "opd": opd_title, "period": P.period_label(p.period, entry.year),
                "date": p.revised or p.planned, "planned": p.planned, "revised": p.revised,
                "revised_reason": p.revised_reason,
                "released": P.wib_date(p.released) if p.released else None,
                "status": status, "status_label": statuses[status],
                "late": status in ("terlambat", "rilis_terlambat"),
                "prioritas": entry.prioritas, "sektor": sectors.get(entry.sektor, entry.sektor),
                "kategori": categories.get(entry.kategori, entry.kategori),
                "frequency": frequencies.get(entry.frequency, entry.frequency),
                "dataset": pkg, "modified": entry.modified,
            })
    result.sort(key=lambda i: (i["date"], i.get("opd", ""), i.get("title", "")))
    return result, hidden, hidden_late


def months(filters: Filters) -> list[Month]:
    """The year's periods by month of their (revised or planned) date, in order."""
    from flask_babel import format_date

    grouped: dict[tuple[int, int], Month] = {}
    found, _, _ = items(filters)
    for item in found:
        date: dt.date = item["date"]
        month = grouped.setdefault((date.year, date.month), Month(
            date.year, date.month, f"{format_date(date, 'LLLL')} {date.year}"))
        if item["hidden"]:
            month.hidden += 1
            month.hidden_late += item["status"] in ("terlambat", "rilis_terlambat")
        else:
            month.items.append(item)
    return [grouped[k] for k in sorted(grouped)]


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


