"""The page `/monitoring` (blueprint `satudata_monitoring`) and its CSV/XLSX exports.

The figures come from `satudata_monitoring_show`, which decides who sees what: a
visitor is sent to the login page, anyone refused gets 403 (also for a foreign OPD)."""
from __future__ import annotations

import csv
import io
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, request

from ckanext.satudata.localtime import today_wib
from ckanext.satudata.monitoring import figures

satudata_monitoring = Blueprint("satudata_monitoring", __name__, url_prefix="/monitoring")


@satudata_monitoring.errorhandler(tk.NotAuthorized)
def _not_authorized(_: Exception) -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to(tk.url_for("user.login", came_from=request.full_path))
    return tk.render("error_document_template.html", {
        "code": 403, "name": "Forbidden", "show_login_redirect_link": False,
        "content": tk._("You may not see the monitoring figures")}), 403


@satudata_monitoring.errorhandler(tk.ObjectNotFound)
def _not_found(_: Exception) -> Any:
    tk.abort(404, tk._("Organization not found"))


def _figures() -> tuple[dict[str, Any], dict[str, str]]:
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    filters = {"year": request.args.get("year", "").strip(),
               "organization": request.args.get("organization", "").strip()}
    params = {k: v for k, v in filters.items() if v}
    try:
        result = tk.get_action("satudata_monitoring_show")(context, params)
    except tk.ValidationError as e:
        tk.abort(400, tk._("Invalid filter: {fields}").format(
            fields=", ".join(e.error_dict)))
    keys = [k for k, _ in result["columns"]]
    sort = request.args.get("sort", "organization_title")
    if sort not in keys:
        tk.abort(400, tk._("Unknown column to sort by: {column}").format(column=sort))
    descending = request.args.get("order") == "desc"
    filters.update(sort=sort, order="desc" if descending else "asc")
    result["rows"] = _sorted(result["rows"], sort, descending)
    for which in figures.BREAKDOWNS:
        # Each breakdown table sorts on its own (sort_<table>, order_<table>); by
        # default in the schema's order of the choices.
        key = request.args.get(f"sort_{which}", "")
        if not key:
            continue
        if key not in [k for k, _ in result[f"{which}_columns"]]:
            tk.abort(400, tk._("Unknown column to sort by: {column}").format(column=key))
        down = request.args.get(f"order_{which}") == "desc"
        filters.update({f"sort_{which}": key, f"order_{which}": "desc" if down else "asc"})
        result[which] = _sorted(result[which], key, down)
    return result, filters


def _sorted(rows: list[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    """The rows sorted by one column (text case-insensitively), empty values last."""
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    present.sort(key=lambda r: (str(r[key]).lower() if isinstance(r[key], str) else r[key]),
                 reverse=descending)
    return present + missing


def _table(result: dict[str, Any], which: str = "") -> list[list[Any]]:
    prefix = f"{which}_" if which else ""
    columns, rows = result[prefix + "columns"], result[which or "rows"]
    keys = [k for k, _ in columns]
    return [[label for _, label in columns]] + [
        [row[k] if row[k] is not None else "" for k in keys] for row in rows]


@satudata_monitoring.route("/")
def index() -> str:
    result, filters = _figures()
    return tk.render("satudata_monitoring/index.html", {
        "result": result, "filters": filters, "this_year": today_wib().year,
        "charts": _charts(result), "coverage_map": _coverage_map(result)})


def _coverage_map(result: dict[str, Any]) -> dict[str, Any]:
    """The thematic map of the coverage per kecamatan: whether kecamatan boundaries
    exist (one query; the boundaries themselves come from `boundaries()`), and the
    figures it colours, those of the table (the caller's scope)."""
    from ckanext.satudata.batas import store
    from ckanext.satudata.public_latest import published_text

    stored = store.stored("kecamatan")
    labels = dict(result["kecamatan_columns"])
    return {
        "count": stored.regions, "of": len(result["kecamatan"]),
        "imported_at": published_text(stored.imported_at) if stored.imported_at else "",
        "data": {"url": tk.url_for("satudata_monitoring.boundaries"),
                 "value": "specific", "labels": {k: labels[k] for k in ("specific", "total")},
                 "regions": [{"kode": r["kode"], "nama": r["nama"], "specific": r["specific"],
                              "total": r["total"]} for r in result["kecamatan"]]},
    }


@satudata_monitoring.route("/batas-kecamatan.geojson")
def boundaries() -> Response:
    """The simplified kecamatan boundaries (public, like the region codes: no figures)."""
    import hashlib
    import json

    from ckanext.satudata.batas import store

    body = json.dumps(store.kecamatan_collection(), separators=(",", ":")).encode("utf-8")
    etag = hashlib.sha256(body).hexdigest()[:32]
    response = Response(body, mimetype="application/geo+json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.make_conditional(request)  # 304 when the ETag matches
    return response


def _charts(result: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(id, data, title) of the charts: % verified and datasets per state, per OPD."""
    rows = result["rows"]
    names = [r["organization_title"] for r in rows]
    labels = dict(result["columns"])
    return [
        ("monitoring-verified", {"type": "bar", "unit": "%", "max": 100, "categories": names,
                                 "series": [{"name": labels["percent_verified"],
                                             "data": [r["percent_verified"] for r in rows]}]},
         tk._("% verified per OPD")),
        ("monitoring-states", {"type": "bar", "stack": True, "categories": names,
                               "series": [{"name": labels[f"state_{s}"],
                                           "data": [r[f"state_{s}"] for r in rows]}
                                          for s in figures.STATES]},
         tk._("Datasets per workflow state and OPD")),
    ]


@satudata_monitoring.route("/unduh.<fmt>")
def export(fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        tk.abort(404)
    result, _ = _figures()
    which = request.args.get("table", "")
    if which not in ("", "kecamatan", *figures.BREAKDOWNS):
        tk.abort(400, tk._("Unknown table: {table}").format(table=which))
    table = _table(result, which)
    name = f"monitoring-{which or 'opd'}-{result['year']}"
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(table)
        return Response(out.getvalue().encode("utf-8-sig"), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"'})
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Monitoring"
    for line in table:
        sheet.append(line)
    buf = io.BytesIO()
    book.save(buf)
    return Response(buf.getvalue(), headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f'attachment; filename="{name}.xlsx"'})
