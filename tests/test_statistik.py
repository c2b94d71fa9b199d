"""Statistik and Capaian Kinerja (issue 17): download counting, the public figures of
`satudata_statistics_show` against a hand-computed fixture, and the pages."""
from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import openpyxl
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.satudata.ms_keg_sample import complete_ms_ind
from ckanext.satudata.statistik import aggregate
from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

BROWSER = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/120.0"}
GOOGLEBOT = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; "
                           "+http://www.google.com/bot.html)"}
TODAY = dt.datetime.now(dt.timezone.utc).date()
THIS_MONTH = TODAY.strftime("%Y-%m")


@pytest.fixture(autouse=True)
def _fresh_figures():
    aggregate.clear()
    # CKAN's database reset leaves the portal's own tables alone.
    model.Session.execute(sa.text("DELETE FROM satudata_download_daily"))
    model.Session.commit()
    yield
    aggregate.clear()


def _table(world, dataset_id):
    return call_action("datastore_create", world.context("operator"), resource={
        "package_id": dataset_id, "name": "Tabel"}, fields=[{"id": "n", "type": "int4"}],
        records=[{"n": 1}], force=True)["resource_id"]


def _downloads() -> dict[str, int]:
    rows = model.Session.execute(sa.text(
        "SELECT resource_id, sum(count) FROM satudata_download_daily GROUP BY 1"))
    return {rid: int(n) for rid, n in rows}


def _views(package_id: str, day: dt.date, count: int) -> None:
    model.Session.execute(sa.text(
        "INSERT INTO tracking_summary (url, package_id, tracking_type, count, tracking_date) "
        "VALUES (:url, :pid, 'page', :n, :day)"),
        {"url": f"/dataset/{package_id}", "pid": package_id, "n": count, "day": day})
    model.Session.commit()


@pytest.fixture
def catalogue(app):
    """OPD 1: `open` (DATA_DASAR, published, table), `map` (DATA_KEWILAYAHAN, published),
    `secret` (rahasia, through the workflow), `draft` (never published), each with a table
    or views; OPD 2 publishes nothing."""
    world = make_world()
    opened = world.dataset(title="Data Terbuka", kategori="DATA_DASAR")
    mapped = world.dataset(title="Peta Wilayah", kategori="DATA_KEWILAYAHAN")
    secret = world.dataset("rahasia", title="Data Rahasia Sekali")
    draft = world.dataset(title="Draf Belum Terbit")
    tables = {"open": _table(world, opened["id"]), "secret": _table(world, secret["id"]),
              "draft": _table(world, draft["id"])}
    link = call_action("resource_create", world.context("operator"), package_id=opened["id"],
                       url="https://bps.go.id/tabel.xlsx", name="Tautan BPS")
    for dataset in (opened, mapped, secret):
        world.publish(dataset["id"])
    return {"world": world, "link": link, "open": opened, "map": mapped, "secret": secret,
            "draft": draft, "tables": tables}


def test_each_data_delivery_is_counted_once_robots_and_refusals_never(app, catalogue):
    world, tables = catalogue["world"], catalogue["tables"]
    rid = tables["open"]
    app.get(f"/datastore/dump/{rid}?format=csv", headers=BROWSER)
    app.get(f"/datastore/dump/{rid}?format=xlsx", headers=BROWSER)
    app.get(f"/api/3/action/datastore_search?resource_id={rid}", headers=BROWSER)
    app.post("/api/3/action/datastore_search", json={"resource_id": rid}, headers=BROWSER)
    # Robots, a failed API call and a request for another action: not counted.
    app.get(f"/datastore/dump/{rid}?format=csv", headers=GOOGLEBOT)
    app.get(f"/datastore/dump/{rid}?format=csv", headers={"User-Agent": ""})
    app.get(f"/api/3/action/datastore_search?resource_id={rid}&filters=bad",
            headers=BROWSER, status=409)
    app.get(f"/api/3/action/resource_show?id={rid}", headers=BROWSER)
    # Refused: rahasia and unpublished data, to the public and to a foreign OPD.
    for refused in (tables["secret"], tables["draft"]):
        app.get(f"/datastore/dump/{refused}?format=csv", headers=BROWSER, status=404)
        app.get(f"/api/3/action/datastore_search?resource_id={refused}",
                headers=BROWSER, status=403)
        app.get(f"/datastore/dump/{refused}?format=csv", status=404,
                headers={**BROWSER, "Authorization": world.users["other_operator"]["token"]})
    assert _downloads() == {rid: 4}


def test_the_resource_download_route_counts_links_through_its_redirect(app, catalogue):
    link = catalogue["link"]
    url = f"/dataset/{catalogue['open']['name']}/resource/{link['id']}/download"
    response = app.get(url, headers=BROWSER, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "https://bps.go.id/tabel.xlsx"
    app.get(url, headers=GOOGLEBOT, follow_redirects=False)
    assert _downloads() == {link["id"]: 1}


def test_figures_match_the_database_and_leave_out_rahasia_and_unpublished(app, catalogue):
    opened, mapped, secret, draft = (catalogue[k] for k in ("open", "map", "secret", "draft"))
    last_month = (TODAY.replace(day=1) - dt.timedelta(days=1))
    _views(opened["id"], TODAY, 5)
    _views(opened["id"], last_month, 2)
    _views(mapped["id"], TODAY, 3)
    _views(secret["id"], TODAY, 100)
    _views(draft["id"], TODAY, 50)
    rid = catalogue["tables"]["open"]
    for _ in range(3):
        app.get(f"/datastore/dump/{rid}?format=csv", headers=BROWSER)
    model.Session.execute(sa.text(
        "INSERT INTO satudata_download_daily VALUES (:r, :d, :p, 4)"),
        {"r": rid, "d": last_month, "p": opened["id"]})
    for key in ("secret", "draft"):  # counted rows of datasets the public may not see
        model.Session.execute(sa.text(
            "INSERT INTO satudata_download_daily VALUES (:r, :d, :p, 70)"),
            {"r": catalogue["tables"][key], "d": TODAY, "p": catalogue[key]["id"]})
    model.Session.commit()

    for who in (None, "walidata", "operator", "sysadmin"):
        context = {"user": catalogue["world"].users[who]["name"]} if who in (
            catalogue["world"].users) else {"user": ""}
        figures = call_action("satudata_statistics_show", context)
        assert figures["totals"] == {"datasets": 2, "opds": 1, "views": 10, "downloads": 7}
        assert figures["monthly"][-1] == {"month": THIS_MONTH, "published": 2,
                                          "views": 8, "downloads": 3}
        assert {"month": last_month.strftime("%Y-%m"), "published": 0, "views": 2,
                "downloads": 4} in figures["monthly"]
        assert [(r["key"], r["datasets"], r["views"], r["downloads"])
                for r in figures["by_category"]] == [
            ("DATA_DASAR", 1, 7, 7), ("DATA_KEWILAYAHAN", 1, 3, 0)]
        assert [(r["label"], r["datasets"]) for r in figures["by_opd"]] == [
            (catalogue["world"].opd["title"], 2)]
        assert [(r["name"], r["count"]) for r in figures["most_viewed"]] == [
            (opened["name"], 7), (mapped["name"], 3)]
        assert [(r["name"], r["count"]) for r in figures["most_downloaded"]] == [
            (opened["name"], 7)]
        text = str(figures)
        assert secret["title"] not in text and draft["title"] not in text
        assert secret["name"] not in text and draft["name"] not in text


def test_figures_are_kept_and_recomputed_when_a_dataset_is_published(app, catalogue):
    first = call_action("satudata_statistics_show", {"user": ""})
    assert first["totals"]["datasets"] == 2
    _views(catalogue["open"]["id"], TODAY, 9)
    assert call_action("satudata_statistics_show", {"user": ""}) == first  # kept
    world = catalogue["world"]
    another = world.dataset(title="Data Baru")
    world.publish(another["id"])
    again = call_action("satudata_statistics_show", {"user": ""})
    assert again["totals"]["datasets"] == 3 and again["totals"]["views"] == 9


def test_statistik_page_and_its_csv_files(app, catalogue):
    _views(catalogue["open"]["id"], TODAY, 5)
    page = app.get("/statistik").get_data(as_text=True)
    assert "Data Terbuka" in page and "Data Rahasia Sekali" not in page
    assert "Draf Belum Terbit" not in page
    for table in ("totals", "monthly", "by_category", "by_sector", "by_opd", "most_viewed",
                  "most_downloaded"):
        assert f"/statistik/{table}.csv" in page
        body = app.get(f"/statistik/{table}.csv").get_data(as_text=True)
        assert "Rahasia" not in body and "Draf" not in body
    rows = list(csv.reader(io.StringIO(
        app.get("/statistik/totals.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1] == ["2", "1", "5", "0"]
    viewed = list(csv.reader(io.StringIO(
        app.get("/statistik/most_viewed.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert viewed[1][0] == "Data Terbuka" and viewed[1][2] == "5"
    app.get("/statistik/tidak-ada.csv", status=404)


def _indicator(world, activity, title, capaian, klasifikasi="terbuka"):
    data = complete_ms_ind(title, "", capaian=capaian, definisi="Definisi",
                           metode_perhitungan="A / B", satuan="Persen", rumus="\\frac{A}{B}",
                           variabel_pembangun=[{"nama": "Murid", "kegiatan_penghasil": "Dapodik",
                                                "kode_kegiatan": "DAPODIK"}])
    indicator = call_action("package_create", world.context("operator"), **{
        **data, "title": title, "ms_keg_id": activity["id"], "owner_org": world.opd["id"],
        "name": f"ind-{uuid.uuid4().hex[:10]}", "kategori": "DATA_DASAR", "license_id": "cc-by",
        "klasifikasi_akses": klasifikasi})
    return indicator


def test_capaian_kinerja_lists_published_indicators_with_achievement(app, catalogue):
    world = catalogue["world"]
    shown = _indicator(world, catalogue["open"], "Angka Partisipasi Sekolah",
                       [{"tahun": 2025, "target": "80", "realisasi": "60"},
                        {"tahun": 2024, "target": "50", "realisasi": "55"}])
    hidden = _indicator(world, catalogue["open"], "Indikator Draf",
                        [{"tahun": 2025, "target": "10", "realisasi": "5"}])
    world.publish(shown["id"])
    page = app.get("/capaian-kinerja").get_data(as_text=True)
    assert "Angka Partisipasi Sekolah" in page and hidden["title"] not in page
    assert "75" in page and "110" in page  # 60/80 and 55/50
    rows = list(csv.reader(io.StringIO(
        app.get("/capaian-kinerja.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[4:] for r in rows[1:]] == [["2024", "50.0", "55.0", "110.0"],
                                         ["2025", "80.0", "60.0", "75.0"]]
    book = openpyxl.load_workbook(io.BytesIO(app.get("/capaian-kinerja.xlsx").data))
    cells = list(book.active.iter_rows(min_row=2, values_only=True))
    assert [c[4:] for c in cells] == [(2024, 50, 55, 110), (2025, 80, 60, 75)]
    assert all(hidden["title"] not in str(c) for c in cells)


def test_capaian_kinerja_one_grouping_a_page_kept_until_the_catalogue_changes(app, catalogue):
    world = catalogue["world"]
    first = _indicator(world, catalogue["open"], "Angka Partisipasi Sekolah",
                       [{"tahun": 2025, "target": "80", "realisasi": "60"}])
    world.publish(first["id"])
    by_opd = app.get("/capaian-kinerja").get_data(as_text=True)
    assert 'id="capaian-opd"' in by_opd and 'id="capaian-sektor"' not in by_opd
    assert "Angka Partisipasi Sekolah" in by_opd
    by_sector = app.get("/capaian-kinerja?menurut=sektor").get_data(as_text=True)
    assert 'id="capaian-sektor"' in by_sector and "Angka Partisipasi Sekolah" in by_sector
    assert app.get("/capaian-kinerja?menurut=tahun").status_code == 400
    # The kept groups follow the catalogue: a second publication shows at once.
    second = _indicator(world, catalogue["open"], "Angka Melek Huruf",
                        [{"tahun": 2025, "target": "90", "realisasi": "95"}])
    world.publish(second["id"])
    assert "Angka Melek Huruf" in app.get("/capaian-kinerja").get_data(as_text=True)
