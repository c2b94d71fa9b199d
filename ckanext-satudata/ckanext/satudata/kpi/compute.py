"""The KPIs of a year's Daftar Data, per OPD and overall, from a few queries.

One grouped SQL query counts the periods of the year's entries per OPD and overall
(a year holds tens of thousands), one anonymous `package_search` counts the published
datasets per OPD, and one anonymous `package_search` per 500 linked priority datasets
reads the published metadata of those datasets (kept in Redis under the catalogue's
version); the rest is arithmetic here.
Nothing names an entry or a dataset: the figures are counts, so an entry whose
dataset is unpublished or `rahasia` is counted without anything about it.

Definitions (also written on /kinerja-sdi, see `definitions()`); "today" is the WIB
date, the *effective* date of a period is its revised date when there is one, else
its planned date (periods.py):

* on_schedule: of the periods of priority entries that are due (released, or whose
  effective date has passed), the share released on or before the effective date.
* fill_rate: of the entries (all, priority or not) with at least one due period, the
  share whose every due period has been released through a publication.
* metadata_complete: of the priority entries whose linked dataset is published for the
  public, the share whose published metadata passes `satudata_metadata_check`
  (metadata.check: every mandatory SDI field filled and consistent).
* published_datasets: statistical activities the public can see today (published,
  not rahasia); not bound to the year.
* delay_days: days from the planned date to the WIB date of release, over the
  released periods of the year (negative: early); mean and median.
* late_releases: periods released after their effective date; overdue: periods not
  released whose effective date has passed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.search import SearchError

from ckanext.satudata import metadata, public_catalog
from ckanext.satudata.daftar import calendar
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.daftar.model import DaftarEntry, DaftarPeriod
from ckanext.satudata.localtime import wib_date_sql
from ckanext.satudata.statistik import aggregate

#: Rencana Aksi targets of the share of priority data released on schedule, years 1-5.
ON_SCHEDULE_TARGETS = (50, 70, 85, 95, 100)
#: Target path of the number of published datasets, years 1-5 (50 to 750, linear).
DATASET_TARGETS = (50, 225, 400, 575, 750)
_CHUNK = 500


def plan_year(year: int, first_year: int) -> int | None:
    """Which year of the Rencana Aksi `year` is (1-based), None before year 1."""
    n = year - first_year + 1
    return n if n >= 1 else None


def target(targets: tuple[int, ...], year: int, first_year: int) -> int | None:
    """The target of `year`; after year 5 the last one holds."""
    n = plan_year(year, first_year)
    return None if n is None else targets[min(n, len(targets)) - 1]


def _pct(numerator: int, denominator: int) -> float | None:
    return round(100.0 * numerator / denominator, 1) if denominator else None


@dataclass
class _Tally:
    due_priority: int = 0
    on_time_priority: int = 0
    entries_due: int = 0
    entries_missing: int = 0
    priority_public: int = 0
    priority_complete: int = 0
    delay_mean: float | None = None
    delay_median: float | None = None
    delay_count: int = 0
    late: int = 0
    overdue: int = 0
    published: int = 0

    def figures(self, year: int, first_year: int) -> dict[str, Any]:
        filled = self.entries_due - self.entries_missing
        median = self.delay_median
        return {
            "on_schedule": {
                "value": _pct(self.on_time_priority, self.due_priority),
                "numerator": self.on_time_priority, "denominator": self.due_priority,
                "target": target(ON_SCHEDULE_TARGETS, year, first_year)},
            "fill_rate": {"value": _pct(filled, self.entries_due),
                          "numerator": filled, "denominator": self.entries_due},
            "metadata_complete": {
                "value": _pct(self.priority_complete, self.priority_public),
                "numerator": self.priority_complete, "denominator": self.priority_public},
            "published_datasets": {"value": self.published},
            "delay_days": {
                "mean": None if self.delay_mean is None else round(self.delay_mean, 1),
                # Whole days stay whole; the median of an even count may be a half day.
                "median": int(median) if median is not None and median == int(median)
                else median,
                "count": self.delay_count},
            "late_releases": {"value": self.late, "overdue": self.overdue},
        }


def _tallies(year: int, organization_id: str | None, today: dt.date) -> dict[str | None, _Tally]:
    """{OPD id: its tally, None: all of them} from one grouped query over the periods."""
    effective = sa.func.coalesce(DaftarPeriod.revised, DaftarPeriod.planned)
    released = wib_date_sql(DaftarPeriod.released)
    # Each period's facts once (the zone conversion is the costly part), then counted.
    periods = (sa.select(
                   DaftarEntry.organization_id.label("org"), DaftarEntry.id.label("entry"),
                   DaftarEntry.prioritas.label("prioritas"),
                   effective.label("effective"), released.label("released"),
                   (released - DaftarPeriod.planned).label("delay"))
               .join(DaftarPeriod, DaftarPeriod.entry_id == DaftarEntry.id)
               .join(model.Group, model.Group.id == DaftarEntry.organization_id)
               .where(DaftarEntry.year == year, model.Group.state == "active"))
    if organization_id:
        periods = periods.where(DaftarEntry.organization_id == organization_id)
    p = periods.subquery()
    is_released = p.c.released.isnot(None)
    passed = p.c.effective < sa.literal(today, sa.Date)
    due = sa.or_(is_released, passed)
    stmt = (sa.select(
                p.c.org,
                sa.func.count().filter(sa.and_(p.c.prioritas, due)),
                sa.func.count().filter(sa.and_(p.c.prioritas, p.c.released <= p.c.effective)),
                sa.func.count(p.c.entry.distinct()).filter(due),
                sa.func.count(p.c.entry.distinct()).filter(sa.not_(is_released) & passed),
                # The delay is NULL for periods not released: aggregates skip them.
                sa.func.avg(p.c.delay),
                sa.func.percentile_cont(0.5).within_group(p.c.delay),
                sa.func.count().filter(is_released),
                sa.func.count().filter(p.c.released > p.c.effective),
                sa.func.count().filter(sa.not_(is_released) & passed),
                sa.func.grouping(p.c.org))
            .group_by(sa.func.grouping_sets(sa.tuple_(p.c.org), sa.tuple_())))
    found: dict[str | None, _Tally] = {None: _Tally()}
    for (org, due_priority, on_time, entries_due, missing, mean, median, count, late,
         overdue, overall) in model.Session.execute(stmt):
        found[None if overall else org] = _Tally(
            due_priority=due_priority, on_time_priority=on_time, entries_due=entries_due,
            entries_missing=missing, delay_mean=None if mean is None else float(mean),
            delay_median=median, delay_count=count, late=late, overdue=overdue)
    return found


def _priority_linked(year: int, organization_id: str | None) -> list[tuple[str, str]]:
    """(OPD id, dataset id) of the year's priority entries that link a dataset."""
    stmt = (sa.select(DaftarEntry.organization_id, DaftarEntry.package_id)
            .join(model.Group, model.Group.id == DaftarEntry.organization_id)
            .where(DaftarEntry.year == year, model.Group.state == "active",
                   DaftarEntry.prioritas.is_(True), DaftarEntry.package_id.isnot(None)))
    if organization_id:
        stmt = stmt.where(DaftarEntry.organization_id == organization_id)
    return [(r[0], r[1]) for r in model.Session.execute(stmt)]


def _public_metadata(package_ids: list[str]) -> dict[str, bool]:
    """{id: metadata complete} of those datasets the public can see (anonymous search),
    kept under the catalogue's version: publishing or withdrawing changes it."""
    if not package_ids:
        return {}
    digest = hashlib.sha1(",".join(package_ids).encode()).hexdigest()[:16]
    try:
        return aggregate.cached(f"kpi-metadata:{digest}",
                                lambda: _check_public_metadata(package_ids))
    except SearchError:
        return {}


def _check_public_metadata(package_ids: list[str]) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for i in range(0, len(package_ids), _CHUNK):
        chunk = package_ids[i:i + _CHUNK]
        result = tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
            "q": "*:*", "fq": "+id:(" + " OR ".join(f'"{p}"' for p in chunk) + ")",
            "rows": len(chunk), "include_private": False})
        for pkg in result["results"]:
            found[pkg["id"]] = not metadata.check(pkg, pkg.get("type", metadata.DATASET_TYPE))
    return found


def _published_per_organization() -> dict[str, int]:
    """{organization name: published datasets the public sees}; "" holds the total."""
    found = public_catalog.public_search(("organization",))
    counts = public_catalog.facet_counts(found, "organization")
    counts[""] = (found or {}).get("count", 0)
    return counts


def organizations(ids: set[str] | None = None) -> list[tuple[str, str, str]]:
    """(id, name, title) of the active OPDs (those of `ids`, else all), by title."""
    stmt = sa.select(model.Group.id, model.Group.name, model.Group.title).where(
        model.Group.is_organization.is_(True), model.Group.state == "active")
    if ids is not None:
        stmt = stmt.where(model.Group.id.in_(ids or {""}))
    return sorted(((r[0], r[1], r[2] or r[1]) for r in model.Session.execute(stmt)),
                  key=lambda r: r[2].lower())


def kept(year: int, first_year: int,
         organization: tuple[str, str, str] | None) -> dict[str, Any]:
    """`compute()` for today, kept in Redis under the catalogue's and the Daftar Data's
    versions and the date (an hour at most: an OPD renamed shows its new title then)."""
    today = P.today_wib()
    kind = ":".join(["kpi", str(year), str(first_year), organization[0] if organization else "",
                     calendar.version(), today.isoformat()])
    return aggregate.cached(kind, lambda: compute(year, first_year, organization, today))


def compute(year: int, first_year: int, organization: tuple[str, str, str] | None,
            today: dt.date | None = None) -> dict[str, Any]:
    """The KPIs of `year` overall (or of one OPD) and per OPD."""
    today = today or P.today_wib()
    org_id = organization[0] if organization else None
    tallies = _tallies(year, org_id, today)
    overall = tallies[None]
    published = _published_per_organization()
    linked = _priority_linked(year, org_id)
    complete = _public_metadata(sorted({package for _, package in linked}))
    for org, package in linked:
        if package in complete:
            for t in (overall, tallies.setdefault(org, _Tally())):
                t.priority_public += 1
                t.priority_complete += complete[package]

    per_org = {k: v for k, v in tallies.items() if k is not None}
    orgs = [organization] if organization else organizations(
        set(per_org) | _ids_of_names({n for n in published if n}))
    result_orgs = []
    for oid, name, title in orgs:
        tally = per_org.get(oid, _Tally())
        tally.published = published.get(name, 0)
        result_orgs.append({"id": oid, "name": name, "title": title,
                            **tally.figures(year, first_year)})
    overall.published = published.get(organization[1], 0) if organization else published[""]
    figures = overall.figures(year, first_year)
    if not organization:
        figures["published_datasets"]["target"] = target(DATASET_TARGETS, year, first_year)
    return {"overall": figures, "organizations": result_orgs, "as_of": today.isoformat()}


def _ids_of_names(names: set[str]) -> set[str]:
    if not names:
        return set()
    return set(model.Session.execute(sa.select(model.Group.id).where(
        model.Group.name.in_(names))).scalars())


def definitions() -> dict[str, str]:
    """How each figure is computed, in the current language (for the page and the API)."""
    return {
        "on_schedule": tk._(
            "Of the release periods of priority entries of the Daftar Data of the year that "
            "are due (already released, or whose release date has passed), the percentage "
            "released on or before their release date. The release date is the revised date "
            "when walidata approved a revision, else the planned date; dates are in WIB. "
            "Target of the Rencana Aksi: 50, 70, 85, 95 and 100% in years 1 to 5."),
        "fill_rate": tk._(
            "Of the entries of the Daftar Data of the year (priority or not) with at least one "
            "due period, the percentage whose every due period has been released through a "
            "publication of the linked dataset."),
        "metadata_complete": tk._(
            "Of the priority entries of the year whose linked dataset is published for the "
            "public, the percentage whose published metadata passes the SDI metadata check "
            "(every mandatory field filled and consistent, as in satudata_metadata_check)."),
        "published_datasets": tk._(
            "Statistical activities (datasets) published and visible to the public today; "
            "restricted (rahasia) and unpublished datasets are not counted. Target path: "
            "50, 225, 400, 575 and 750 in years 1 to 5."),
        "delay_days": tk._(
            "Days from the planned release date to the actual release date (WIB), over the "
            "periods of the year already released; a negative number means early. Mean and "
            "median."),
        "late_releases": tk._(
            "Periods released after their release date (revised date when there is one); "
            "overdue: periods not yet released whose release date has passed."),
    }
