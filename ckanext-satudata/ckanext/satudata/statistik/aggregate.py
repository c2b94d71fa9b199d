"""The portal's public figures, aggregated once and kept in Redis.

`compute()` reads the published statistical activities with anonymous searches
(so nothing unpublished or `rahasia` is counted, whoever asks), then views
(core's `tracking_summary`) and downloads (`satudata_download_daily`) of those
datasets in one grouped query each: no query per dataset. `figures()` answers
from Redis under the catalogue's version (the number of public datasets and the
newest modification, as the sitemap does: a publication or a withdrawal changes
it), kept for an hour so that views and downloads stay fresh. A request costs one
search of one row and a Redis read; the figures are computed at most once an hour
and once per change of the catalogue.

The same figures can be asked for a period (`start`, `end`: views and downloads of
those days only, publications in it) and for one OPD (its published datasets only):
the periodic reports take their usage and top datasets from here, so the report and
the statistics agree. The period is a condition of the same two grouped queries.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from sqlalchemy.dialects.postgresql import ARRAY

from ckanext.satudata import metadata, verification

PAGE = 1000
#: Datasets in each "most viewed" / "most downloaded" list.
TOP = 10
KEEP_SECONDS = 3600

#: The bounds of "all time" (no period asked for).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9999, 12, 31)

_MONTHLY = """
    SELECT package_id, to_char(date_trunc('month', {day}), 'YYYY-MM') AS month, sum(count)
    FROM {table} WHERE package_id = ANY(:ids){extra}
    AND {day} BETWEEN :start AND :end GROUP BY 1, 2
"""
_BINDS = (sa.bindparam("ids", type_=ARRAY(sa.UnicodeText)),
          sa.bindparam("start", type_=sa.Date), sa.bindparam("end", type_=sa.Date))
_VIEWS = sa.text(_MONTHLY.format(
    day="tracking_date", table="tracking_summary", extra=" AND tracking_type = 'page'")
).bindparams(*_BINDS)
_DOWNLOADS = sa.text(_MONTHLY.format(
    day="day", table="satudata_download_daily", extra="")).bindparams(*_BINDS)


def catalogue_version() -> str:
    """How many datasets (of any type) the public sees and when the newest was modified."""
    found = tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
        "q": "*:*", "include_private": False, "rows": 1,
        "fl": "id,owner_org,metadata_modified", "sort": "metadata_modified desc"})
    newest = found["results"][0].get("metadata_modified", "") if found["results"] else ""
    return f"{found['count']}:{newest}"


def cache_key(kind: str = "statistik") -> str:
    return f"{tk.config.get('ckan.site_id')}:satudata:{kind}:{catalogue_version()}"


def cached(kind: str, build: Any) -> Any:
    """`build()`'s result kept in Redis under `kind` and the catalogue's version."""
    conn, key = connect_to_redis(), cache_key(kind)
    value = conn.get(key)
    if value is not None:
        return json.loads(value)
    result = build()
    conn.set(key, json.dumps(result), ex=KEEP_SECONDS)
    return result


def clear() -> None:
    """Forget every kept figure (tests; `ckan satudata statistik refresh`)."""
    conn = connect_to_redis()
    # statistik*, capaian* (figures and rendered groups), monitoring* (figures, usage)
    for kind in ("statistik", "capaian", "monitoring"):
        for key in conn.scan_iter(f"{tk.config.get('ckan.site_id')}:satudata:{kind}*"):
            conn.delete(key)


def _search(params: dict[str, Any]) -> dict[str, Any]:
    return tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
        "q": "*:*", "fq": f"+dataset_type:{metadata.DATASET_TYPE}",
        "include_private": False, **params})


def public_datasets(organization_id: str | None = None
                    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """(every published statistical activity the public sees, OPD name -> title); only
    those of one OPD when `organization_id` is given."""
    datasets: list[dict[str, Any]] = []
    opds: dict[str, str] = {}
    start = 0
    params: dict[str, Any] = {"rows": PAGE, "sort": "name asc"}
    if organization_id:
        params["fq"] = (f"+dataset_type:{metadata.DATASET_TYPE} "
                        f'+owner_org:"{organization_id}"')
    while True:
        # Whole dataset dicts: the schema's fields are not stored in Solr on their own.
        found = _search({**params, "start": start})
        for pkg in found["results"]:
            org = pkg.get("organization") or {}
            if org.get("name"):
                opds[org["name"]] = org.get("title") or org["name"]
            datasets.append({"id": pkg["id"], "name": pkg["name"],
                             "title": pkg.get("title") or pkg["name"],
                             "organization": org.get("name") or "",
                             "owner_org": pkg.get("owner_org") or "",
                             "kategori": pkg.get("kategori") or "",
                             "sektor_kegiatan": pkg.get("sektor_kegiatan") or ""})
        start += PAGE
        if start >= found["count"]:
            return datasets, opds


def _monthly(statement: Any, ids: list[str], start: dt.date | None = None,
             end: dt.date | None = None) -> dict[str, dict[str, int]]:
    """package id -> month (YYYY-MM) -> count (of the days from `start` to `end`)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    if ids:
        for package_id, month, count in model.Session.execute(statement, {
                "ids": ids, "start": start or FIRST_DAY, "end": end or LAST_DAY}):
            out[package_id][month] = int(count or 0)
    return out


def _group(datasets: list[dict[str, Any]], field: str, labels: dict[str, str],
           views: dict[str, int], downloads: dict[str, int]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for pkg in datasets:
        key = str(pkg.get(field) or "")
        if not key:
            continue
        row = rows.setdefault(key, {"key": key, "label": labels.get(key, key),
                                    "datasets": 0, "views": 0, "downloads": 0})
        row["datasets"] += 1
        row["views"] += views.get(pkg["id"], 0)
        row["downloads"] += downloads.get(pkg["id"], 0)
    return sorted(rows.values(), key=lambda r: (-r["datasets"], r["label"]))


def _top(datasets: list[dict[str, Any]], counts: dict[str, int],
         opds: dict[str, str]) -> list[dict[str, Any]]:
    ranked = sorted((pkg for pkg in datasets if counts.get(pkg["id"], 0) > 0),
                    key=lambda p: (-counts[p["id"]], p.get("title") or p["name"]))
    return [{"name": p["name"], "title": p.get("title") or p["name"],
             "opd": opds.get(p.get("organization") or "", ""), "count": counts[p["id"]]}
            for p in ranked[:TOP]]


def compute(start: dt.date | None = None, end: dt.date | None = None,
            organization_id: str | None = None) -> dict[str, Any]:
    """Every figure of `satudata_statistics_show` (see its docstring): of all time, or
    of the days from `start` to `end` (either may be None: open-ended); of every OPD,
    or of one (`organization_id`)."""
    datasets, opds = public_datasets(organization_id)
    if organization_id:  # (the search's filter already; the id is never a query)
        datasets = [pkg for pkg in datasets if pkg["owner_org"] == organization_id]
    ids = [pkg["id"] for pkg in datasets]
    views_by_month = _monthly(_VIEWS, ids, start, end)
    downloads_by_month = _monthly(_DOWNLOADS, ids, start, end)
    views = {pid: sum(m.values()) for pid, m in views_by_month.items()}
    downloads = {pid: sum(m.values()) for pid, m in downloads_by_month.items()}
    published: Counter[str] = Counter(
        when.strftime("%Y-%m") for when in verification.publication_dates(ids).values()
        if (start is None or when.date() >= start) and (end is None or when.date() <= end))
    monthly: dict[str, dict[str, Any]] = {}

    def month(key: str) -> dict[str, Any]:
        return monthly.setdefault(key, {"month": key, "published": 0, "views": 0,
                                        "downloads": 0})
    for key, count in published.items():
        month(key)["published"] += count
    for series, name in ((views_by_month, "views"), (downloads_by_month, "downloads")):
        for by_month in series.values():
            for key, count in by_month.items():
                month(key)[name] += count
    return {
        "generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "totals": {"datasets": len(datasets),
                   "opds": len({p.get("organization") for p in datasets if p.get("organization")}),
                   "views": sum(views.values()), "downloads": sum(downloads.values())},
        "monthly": [monthly[k] for k in sorted(monthly)],
        "by_category": _group(datasets, "kategori", metadata.choice_labels("kategori"),
                              views, downloads),
        "by_sector": _group(datasets, "sektor_kegiatan",
                            metadata.choice_labels("sektor_kegiatan"), views, downloads),
        "by_opd": _group(datasets, "organization", opds, views, downloads),
        "most_viewed": _top(datasets, views, opds),
        "most_downloaded": _top(datasets, downloads, opds),
    }


def figures(start: dt.date | None = None, end: dt.date | None = None,
            organization_id: str | None = None) -> dict[str, Any]:
    """The kept figures (computed when none are kept for this catalogue version), of
    all time and every OPD unless a period or an OPD is given (see `compute`)."""
    if start is None and end is None and not organization_id:
        result: dict[str, Any] = cached("statistik", compute)
        return result
    kind = f"statistik:{start or ''}:{end or ''}:{organization_id or ''}"
    result = cached(kind, lambda: compute(start, end, organization_id))
    return result
