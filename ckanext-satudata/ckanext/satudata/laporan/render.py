"""The files of a report: an XLSX workbook (openpyxl) and a PDF rendered by WeasyPrint
from the Jinja template `satudata_laporan/report_pdf.html`, with the charts drawn as
SVG here and the portal's SVG logo; in Indonesian, dates in Indonesian, times in WIB."""
from __future__ import annotations

import base64
import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from flask import has_request_context
from flask_babel import force_locale

from ckanext.satudata.laporan import periods, svg

LOGO = Path(__file__).resolve().parent.parent / "public" / "satudata" / "logo.svg"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@contextlib.contextmanager
def indonesian() -> Iterator[None]:
    """A request context (CLI and jobs have none: CKAN keeps one for such code) with
    the Indonesian locale, so templates render and messages are translated."""
    if has_request_context():
        with force_locale("id"):
            yield
        return
    from ckan.config import middleware

    ctx = middleware._internal_test_request_context
    if ctx is None:  # pragma: no cover - CKAN makes it at start-up
        raise RuntimeError("CKAN is not started")
    with ctx, force_locale("id"):
        yield


def _kpi_value(figure: dict[str, Any]) -> float | None:
    return figure.get("value")


def summary(figures: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) of the headline figures."""
    totals = figures["monitoring"]["totals"]
    kpi = figures["kpi"]["overall"]
    quality = figures["quality"]["totals"]
    return [
        (tk._("Datasets"), totals["datasets"]),
        (tk._("Published"), totals["state_published"]),
        (tk._("Waiting for verification"), totals["state_submitted"] + totals["state_verified"]),
        (tk._("Verified or published (percent)"), totals["percent_verified"]),
        (tk._("Datasets returned for correction"), totals["returned"]),
        (tk._("Correction notes"), totals["notes"]),
        (tk._("Overdue corrections"), totals["overdue_corrections"]),
        (tk._("Planned in the Daftar Data"), totals["planned"]),
        (tk._("Daftar Data entries with data"), totals["with_data"]),
        (tk._("Releases overdue"), totals["updates_overdue"]),
        (tk._("Released on schedule, priority data (percent)"),
         _kpi_value(kpi["on_schedule"])),
        (tk._("Fill rate of the Daftar Data (percent)"), _kpi_value(kpi["fill_rate"])),
        (tk._("Complete metadata, priority data (percent)"),
         _kpi_value(kpi["metadata_complete"])),
        (tk._("Mean delay of releases (days)"), kpi["delay_days"]["mean"]),
        (tk._("Late releases"), kpi["late_releases"]["value"]),
        (tk._("Metadata quality score (0-100)"), quality["score"]),
        (tk._("Open metadata quality tickets"), sum(quality["open"].values())),
        (tk._("Views in the period"), figures["usage"]["views"]),
        (tk._("Downloads in the period"), figures["usage"]["downloads"]),
    ]


def _kpi_rows(figures: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = [tk._("OPD"), tk._("On schedule (percent)"), tk._("Fill rate (percent)"),
              tk._("Entries due"), tk._("Entries filled"), tk._("Mean delay (days)"),
              tk._("Late releases"), tk._("Releases overdue"), tk._("Published datasets")]
    rows = [[o["title"], o["on_schedule"]["value"], o["fill_rate"]["value"],
             o["fill_rate"]["denominator"], o["fill_rate"]["numerator"],
             o["delay_days"]["mean"], o["late_releases"]["value"],
             o["late_releases"]["overdue"], o["published_datasets"]["value"]]
            for o in figures["kpi"]["organizations"]]
    return header, rows


def _quality_rows(figures: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = [tk._("OPD"), tk._("Datasets scored"), tk._("Score (0-100)"),
              tk._("Open tickets: critical"), tk._("Open tickets: high"),
              tk._("Open tickets: medium"), tk._("Oldest open ticket (days)")]
    rows = [[r.title, r.datasets, r.score, r.open.get("kritis", 0), r.open.get("tinggi", 0),
             r.open.get("sedang", 0), r.oldest_days] for r in figures["quality"]["rows"]]
    return header, rows


def _quality_kpi_rows(figures: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Quality tickets opened in each month of the period and how many were closed in time."""
    days = figures["quality"]["kpi_days"]
    header = [tk._("Month"), tk._("Tickets opened"),
              tk._("Closed within {days} days").format(days=days),
              tk._("Closed in time (percent)")]
    rows = [[m["month"], m["opened"], m["closed_within"], m["percent"]]
            for m in figures["quality"]["kpi"]]
    return header, rows


def _monitoring_table(figures: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    mon = figures["monitoring"]
    keys = [k for k, _ in mon["columns"]]
    rows = [[row[k] for k in keys] for row in mon["rows"]]
    return [label for _, label in mon["columns"]], rows


def title(figures: dict[str, Any]) -> str:
    period = figures["period"]
    scope = figures["organization_title"] or tk._("All OPDs")
    return tk._("Satu Data report {period}: {scope}").format(period=period.label, scope=scope)


def _safe(sheet: Any, row: list[Any]) -> None:
    """Append a row whose text is never read as a formula (a title "=HYPERLINK(...)")."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
            cell.data_type = "s"


def xlsx(figures: dict[str, Any]) -> bytes:
    """The workbook: Ringkasan, Per OPD (the monitoring table), timeliness, metadata
    quality and usage sheets."""
    import openpyxl
    from openpyxl.styles import Font

    period: periods.Period = figures["period"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = tk._("Summary")
    _safe(sheet, [title(figures)])
    sheet["A1"].font = Font(bold=True, size=14)
    _safe(sheet, [tk._("Period"), f"{periods.date_id(period.start)} – "
                                  f"{periods.date_id(period.end)}"])
    _safe(sheet, [tk._("Generated"), periods.datetime_wib(figures["generated"])])
    _safe(sheet, [])
    for label, value in summary(figures):
        _safe(sheet, [label, value])
    sheet.column_dimensions["A"].width = 52
    sheet.column_dimensions["B"].width = 28

    for name, (header, rows) in (
            (tk._("Per OPD"), _monitoring_table(figures)),
            (tk._("Timeliness"), _kpi_rows(figures)),
            (tk._("Metadata quality"), _quality_rows(figures))):
        sheet = book.create_sheet(name[:31])
        _safe(sheet, header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            _safe(sheet, row)
        if name == tk._("Metadata quality"):
            _safe(sheet, [])
            header, rows = _quality_kpi_rows(figures)
            _safe(sheet, header)
            for row in rows:
                _safe(sheet, row)
        if name == tk._("Per OPD"):
            totals = figures["monitoring"]["totals"]
            keys = [k for k, _ in figures["monitoring"]["columns"]]
            _safe(sheet, [tk._("Total")] + [totals.get(k) for k in keys[1:]])
        sheet.column_dimensions["A"].width = 40

    sheet = book.create_sheet(tk._("Usage"))
    usage: dict[str, Any] = figures["usage"]
    _safe(sheet, [tk._("Month"), tk._("Published"), tk._("Views"), tk._("Downloads")])
    for m in usage["months"]:
        _safe(sheet, [m["month"], m["published"], m["views"], m["downloads"]])
    for heading, count, top in top_lists(figures):
        _safe(sheet, [])
        _safe(sheet, [heading])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        _safe(sheet, [tk._("Rank"), tk._("Dataset"), tk._("OPD"), count])
        for rank, item in enumerate(top, start=1):
            _safe(sheet, [rank, item["title"], item["opd"], item["count"]])
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 50
    sheet.column_dimensions["C"].width = 30
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def top_lists(figures: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(heading, count label, datasets) of the period's most viewed and most downloaded
    published datasets (`satudata_statistics_show` of the period: public ones only)."""
    usage: dict[str, Any] = figures["usage"]
    return [(tk._("Most viewed datasets in the period"), tk._("Views"), usage["most_viewed"]),
            (tk._("Most downloaded datasets in the period"), tk._("Downloads"),
             usage["most_downloaded"])]


def _logo() -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(LOGO.read_bytes()).decode()


def charts(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, SVG markup) of the PDF's charts."""
    rows = figures["monitoring"]["rows"]
    out = [
        (tk._("Verified or published datasets per OPD (percent)"),
         svg.bars([(r["organization_title"], r["percent_verified"]) for r in rows],
                  unit="%", maximum=100)),
        (tk._("Fill rate of the Daftar Data per OPD (percent)"),
         svg.bars([(o["title"], o["fill_rate"]["value"])
                   for o in figures["kpi"]["organizations"]], unit="%", maximum=100)),
        (tk._("Metadata quality score per OPD"),
         svg.bars([(r.title, r.score) for r in figures["quality"]["rows"]], maximum=100)),
        (tk._("Views and downloads per OPD in the period"),
         svg.bars([(r["organization_title"], r["views"] + r["downloads"]) for r in rows])),
    ]
    for heading, _count, top in top_lists(figures):
        if top:
            out.append((heading, svg.bars([(r["title"], r["count"]) for r in top])))
    months = figures["usage"]["months"]
    if months:
        out.append((tk._("Views and downloads per month"), svg.columns(
            [m["month"] for m in months],
            [(tk._("Views"), [m["views"] for m in months]),
             (tk._("Downloads"), [m["downloads"] for m in months])])))
    return out


def html(figures: dict[str, Any]) -> str:
    """The report as one HTML page (the PDF's source)."""
    period: periods.Period = figures["period"]
    mon_header, mon_rows = _monitoring_table(figures)
    kpi_header, kpi_rows = _kpi_rows(figures)
    quality_header, quality_rows = _quality_rows(figures)
    result: str = tk.render("satudata_laporan/report_pdf.html", {
        "title": title(figures), "figures": figures, "logo": _logo(),
        "period_dates": f"{periods.date_id(period.start)} – {periods.date_id(period.end)}",
        "generated": periods.datetime_wib(figures["generated"]),
        "summary": summary(figures), "charts": charts(figures),
        "tables": [(tk._("Input, verification and usage per OPD"), mon_header, mon_rows),
                   (tk._("Timeliness of releases per OPD"), kpi_header, kpi_rows),
                   (tk._("Metadata quality per OPD"), quality_header, quality_rows),
                   (tk._("Metadata quality tickets in the period"),
                    *_quality_kpi_rows(figures))],
        "usage": figures["usage"], "top_lists": top_lists(figures),
        "site_title": tk.config.get("ckan.site_title"),
    })
    return result


def pdf(page: str) -> bytes:
    """The PDF of an HTML page (WeasyPrint; no script runs, nothing is fetched)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Only the inline logo (data:) is read: the page fetches nothing from anywhere.
    fetcher = URLFetcher(allowed_protocols={"data"})
    result: bytes = HTML(string=page, url_fetcher=fetcher).write_pdf()
    return result
