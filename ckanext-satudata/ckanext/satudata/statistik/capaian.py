"""Capaian Kinerja: target against achievement of every published indicator (MS-Ind).

Read with anonymous searches (nothing unpublished or `rahasia`), grouped by OPD
and by sector (the sector of the indicator's statistical activity, when that
activity is public), kept in Redis like the portal's figures.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata import metadata
from ckanext.satudata.statistik import aggregate

INDIKATOR_TYPE = "indikator"
PAGE = 500


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def achievement(target: float | None, realisation: float | None) -> float | None:
    """Realisation as a percentage of the target (None without both or a zero target)."""
    if target is None or realisation is None or target == 0:
        return None
    return round(realisation / target * 100, 2)


def series(capaian: Any) -> list[dict[str, Any]]:
    """The yearly rows of an indicator's `capaian`, by year, with achievement (%)."""
    rows = []
    for item in capaian if isinstance(capaian, list) else []:
        if not isinstance(item, dict) or item.get("tahun") in (None, ""):
            continue
        target, realisation = _number(item.get("target")), _number(item.get("realisasi"))
        rows.append({"year": int(item["tahun"]), "target": target, "realisation": realisation,
                     "achievement": achievement(target, realisation)})
    return sorted(rows, key=lambda r: r["year"])


def _indicators() -> list[dict[str, Any]]:
    found_all: list[dict[str, Any]] = []
    start = 0
    while True:
        found = tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
            "q": "*:*", "fq": f"+dataset_type:{INDIKATOR_TYPE}", "include_private": False,
            "rows": PAGE, "start": start, "sort": "title_string asc"})
        found_all.extend(found["results"])
        start += PAGE
        if start >= found["count"]:
            return found_all


def compute() -> dict[str, Any]:
    activities, _opds = aggregate.public_datasets()
    sector_of = {a["id"]: a.get("sektor_kegiatan") or "" for a in activities}
    title_of = {a["id"]: (a.get("title") or a["name"], a["name"]) for a in activities}
    indicators = []
    for pkg in _indicators():
        activity = pkg.get("ms_keg_id") or ""
        org = pkg.get("organization") or {}
        indicators.append({
            "name": pkg["name"], "title": pkg.get("title") or pkg["name"],
            "opd": org.get("name") or "", "opd_title": org.get("title") or org.get("name") or "",
            "sector": sector_of.get(activity, ""),
            "activity": title_of.get(activity, ("", ""))[0],
            "activity_name": title_of.get(activity, ("", ""))[1],
            "unit": pkg.get("satuan") or "", "formula": pkg.get("rumus") or "",
            "series": series(pkg.get("capaian")),
        })
    return {"indicators": indicators}


def indicators() -> list[dict[str, Any]]:
    """Every published indicator with its yearly series (kept like the figures)."""
    data = aggregate.cached("capaian", compute)
    labels = metadata.choice_labels("sektor_kegiatan")
    for ind in data["indicators"]:
        ind["sector_label"] = labels.get(ind["sector"], ind["sector"]) if ind["sector"] else ""
    return list(data["indicators"])


def grouped(items: list[dict[str, Any]], key: str, label: str) -> list[dict[str, Any]]:
    """Indicators in groups (`key` value, its `label`), in label order."""
    groups: dict[str, dict[str, Any]] = {}
    for ind in items:
        group = groups.setdefault(ind[key], {"key": ind[key], "label": ind[label],
                                             "indicators": []})
        group["indicators"].append(ind)
    return sorted(groups.values(), key=lambda g: (not g["key"], g["label"]))
