"""Periodic reports (/laporan, issue 13) with the real database, Solr and SMTP server:
the quarterly report of 2026-Q3 generated once by `ckan satudata report` as XLSX and PDF
(e-mailed with both attached), its figures equal `satudata_monitoring_show`'s for the
same period (views and downloads of the period only), the PDF is Indonesian and names
no unpublished dataset, downloads follow the stored report's OPD; periods, the CLI's
errors and the periodic job's choice of due periods."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import ckan.plugins.toolkit as tk
import openpyxl
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action
from flask_babel import force_locale

from ckanext.satudata import periodic
from ckanext.satudata.laporan import generate, periods, store
from ckanext.satudata.statistik import aggregate
from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

RECIPIENT = "forum.satudata@contoh.go.id"
APP: list = []
DRAFT_TITLE = "Draf Rahasia Zqlaporanx"


def _clean_reports() -> None:
    # CKAN's database reset leaves the portal's own tables (and storage) alone.
    model.Session.execute(sa.text("DELETE FROM satudata_report"))
    model.Session.execute(sa.text("DELETE FROM satudata_download_daily"))
    model.Session.execute(sa.text("DELETE FROM tracking_summary"))
    model.Session.commit()
    shutil.rmtree(store.root(), ignore_errors=True)
    aggregate.clear()


@pytest.fixture
def world(app):
    APP[:] = [app]
    _clean_reports()
    with app.flask_app.test_request_context():
        world = _world()
    yield world
    _clean_reports()


def _world():
    world = make_world()
    published = world.dataset(title="Jumlah Posyandu Terbit")
    world.publish(published["id"])
    world.dataset(title=DRAFT_TITLE)
    returned = world.dataset(title="Data Dikembalikan")
    call_action("verifikasi_submit", world.context("operator"), id=returned["id"])
    call_action("verifikasi_return", world.context("verifikator"), id=returned["id"],
                note="Lengkapi satuan")
    for day, views, downloads in ((dt.date(2026, 8, 3), 7, 4), (dt.date(2026, 9, 30), 2, 1),
                                  (dt.date(2026, 10, 1), 50, 60)):  # the last: after Q3
        model.Session.execute(sa.text(
            "INSERT INTO tracking_summary (url, package_id, tracking_type, count, "
            "tracking_date) VALUES (:url, :pid, 'page', :n, :day)"),
            {"url": f"/dataset/{published['id']}", "pid": published["id"], "n": views,
             "day": day})
        model.Session.execute(sa.text(
            "INSERT INTO satudata_download_daily VALUES (:r, :d, :p, :n)"),
            {"r": "res-" + published["id"], "d": day, "p": published["id"], "n": downloads})
    model.Session.commit()
    return world


def _id(msgid: str) -> str:
    """The Indonesian of a message as the report shows it (catalogue merged or not)."""
    with APP[0].flask_app.test_request_context(), force_locale("id"):
        return tk._(msgid)


def _sheet_rows(content: bytes, name: str) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[c.value for c in row] for row in book[name].iter_rows()]


def _pdf_text(path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.ckan_config("ckanext.satudata.report.recipients", RECIPIENT)
@pytest.mark.ckan_config("ckan.locale_default", "id")
def test_quarterly_report_xlsx_pdf_mail_and_figures(world, app, cli, smtp_server):
    result = cli.invoke(ckan, ["satudata", "report", "--period", "2026-Q3", "--mail"])
    assert result.exit_code == 0, result.output
    assert "3 laporan dibuat, 1 e-mail terkirim" in result.output

    sysadmin = {"user": world.users["sysadmin"]["name"]}
    listed = call_action("satudata_report_list", sysadmin)
    assert listed["count"] == 3
    portal, *opds = listed["results"]
    assert portal["organization_id"] is None and portal["label"] == "Triwulan III 2026"
    assert {r["organization_id"] for r in opds} == {world.opd["id"], world.other_opd["id"]}
    assert all(r["formats"] == ["xlsx", "pdf"] and r["kind"] == "quarterly"
               for r in listed["results"])

    # One source of truth: the XLSX table per OPD is satudata_monitoring_show's.
    report = model.Session.get(generate.Report, portal["id"])
    xlsx = store.path(report, "xlsx").read_bytes()
    with app.flask_app.test_request_context(), force_locale("id"):
        shown = call_action("satudata_monitoring_show", sysadmin, start="2026-07-01",
                            end="2026-09-30")
    keys = [k for k, _ in shown["columns"]]
    rows = _sheet_rows(xlsx, _id("Per OPD"))
    assert rows[0] == [label for _, label in shown["columns"]]
    assert rows[1:-1] == [[r[k] for k in keys] for r in shown["rows"]]
    assert rows[-1][0] == _id("Total")
    assert rows[-1][1:] == [shown["totals"].get(k) for k in keys[1:]]
    mine = next(r for r in shown["rows"] if r["organization_id"] == world.opd["id"])
    assert (mine["views"], mine["downloads"]) == (9, 5)  # October is not in Q3
    assert mine["state_published"] == 1 and mine["returned"] == 1 and mine["notes"] == 1
    summary = dict((r[0], r[1]) for r in _sheet_rows(xlsx, _id("Summary")) if r and r[0])
    assert summary[_id("Views in the period")] == 9
    assert summary[_id("Downloads in the period")] == 5
    assert summary[_id("Correction notes")] == 1
    kpi = call_action("satudata_kpi_show", sysadmin, year=2026)
    assert summary[_id("Fill rate of the Daftar Data (percent)")] == kpi["overall"][
        "fill_rate"]["value"]

    # The OPD's own report carries only its OPD.
    opd_report = model.Session.get(generate.Report, next(
        r["id"] for r in opds if r["organization_id"] == world.opd["id"]))
    opd_rows = _sheet_rows(store.path(opd_report, "xlsx").read_bytes(), _id("Per OPD"))
    assert [r[0] for r in opd_rows[1:-1]] == [world.opd["title"]]

    # The PDF: Indonesian, the portal's logo and charts, no unpublished title.
    pdf_path = store.path(report, "pdf")
    content = pdf_path.read_bytes()
    assert content.startswith(b"%PDF")
    assert DRAFT_TITLE.encode() not in content
    text = _pdf_text(pdf_path)
    if text is not None:
        assert "Triwulan III 2026" in text and "1 Juli 2026 – 30 September 2026" in text
        assert "WIB" in text and "Dinas Kesehatan" in text
        assert _id("Metadata quality per OPD") in text
        assert DRAFT_TITLE not in text

    # E-mailed once, with both files attached and the link to /laporan.
    [mail] = smtp_server.to(RECIPIENT)
    assert "Triwulan III 2026" in str(mail["Subject"])
    names = sorted(part.get_filename() for part in mail.iter_attachments())
    assert names == ["laporan-2026-Q3-semua-opd.pdf", "laporan-2026-Q3-semua-opd.xlsx"]
    assert "/laporan/" in mail.get_body(("plain",)).get_content()

    # Downloads follow the stored report's OPD.
    for who, report_id, status in (
            ("walidata", portal["id"], 200), ("operator", portal["id"], 403),
            ("operator", opd_report.id, 200), ("other_operator", opd_report.id, 403)):
        response = app.get(f"/laporan/{report_id}/unduh.pdf",
                           headers={"Authorization": world.users[who]["token"]})
        assert response.status_code == status, (who, report_id)
        if status == 200:
            assert response.data.startswith(b"%PDF")
            assert "no-store" in response.headers["Cache-Control"]


def test_periods_and_due_periods(world, cli):
    assert periods.parse("2026-11").start == dt.date(2026, 11, 1)
    assert periods.parse("2026-11").end == dt.date(2026, 11, 30)
    assert periods.parse("2024-02").end == dt.date(2024, 2, 29)
    quarter = periods.parse("2026-Q4")
    assert (quarter.start, quarter.end, quarter.label) == (
        dt.date(2026, 10, 1), dt.date(2026, 12, 31), "Triwulan IV 2026")
    assert periods.parse("2026").label == "Tahun 2026"
    for bad in ("2026-13", "2026-Q5", "26", "2026-1", ""):
        with pytest.raises(ValueError):
            periods.parse(bad)
    first = dt.date(2027, 1, 1)
    assert [p.key for p in generate.due(first)] == ["2026-12", "2026-Q4", "2026"]
    assert [p.key for p in generate.due(dt.date(2026, 12, 5))] == [
        "2026-11", "2026-Q3", "2025"]

    result = cli.invoke(ckan, ["satudata", "report", "--period", "2026-11",
                               "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    assert [p.key for p in generate.due(dt.date(2026, 12, 5))] == ["2026-Q3", "2025"]

    result = cli.invoke(ckan, ["satudata", "report", "--period", "2026-Q5"])
    assert result.exit_code != 0 and "2026-Q3" in result.output

    job = next(j for j in periodic.schedule({}) if j.name == "reports")
    assert job.command(0) == ["satudata", "report", "--due"]


def test_walidata_button_generates_a_past_period(world, app):
    headers = {"Authorization": world.users["walidata"]["token"]}
    page = app.get("/laporan/", headers=headers)
    assert 'id="laporan-generate"' in page.body
    bad = app.post("/laporan/buat", data={"period": "2026-13", "format": "xlsx"},
                   headers=headers, status=400)
    assert "2026-Q3" in bad.body  # the error names the accepted forms
    done = app.post("/laporan/buat", data={"period": "2026-10", "format": "xlsx"},
                    headers=headers, follow_redirects=False)
    assert done.status_code == 302
    listed = call_action("satudata_report_list", world.context("walidata"), period="2026-10")
    assert listed["count"] == 3 and all(r["formats"] == ["xlsx"] for r in listed["results"])
    # An OPD's operator sees the list (own OPD only) but no button, and may not post.
    headers = {"Authorization": world.users["operator"]["token"]}
    page = app.get("/laporan/", headers=headers)
    assert 'id="laporan-generate"' not in page.body
    assert world.other_opd["title"] not in page.body
    app.post("/laporan/buat", data={"period": "2026-10"}, headers=headers, status=403)


def test_generate_and_list_are_validated(world):
    walidata = world.context("walidata")
    with pytest.raises(Exception) as error:
        call_action("satudata_report_generate", walidata, period="2026-W3")
    assert "period" in str(error.value)
    with pytest.raises(Exception) as error:
        call_action("satudata_report_generate", walidata, period="2026-11", format="docx")
    assert "format" in str(error.value)
    with pytest.raises(Exception) as error:
        call_action("satudata_report_list", walidata, kind="weekly")
    assert "kind" in str(error.value)
    with pytest.raises(Exception) as error:
        call_action("satudata_monitoring_show", walidata, start="2026-10-01",
                    end="2026-09-30")
    assert "end" in str(error.value)
