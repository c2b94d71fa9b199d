"""Pages `/statistik` and `/capaian-kinerja`, with every figure as CSV (and XLSX).

Thin views: the figures come from `satudata_statistics_show` and the cached
indicators of `capaian`; nothing is computed per request over all rows.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Response
from flask_babel import format_date

from ckanext.satudata.public_latest import published_text
from ckanext.satudata.public_pages import satudata_public
from ckanext.satudata.statistik import aggregate, capaian, downloads

TABLES = ("monthly", "by_category", "by_sector", "by_opd", "most_viewed", "most_downloaded")


def _csv(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _figures() -> dict[str, Any]:
    return tk.get_action("satudata_statistics_show")({"user": ""}, {})


def month_label(month: str) -> str:
    """"2026-12" as users read it: "Desember 2026"."""
    return format_date(dt.date(int(month[:4]), int(month[5:7]), 1), "MMMM y")


def statistik() -> str:
    figures = _figures()
    return tk.render("satudata_statistik/statistik.html", {
        "figures": figures,
        "month_labels": {r["month"]: month_label(r["month"]) for r in figures["monthly"]},
        "generated_text": published_text(dt.datetime.fromisoformat(figures["generated"])),
    })


def _table(figures: dict[str, Any], table: str) -> tuple[list[str], list[list[Any]]]:
    if table == "monthly":
        return ([tk._("Month"), tk._("Datasets published"), tk._("Views"), tk._("Downloads")],
                [[r["month"], r["published"], r["views"], r["downloads"]]
                 for r in figures["monthly"]])
    if table in ("by_category", "by_sector", "by_opd"):
        return ([tk._("Name"), tk._("Datasets"), tk._("Views"), tk._("Downloads")],
                [[r["label"], r["datasets"], r["views"], r["downloads"]]
                 for r in figures[table]])
    count = tk._("Views") if table == "most_viewed" else tk._("Downloads")
    return ([tk._("Dataset"), tk._("OPD"), count],
            [[r["title"], r["opd"], r["count"]] for r in figures[table]])


def statistik_csv(table: str) -> Response:
    figures = _figures()
    if table == "totals":
        totals = figures["totals"]
        return _csv("statistik-total.csv",
                    [tk._("Datasets"), tk._("OPDs"), tk._("Views"), tk._("Downloads")],
                    [[totals["datasets"], totals["opds"], totals["views"], totals["downloads"]]])
    if table not in TABLES:
        return tk.abort(404)
    header, rows = _table(figures, table)
    return _csv(f"statistik-{table.replace('_', '-')}.csv", header, rows)


def _capaian_rows() -> tuple[list[str], list[list[Any]]]:
    header = [tk._("Indicator"), tk._("OPD"), tk._("Sector"), tk._("Unit"), tk._("Year"),
              tk._("Target"), tk._("Realisation"), tk._("Achievement (%)")]
    rows = [[ind["title"], ind["opd_title"], ind["sector_label"], ind["unit"], r["year"],
             r["target"], r["realisation"], r["achievement"]]
            for ind in capaian.indicators() for r in ind["series"]]
    return header, rows


#: Groupings of /capaian-kinerja (`menurut`): the indicator's key and label fields.
GROUPINGS = {"opd": ("opd", "opd_title"), "sektor": ("sector", "sector_label")}


def capaian_kinerja() -> str:
    grouping = tk.request.args.get("menurut") or "opd"
    if grouping not in GROUPINGS:
        return tk.abort(400, tk._('The "{name}" argument must be one of: {choices}.').format(
            name="menurut", choices=", ".join(GROUPINGS)))
    items = capaian.indicators()

    # The indicators' charts and tables are the page's cost (hundreds of indicators):
    # rendered once per catalogue version, language and grouping, kept with the figures.
    def groups_html() -> str:
        key, label = GROUPINGS[grouping]
        return tk.render("satudata_statistik/capaian_groups.html", {
            "groups": capaian.grouped(items, key, label), "heading_id": grouping})

    language = tk.h.lang() or "id"
    return tk.render("satudata_statistik/capaian.html", {
        "indicators": items, "grouping": grouping,
        "groups_html": aggregate.cached(f"capaian-html:{language}:{grouping}", groups_html),
    })


def capaian_csv() -> Response:
    header, rows = _capaian_rows()
    return _csv("capaian-kinerja.csv", header, rows)


def capaian_xlsx() -> Response:
    from openpyxl import Workbook

    header, rows = _capaian_rows()
    book = Workbook()
    sheet = book.active
    sheet.title = "Capaian Kinerja"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition":
                             'attachment; filename="capaian-kinerja.xlsx"'})


satudata_public.add_url_rule("/statistik", "statistik", statistik)
satudata_public.add_url_rule("/statistik/<table>.csv", "statistik_csv", statistik_csv)
satudata_public.add_url_rule("/capaian-kinerja", "capaian_kinerja", capaian_kinerja)
satudata_public.add_url_rule("/capaian-kinerja.csv", "capaian_csv", capaian_csv)
satudata_public.add_url_rule("/capaian-kinerja.xlsx", "capaian_xlsx", capaian_xlsx)
satudata_public.after_app_request(downloads.count_response)
