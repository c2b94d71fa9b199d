"""The top datasets of a periodic report (/laporan, issue 13): the most viewed and most
downloaded published datasets of the report's period, in the XLSX and the PDF, equal
to what `satudata_statistics_show` answers for the same period (and OPD); a `rahasia`
and an unpublished dataset with far more views are never named; views outside the
period do not count; the period is a condition of one grouped query per figure."""
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
from ckan.tests.helpers import call_action
from flask_babel import force_locale

from ckanext.satudata.laporan import store
from ckanext.satudata.laporan.model import Report
from ckanext.satudata.ms_keg_sample import complete_ms_keg
from ckanext.satudata.statistik import aggregate
from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

Q3 = {"start": "2026-07-01", "end": "2026-09-30"}
SECRET = "Data Rahasia Zqtopsecret"
DRAFT = "Draf Belum Terbit Zqtopdraft"
APP: list = []


def _clean() -> None:
    # CKAN's database reset leaves the portal's own tables (and storage) alone.
    for table in ("satudata_report", "satudata_download_daily", "tracking_summary"):
        model.Session.execute(sa.text(f"DELETE FROM {table}"))
    model.Session.commit()
    shutil.rmtree(store.root(), ignore_errors=True)
    aggregate.clear()


def _usage(package_id: str, day: dt.date, views: int, downloads: int) -> None:
    if views:
        model.Session.execute(sa.text(
            "INSERT INTO tracking_summary (url, package_id, tracking_type, count, "
            "tracking_date) VALUES (:url, :pid, 'page', :n, :day)"),
            {"url": f"/dataset/{package_id}", "pid": package_id, "n": views, "day": day})
    if downloads:
        model.Session.execute(sa.text(
            "INSERT INTO satudata_download_daily VALUES (:r, :d, :p, :n)"),
            {"r": f"res-{package_id}", "d": day, "p": package_id, "n": downloads})


def _other_opd_dataset(world, title: str) -> dict:
    """A dataset of the other OPD, published through both stages."""
    ds = call_action("package_create", world.context("other_operator"),
                     name="data-sekolah-dasar", title=title, owner_org=world.other_opd["id"],
                     kategori="DATA_DASAR", klasifikasi_akses="terbuka", license_id="cc-by",
                     **complete_ms_keg("Jumlah Sekolah", 2025, world.other_opd["title"]))
    call_action("verifikasi_submit", world.context("other_operator"), id=ds["id"])
    call_action("verifikasi_approve", world.context("other_verifikator"), id=ds["id"])
    call_action("verifikasi_approve", world.context("walidata"), id=ds["id"])
    return ds


@pytest.fixture
def world(app):
    """OPD 1: `posyandu` and `bidan` published, a published `rahasia` one and a draft,
    both with far more views and downloads; OPD 2: `sekolah` published. In 2026-Q3
    `sekolah` leads the views, then `posyandu`, then `bidan`; `bidan`'s views of October
    and downloads of June (outside the period) would lead if they were counted."""
    APP[:] = [app]
    _clean()
    with app.flask_app.test_request_context():
        world = make_world()
        made = {"posyandu": world.dataset(title="Jumlah Posyandu Aktif"),
                "bidan": world.dataset(title="Jumlah Bidan Desa"),
                "secret": world.dataset("rahasia", title=SECRET),
                "draft": world.dataset(title=DRAFT)}
        for key in ("posyandu", "bidan", "secret"):
            world.publish(made[key]["id"])
        made["sekolah"] = _other_opd_dataset(world, "Jumlah Sekolah Dasar")
    for key, day, views, downloads in (
            ("posyandu", dt.date(2026, 8, 3), 7, 4), ("posyandu", dt.date(2026, 9, 30), 2, 0),
            ("bidan", dt.date(2026, 7, 1), 5, 0), ("bidan", dt.date(2026, 10, 1), 100, 0),
            ("bidan", dt.date(2026, 6, 30), 0, 80), ("sekolah", dt.date(2026, 9, 1), 12, 1),
            ("secret", dt.date(2026, 8, 10), 500, 300), ("draft", dt.date(2026, 8, 10), 400, 200)):
        _usage(made[key]["id"], day, views, downloads)
    model.Session.commit()
    world.made = made
    yield world
    _clean()


def _id(msgid: str) -> str:
    """The Indonesian of a message as the report shows it (catalogue merged or not)."""
    with APP[0].flask_app.test_request_context(), force_locale("id"):
        return tk._(msgid)


def _top(figures: dict, key: str) -> list[tuple]:
    return [(r["name"], r["opd"], r["count"]) for r in figures[key]]


def _sheet_tops(content: bytes) -> dict[str, list[list]]:
    """heading -> [[rank, title, opd, count], ...] of the XLSX's usage sheet."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = [[c.value for c in row] for row in book[_id("Usage")].iter_rows()]
    found: dict[str, list[list]] = {}
    for heading in (_id("Most viewed datasets in the period"),
                    _id("Most downloaded datasets in the period")):
        at = next(i for i, r in enumerate(rows) if r[0] == heading)
        assert rows[at + 1][0] == _id("Rank")
        items = []
        for row in rows[at + 2:]:
            if row[0] is None:
                break
            items.append(row[:4])
        found[heading] = items
    return found


def _expected(figures: dict, key: str) -> list[list]:
    return [[rank, r["title"], r["opd"], r["count"]]
            for rank, r in enumerate(figures[key], start=1)]


def test_statistics_of_a_period_rank_only_published_public_datasets(world):
    made, opd = world.made, world.opd
    for who in (None, "stranger", "operator", "other_verifikator", "walidata", "sysadmin"):
        context = {"user": world.users[who]["name"] if who else ""}
        q3 = call_action("satudata_statistics_show", context, **Q3)
        assert _top(q3, "most_viewed") == [
            (made["sekolah"]["name"], world.other_opd["title"], 12),
            (made["posyandu"]["name"], opd["title"], 9),
            (made["bidan"]["name"], opd["title"], 5)]
        assert _top(q3, "most_downloaded") == [
            (made["posyandu"]["name"], opd["title"], 4),
            (made["sekolah"]["name"], world.other_opd["title"], 1)]
        assert q3["totals"]["views"] == 26 and q3["totals"]["downloads"] == 5
        assert [m["month"] for m in q3["monthly"]] == ["2026-07", "2026-08", "2026-09"]
        assert (q3["start"], q3["end"], q3["organization"]) == (
            "2026-07-01", "2026-09-30", None)
        text = str(q3)
        for key, title in (("secret", SECRET), ("draft", DRAFT)):
            assert title not in text and made[key]["name"] not in text
        # One OPD: its own published datasets only (by id or by name).
        for ref in (opd["id"], opd["name"]):
            mine = call_action("satudata_statistics_show", context, organization=ref, **Q3)
            assert _top(mine, "most_viewed") == [
                (made["posyandu"]["name"], opd["title"], 9),
                (made["bidan"]["name"], opd["title"], 5)]
            assert mine["organization"] == opd["id"]
            assert SECRET not in str(mine) and DRAFT not in str(mine)
    # All time (the default, as /statistik shows): October and June count.
    everything = call_action("satudata_statistics_show", {"user": ""})
    assert _top(everything, "most_viewed")[0] == (made["bidan"]["name"], opd["title"], 105)
    assert everything["start"] is None and everything["end"] is None


def test_statistics_period_is_one_grouped_query_per_figure(world):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)
    engine = model.meta.engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        aggregate.compute(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    # (The search's own view counts, one query per page of results, are core's hook.)
    assert sum("tracking_date BETWEEN" in s for s in statements) == 1
    assert sum("day BETWEEN" in s for s in statements) == 1


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-07-01"}, "end"), ({"end": "2026-09-30"}, "start"),
    ({"start": "2026-10-01", "end": "2026-09-30"}, "end"),
    ({"start": "2026-13-01", "end": "2026-12-31"}, "start"),
    ({**Q3, "organization": "no-such-opd"}, "organization")])
def test_statistics_period_and_opd_are_validated(world, params, field):
    with pytest.raises(tk.ValidationError) as error:
        call_action("satudata_statistics_show", {"user": ""}, **params)
    assert field in error.value.error_dict


def _pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "laporan.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _section(text: str, heading: str) -> list[str]:
    """The lines of the PDF after the last `heading` (the table, after the chart)."""
    at = text.rindex(heading)
    return text[at + len(heading):].splitlines()[1:14]


def test_report_top_datasets_equal_the_statistics_of_its_period(world, tmp_path):
    made = world.made
    done = call_action("satudata_report_generate", world.context("walidata"),
                       period="2026-Q3")
    reports = {r["organization_id"]: r for r in done["reports"]}
    assert set(reports) == {None, world.opd["id"], world.other_opd["id"]}
    for organization_id in (None, world.opd["id"]):
        params = {**Q3, **({"organization": organization_id} if organization_id else {})}
        stats = call_action("satudata_statistics_show", {"user": ""}, **params)
        report = model.Session.get(Report, reports[organization_id]["id"])
        tops = _sheet_tops(store.path(report, "xlsx").read_bytes())
        assert tops[_id("Most viewed datasets in the period")] == _expected(
            stats, "most_viewed")
        assert tops[_id("Most downloaded datasets in the period")] == _expected(
            stats, "most_downloaded")
        xlsx_text = str(tops)
        assert SECRET not in xlsx_text and DRAFT not in xlsx_text

        text = _pdf_text(store.path(report, "pdf").read_bytes(), tmp_path)
        assert SECRET not in text and DRAFT not in text
        for heading, key in (("Most viewed datasets in the period", "most_viewed"),
                             ("Most downloaded datasets in the period", "most_downloaded")):
            lines = _section(text, _id(heading))
            rows: list[list[str]] = []
            for line in lines:  # the table's rows: ranks 1, 2, ... (then the next section)
                words = line.split()
                if words and words[0] == str(len(rows) + 1):
                    rows.append(words)
            assert len(rows) == len(stats[key]), lines
            for (rank, item), words in zip(enumerate(stats[key], start=1), rows, strict=True):
                line = " ".join(words)
                assert words[0] == str(rank) and words[-1] == str(item["count"]), line
                assert item["title"] in line, line
    # The OPD's report never names another OPD's dataset.
    mine = model.Session.get(Report, reports[world.opd["id"]]["id"])
    assert made["sekolah"]["title"] not in str(_sheet_tops(store.path(mine, "xlsx").read_bytes()))
