"""The monitoring figures per OPD, in a fixed handful of SQL queries (never one per
dataset or OPD): OPDs, workflow figures (one aggregate of verifikasi's shared module),
Daftar Data planned/with data/overdue, views and downloads of published data (scanned
once per catalogue version and hour, see `usage`)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.satudata import verification
from ckanext.satudata.daftar.model import DaftarEntry, DaftarPeriod
from ckanext.satudata.localtime import today_wib
from ckanext.satudata.statistik import aggregate

STATES = ("draft", "submitted", "verified", "returned", "published", "withdrawn")


def N_(message: str) -> str:
    """Marks a label for extraction; it is translated where it is shown (action.py)."""
    return message


#: Columns of the table per OPD (key, English label), in order.
COLUMNS = (
    ("organization_title", N_("OPD")), ("planned", N_("Planned (Daftar Data)")),
    ("with_data", N_("With data")), ("datasets", N_("Datasets")),
    ("state_draft", N_("Draft")), ("state_submitted", N_("Submitted")),
    ("state_verified", N_("Verified")), ("state_returned", N_("Returned")),
    ("state_published", N_("Published")), ("state_withdrawn", N_("Withdrawn")),
    ("percent_verified", N_("% verified")), ("returned", N_("Returned")),
    ("notes", N_("Correction notes")), ("overdue_corrections", N_("Overdue corrections")),
    ("days_draft", N_("Avg. days draft")), ("days_submitted", N_("Avg. days submitted")),
    ("days_verified", N_("Avg. days verified")), ("days_returned", N_("Avg. days returned")),
    ("updates_overdue", N_("Updates overdue")), ("views", N_("Views")),
    ("downloads", N_("Downloads")),
)

_USAGE = """
    SELECT t.package_id, p.owner_org, SUM(t.count) FROM {table} t
    JOIN package p ON p.id = t.package_id
    WHERE p.state = 'active' AND NOT p.private {period}
    GROUP BY 1, 2
"""


def usage(period: tuple[dt.date, dt.date] | None = None) -> dict[str, list[Any]]:
    """{package id: [OPD id, views, downloads]} of the published (active, not private)
    datasets, on the days of `period` (start, end; inclusive) when given, else ever.

    Two grouped scans of the tracking and download tables, kept in Redis with the public
    statistics (under the catalogue's version, for an hour): the OPD table and each
    breakdown add up the same kept numbers instead of scanning the tables again."""
    def build() -> dict[str, list[Any]]:
        params = {"start": period[0], "end": period[1]} if period else {}
        out: dict[str, list[Any]] = {}
        for column, (table, day) in enumerate((("tracking_summary", "tracking_date"),
                                               ("satudata_download_daily", "day")), 1):
            statement = sa.text(_USAGE.format(
                table=table, period=f"AND t.{day} BETWEEN :start AND :end" if period else ""))
            for package_id, org, count in model.Session.execute(statement, params):
                out.setdefault(package_id, [org, 0, 0])[column] = int(count or 0)
        return out

    kind = f"monitoring-usage:{period[0]}:{period[1]}" if period else "monitoring-usage"
    result: dict[str, list[Any]] = aggregate.cached(kind, build)
    return result


def _usage_by(key_of: dict[str, str | None] | None,
              period: tuple[dt.date, dt.date] | None) -> tuple[dict[Any, int], dict[Any, int]]:
    """(views, downloads) summed per OPD, or per `key_of[package id]` when given
    (datasets missing from `key_of` are not counted)."""
    views: dict[Any, int] = {}
    downloads: dict[Any, int] = {}
    for package_id, (org, viewed, downloaded) in usage(period).items():
        if key_of is None:
            key: Any = org
        elif package_id in key_of:
            key = key_of[package_id]
        else:
            continue
        views[key] = views.get(key, 0) + viewed
        downloads[key] = downloads.get(key, 0) + downloaded
    return views, downloads


def _workflow_types() -> tuple[str, ...]:
    """The types the workflow figures count (indicators too): the datasets column counts
    the same ones, or "% verified" would pass 100."""
    shared = verification.shared()
    return shared.dataset_types() if shared else ("dataset",)


def by_opd(year: int, org_ids: list[str] | None, today: dt.date | None = None,
           period: tuple[dt.date, dt.date] | None = None) -> list[dict[str, Any]]:
    """One row per OPD (all OPDs when `org_ids` is None), sorted by title; views and
    downloads on the days of `period` (start, end; inclusive) when given, else ever."""
    today = today or today_wib()
    group = model.group_table
    orgs_q = sa.select(group.c.id, group.c.name, group.c.title).where(
        group.c.is_organization, group.c.state == "active")
    if org_ids is not None:
        orgs_q = orgs_q.where(group.c.id.in_(org_ids or [""]))
    orgs = model.Session.execute(orgs_q.order_by(group.c.title)).all()
    ids = [o.id for o in orgs]
    shared = verification.shared()
    workflow = shared.workflow_figures_by_organization(ids, today) if shared and ids else {}
    pkg = model.package_table
    datasets = dict(model.Session.execute(
        sa.select(pkg.c.owner_org, sa.func.count()).where(
            pkg.c.owner_org.in_(ids or [""]), pkg.c.state != "deleted",
            pkg.c.type.in_(_workflow_types())).group_by(pkg.c.owner_org)).all())
    planned = {o: (int(n), int(w)) for o, n, w in model.Session.execute(
        sa.select(DaftarEntry.organization_id, sa.func.count(),
                  sa.func.count(DaftarEntry.package_id))
        .where(DaftarEntry.year == year, DaftarEntry.organization_id.in_(ids or [""]))
        .group_by(DaftarEntry.organization_id)).all()}
    due = sa.func.coalesce(DaftarPeriod.revised, DaftarPeriod.planned)
    overdue = dict(model.Session.execute(
        sa.select(DaftarEntry.organization_id, sa.func.count())
        .join(DaftarPeriod, DaftarPeriod.entry_id == DaftarEntry.id)
        .where(DaftarEntry.year == year, DaftarEntry.organization_id.in_(ids or [""]),
               DaftarPeriod.released.is_(None), due < today)
        .group_by(DaftarEntry.organization_id)).all())
    views, downloads = _usage_by(None, period)
    rows = []
    for org in orgs:
        fig = workflow.get(org.id, {"states": {}, "returned": 0, "notes": 0,
                                    "overdue": 0, "days": {}})
        total = datasets.get(org.id, 0)
        passed = fig["states"].get("verified", 0) + fig["states"].get("published", 0)
        row: dict[str, Any] = {
            "organization_id": org.id, "organization_name": org.name,
            "organization_title": org.title,
            "planned": planned.get(org.id, (0, 0))[0],
            "with_data": planned.get(org.id, (0, 0))[1], "datasets": int(total),
            **{f"state_{s}": fig["states"].get(s, 0) for s in STATES},
            "percent_verified": round(100.0 * passed / total, 1) if total else 0.0,
            "returned": fig["returned"], "notes": fig["notes"],
            "overdue_corrections": fig["overdue"],
            **{f"days_{s}": fig["days"].get(s) for s in
               ("draft", "submitted", "verified", "returned")},
            "updates_overdue": int(overdue.get(org.id, 0)),
            "views": views.get(org.id, 0), "downloads": downloads.get(org.id, 0),
        }
        rows.append(row)
    return rows


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Sums of the count columns over the rows."""
    keys = [k for k, _ in COLUMNS if k != "organization_title"
            and k != "percent_verified" and not k.startswith("days_")]
    out: dict[str, Any] = {k: sum(r[k] for r in rows) for k in keys}
    passed = out["state_verified"] + out["state_published"]
    out["percent_verified"] = round(100.0 * passed / out["datasets"], 1) if out["datasets"] else 0.0
    return out


#: The breakdowns beside the OPD table: (dataset field, Daftar Data column, English
#: label of the first column).
BREAKDOWNS = {"sektor": ("sektor_kegiatan", DaftarEntry.sektor, N_("Sector")),
              "kategori": ("kategori", DaftarEntry.kategori, N_("Category"))}


def by_field(which: str, year: int, org_ids: list[str], labels: dict[str, str],
             today: dt.date | None = None,
             period: tuple[dt.date, dt.date] | None = None) -> list[dict[str, Any]]:
    """The figures of `by_opd` per value of a dataset field (breakdown `which` of
    BREAKDOWNS), counting only the datasets and Daftar Data entries of the OPDs
    `org_ids`, each figure in one SQL aggregate over all values (never one query per
    value or dataset). One row per choice (`labels`: value -> label, in order), then
    values outside the choices, then datasets without a value when there are any."""
    field, entry_column, _ = BREAKDOWNS[which]
    today = today or today_wib()
    ids = org_ids or [""]
    shared = verification.shared()
    workflow = shared.workflow_figures_by_field(field, ids, today) if shared else {}
    pkg = model.package_table
    extra = model.package_extra_table.alias("field_extra")
    value = sa.func.nullif(extra.c.value, "")
    datasets = {v: int(n) for v, n in model.Session.execute(
        sa.select(value, sa.func.count())
        .select_from(pkg.outerjoin(extra, sa.and_(
            extra.c.package_id == pkg.c.id, extra.c.key == field, extra.c.state == "active")))
        .where(pkg.c.owner_org.in_(ids), pkg.c.state != "deleted",
               pkg.c.type.in_(_workflow_types()))
        .group_by(value)).all()}
    planned = {v: (int(n), int(w)) for v, n, w in model.Session.execute(
        sa.select(entry_column, sa.func.count(), sa.func.count(DaftarEntry.package_id))
        .where(DaftarEntry.year == year, DaftarEntry.organization_id.in_(ids))
        .group_by(entry_column)).all()}
    due = sa.func.coalesce(DaftarPeriod.revised, DaftarPeriod.planned)
    overdue = {v: int(n) for v, n in model.Session.execute(
        sa.select(entry_column, sa.func.count())
        .join(DaftarPeriod, DaftarPeriod.entry_id == DaftarEntry.id)
        .where(DaftarEntry.year == year, DaftarEntry.organization_id.in_(ids),
               DaftarPeriod.released.is_(None), due < today)
        .group_by(entry_column)).all()}
    # Each published dataset of these OPDs with its value of the field (None: not filled).
    value_of = {package_id: v for package_id, v in model.Session.execute(
        sa.select(pkg.c.id, value)
        .select_from(pkg.outerjoin(extra, sa.and_(
            extra.c.package_id == pkg.c.id, extra.c.key == field, extra.c.state == "active")))
        .where(pkg.c.owner_org.in_(ids), pkg.c.state == "active", sa.not_(pkg.c.private)))}
    views, downloads = _usage_by(value_of, period)
    found = set(workflow) | set(datasets) | set(planned) | set(overdue) | set(views) \
        | set(downloads)
    values: list[str | None] = list(labels) + sorted(
        v for v in found if v is not None and v not in labels)
    if None in found:
        values.append(None)
    rows = []
    for v in values:
        fig = workflow.get(v, {"states": {}, "returned": 0, "notes": 0, "overdue": 0,
                               "days": {}})
        total = datasets.get(v, 0)
        passed = fig["states"].get("verified", 0) + fig["states"].get("published", 0)
        rows.append({
            "value": v, "label": labels.get(v, v) if v is not None else None,
            "planned": planned.get(v, (0, 0))[0], "with_data": planned.get(v, (0, 0))[1],
            "datasets": total, **{f"state_{s}": fig["states"].get(s, 0) for s in STATES},
            "percent_verified": round(100.0 * passed / total, 1) if total else 0.0,
            "returned": fig["returned"], "notes": fig["notes"],
            "overdue_corrections": fig["overdue"],
            **{f"days_{s}": fig["days"].get(s) for s in
               ("draft", "submitted", "verified", "returned")},
            "updates_overdue": overdue.get(v, 0), "views": views.get(v, 0),
            "downloads": downloads.get(v, 0)})
    return rows


#: Columns of the table per kecamatan (the map's figures without boundaries).
KECAMATAN_COLUMNS = (("kode", N_("Kemendagri code")), ("nama", N_("Kecamatan")),
                     ("specific", N_("Datasets naming the kecamatan or its desa")),
                     ("total", N_("Datasets covering it (incl. the whole regency)")))


def by_kecamatan(org_ids: list[str] | None) -> list[dict[str, Any]]:
    """Published, public datasets (of these OPDs) covering each kecamatan, from the
    region codes of the `wilayah` field (one query): naming the kecamatan or one of
    its desa, and in total with those covering the whole regency."""
    import json

    from ckanext.satudata import wilayah
    pkg, extra = model.package_table, model.package_extra_table
    rahasia = extra.alias("rahasia")
    query = (sa.select(extra.c.value).join(pkg, pkg.c.id == extra.c.package_id)
             .where(extra.c.key == "wilayah", extra.c.state == "active",
                    pkg.c.state == "active", pkg.c.type == "dataset",
                    sa.not_(pkg.c.private),
                    ~sa.exists().where(sa.and_(rahasia.c.package_id == pkg.c.id,
                                               rahasia.c.key == "klasifikasi_akses",
                                               rahasia.c.value == "rahasia"))))
    if org_ids is not None:
        query = query.where(pkg.c.owner_org.in_(org_ids or [""]))
    regency = [w.kode_kemendagri for w in wilayah.builtin() if w.jenis != "kecamatan"]
    kecamatan = wilayah.kecamatan()
    specific = dict.fromkeys((k.kode_kemendagri for k in kecamatan), 0)
    whole = 0
    for (value,) in model.Session.execute(query):
        try:
            codes = json.loads(value) if value.startswith("[") else [value]
        except ValueError:
            codes = [value]
        codes = [str(c) for c in codes]
        if any(c in regency for c in codes):
            whole += 1
            continue
        for kode in specific:
            if any(c == kode or c.startswith(kode + ".") for c in codes):
                specific[kode] += 1
    return [{"kode": k.kode_kemendagri, "nama": k.nama, "specific": specific[k.kode_kemendagri],
             "total": specific[k.kode_kemendagri] + whole} for k in kecamatan]
