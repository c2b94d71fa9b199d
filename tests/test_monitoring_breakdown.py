"""Monitoring per sector and per data category (issue 13: "per OPD, sector and
category"): hand-computed figures on a small world built with the real actions, an
OPD's operator seeing only their own OPD's datasets in every breakdown, the page's
sortable tables and exports, and a query count independent of the number of sectors."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.satudata.monitoring import figures
from ckanext.satudata.statistik import aggregate
from ckanext.verifikasi.tests import world as world_module
from ckanext.verifikasi.tests.world import make_world
from tests.queries import queries_of

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
YEAR = 2025
FIGURES = ("planned", "with_data", "datasets", "state_draft", "state_submitted",
           "state_verified", "state_returned", "state_published", "state_withdrawn",
           "percent_verified", "returned", "notes", "overdue_corrections", "updates_overdue",
           "views", "downloads")
ZERO = dict.fromkeys(FIGURES, 0) | {"percent_verified": 0.0}


def _clean_counts() -> None:
    # CKAN's database reset leaves these tables alone.
    model.Session.execute(sa.text("DELETE FROM satudata_download_daily"))
    model.Session.execute(sa.text("DELETE FROM tracking_summary"))
    model.Session.commit()


def build_world():
    """Dinas Kesehatan: A (Data Dasar, Kesehatan) published, with 5 views and 3
    downloads; B (Data Kewilayahan, Kesehatan) returned with a note, deadline tomorrow;
    C (Data Dasar, Pertanian dan Perikanan) draft; a Daftar Data entry (Data Dasar,
    Kesehatan) due mid-year. Dinas Pendidikan: D (Data Mikro, Pendidikan dan Pelatihan)
    draft and a Daftar Data entry (Data Mikro, Pendidikan dan Pelatihan) due mid-year."""
    _clean_counts()
    world = make_world()
    a = world.dataset(title="Data A", kategori="DATA_DASAR", sektor_kegiatan="KESEHATAN")
    world.publish(a["id"])
    b = world.dataset(title="Data B", kategori="DATA_KEWILAYAHAN", sektor_kegiatan="KESEHATAN")
    call_action("verifikasi_submit", world.context("operator"), id=b["id"])
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    call_action("verifikasi_return", world.context("verifikator"), id=b["id"],
                note="Lengkapi satuan", deadline=tomorrow)
    world.dataset(title="Data C", kategori="DATA_DASAR",
                  sektor_kegiatan="PERTANIAN_DAN_PERIKANAN")
    call_action("package_create", world.context("other_operator"), **{
        "name": "data-d-pendidikan", "title": "Data D", "owner_org": world.other_opd["id"],
        "klasifikasi_akses": "terbuka", "license_id": "cc-by",
        **world_module.complete_fields("Data D", 2025, world.other_opd["title"]),
        "kategori": "DATA_MIKRO", "sektor_kegiatan": "PENDIDIKAN_DAN_PELATIHAN"})
    walidata = {"user": world.users["walidata"]["name"]}
    for org, kategori, sektor in ((world.opd, "DATA_DASAR", "KESEHATAN"),
                                  (world.other_opd, "DATA_MIKRO", "PENDIDIKAN_DAN_PELATIHAN")):
        call_action("satudata_daftar_data_create", walidata, year=YEAR,
                    organization=org["id"], title=f"Rencana {sektor}", kategori=kategori,
                    sektor=sektor, frequency="tahunan",
                    periods=[{"period": "Y", "planned": f"{YEAR}-06-30"}])
    model.Session.execute(sa.text(
        "INSERT INTO tracking_summary (url, package_id, tracking_type, count, tracking_date) "
        "VALUES (:url, :pid, 'page', 5, :day)"),
        {"url": f"/dataset/{a['id']}", "pid": a["id"], "day": dt.date.today()})
    model.Session.execute(sa.text("INSERT INTO satudata_download_daily VALUES (:r, :d, :p, 3)"),
                          {"r": "res-a", "d": dt.date.today(), "p": a["id"]})
    model.Session.commit()
    return world


@pytest.fixture
def world(with_request_context):
    yield build_world()
    _clean_counts()


def _by_value(rows) -> dict:
    return {r["value"]: {k: r[k] for k in FIGURES} for r in rows}


def test_walidata_figures_per_sector_and_category_match_hand_computed(world):
    later = dt.date.today() + dt.timedelta(days=30)  # B's correction deadline passed
    ids = [world.opd["id"], world.other_opd["id"]]
    kategori = _by_value(figures.by_field("kategori", YEAR, ids, {
        "DATA_DASAR": "Data Dasar", "DATA_GEOSPASIAL": "Data Geospasial",
        "DATA_KEWILAYAHAN": "Data Kewilayahan", "DATA_MIKRO": "Data Mikro"}, today=later))
    assert kategori == {
        "DATA_DASAR": ZERO | {"planned": 1, "datasets": 2, "state_draft": 1,
                              "state_published": 1, "percent_verified": 50.0,
                              "updates_overdue": 1, "views": 5, "downloads": 3},
        "DATA_GEOSPASIAL": ZERO,
        "DATA_KEWILAYAHAN": ZERO | {"datasets": 1, "state_returned": 1, "returned": 1,
                                    "notes": 1, "overdue_corrections": 1},
        "DATA_MIKRO": ZERO | {"planned": 1, "datasets": 1, "state_draft": 1,
                              "updates_overdue": 1}}
    sektor = _by_value(figures.by_field("sektor", YEAR, ids, {}, today=later))
    assert sektor == {
        "KESEHATAN": ZERO | {"planned": 1, "datasets": 2, "state_published": 1,
                             "state_returned": 1, "percent_verified": 50.0, "returned": 1,
                             "notes": 1, "overdue_corrections": 1, "updates_overdue": 1,
                             "views": 5, "downloads": 3},
        "PERTANIAN_DAN_PERIKANAN": ZERO | {"datasets": 1, "state_draft": 1},
        "PENDIDIKAN_DAN_PELATIHAN": ZERO | {"planned": 1, "datasets": 1, "state_draft": 1,
                                            "updates_overdue": 1}}
    # Through the action (today: B's deadline not passed), labels from the schema.
    result = call_action("satudata_monitoring_show", world.context("walidata"), year=YEAR)
    rows = {r["value"]: r for r in result["kategori"]}
    assert [r["value"] for r in result["kategori"]] == [
        "DATA_DASAR", "DATA_GEOSPASIAL", "DATA_KEWILAYAHAN", "DATA_MIKRO"]
    assert rows["DATA_DASAR"]["label"] in ("Data Dasar", "Basic data")
    assert rows["DATA_KEWILAYAHAN"]["overdue_corrections"] == 0
    sectors = {r["value"]: r for r in result["sektor"]}
    assert sectors["KESEHATAN"]["label"] in ("Kesehatan", "Health")
    assert sectors["KESEHATAN"]["datasets"] == 2 and sectors["KEUANGAN"]["datasets"] == 0
    assert result["kategori_totals"]["datasets"] == result["sektor_totals"]["datasets"] == 4
    assert result["kategori_totals"]["planned"] == 2
    assert result["kategori_columns"][0][0] == "label"
    assert [k for k, _ in result["kategori_columns"][1:]] == [k for k, _ in result["columns"][1:]]


def test_operator_sees_only_own_opd_in_every_breakdown(world):
    for who in ("operator", "verifikator"):
        result = call_action("satudata_monitoring_show", world.context(who), year=YEAR)
        kategori = _by_value(result["kategori"])
        assert kategori["DATA_MIKRO"] == ZERO
        assert kategori["DATA_DASAR"]["datasets"] == 2
        sektor = _by_value(result["sektor"])
        assert sektor["PENDIDIKAN_DAN_PELATIHAN"] == ZERO
        assert result["kategori_totals"]["datasets"] == result["sektor_totals"]["datasets"] == 3
        assert result["sektor_totals"]["planned"] == 1
    other = call_action("satudata_monitoring_show", world.context("other_operator"), year=YEAR)
    assert _by_value(other["kategori"])["DATA_MIKRO"]["datasets"] == 1
    assert other["kategori_totals"]["datasets"] == 1
    assert _by_value(other["sektor"])["KESEHATAN"] == ZERO
    # The walidata filtering one OPD gets that OPD's breakdown only.
    one = call_action("satudata_monitoring_show", world.context("walidata"), year=YEAR,
                      organization=world.other_opd["id"])
    assert one["sektor_totals"]["datasets"] == 1


def test_anonymous_and_stranger_refused(world):
    for context in ({"user": "", "ignore_auth": False}, world.context("stranger")):
        with pytest.raises(Exception) as refused:
            call_action("satudata_monitoring_show", context, year=YEAR)
        assert type(refused.value).__name__ == "NotAuthorized"


def _queries(app, path: str, headers: dict[str, str]) -> int:
    """Queries of a page whose figures are computed (not answered from Redis)."""
    aggregate.clear()
    return queries_of(app, path, headers)


def test_page_tables_sorting_exports_and_query_count(app):
    with app.flask_app.test_request_context():
        world = build_world()
    try:
        headers = {"Authorization": factories.APIToken(
            user=world.users["walidata"]["id"])["token"]}
        page = app.get(f"/monitoring/?year={YEAR}&sort_kategori=datasets&order_kategori=desc",
                       headers=headers)
        assert page.status_code == 200
        body = page.body
        assert 'id="monitoring-sektor"' in body and 'id="monitoring-kategori"' in body
        table = body[body.index('id="monitoring-kategori"'):]
        table = table[:table.index("</table>")]
        assert 'data-key="datasets" aria-sort="descending"' in table
        assert app.get("/monitoring/?sort_sektor=nope", headers=headers).status_code == 400
        data = app.get(f"/monitoring/unduh.csv?year={YEAR}&table=kategori"
                       "&sort_kategori=datasets&order_kategori=desc", headers=headers)
        rows = list(csv.reader(io.StringIO(data.data.decode("utf-8-sig"))))
        assert len(rows) == 1 + 4
        assert [r[3] for r in rows[1:]] == ["2", "1", "1", "0"]  # column 4: datasets
        book = openpyxl.load_workbook(io.BytesIO(app.get(
            f"/monitoring/unduh.xlsx?year={YEAR}&table=sektor", headers=headers).data))
        sheet = [[c.value for c in r] for r in book.active.iter_rows()]
        assert sheet[0][1:] == rows[0][1:]
        assert sum(r[3] for r in sheet[1:]) == 4
        anonymous = app.get("/monitoring/unduh.csv?table=sektor", follow_redirects=False)
        assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]
        stranger = {"Authorization": factories.APIToken(
            user=world.users["stranger"]["id"])["token"]}
        assert app.get("/monitoring/unduh.csv?table=kategori",
                       headers=stranger).status_code == 403
        before = _queries(app, f"/monitoring/?year={YEAR}", headers)
        with app.flask_app.test_request_context():
            for i, (kategori, sektor) in enumerate((("DATA_DASAR", "KEUANGAN"),
                                                    ("DATA_MIKRO", "LINGKUNGAN"))):
                world.dataset(title=f"Tambahan {i}", kategori=kategori, sektor_kegiatan=sektor)
        assert _queries(app, f"/monitoring/?year={YEAR}", headers) == before
    finally:
        _clean_counts()
