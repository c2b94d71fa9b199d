"""An indicator's page (issue 17): its yearly target and realisation as a table and a
chart with the same numbers, achievement as /capaian-kinerja computes it, its source
activity, unit and formula; seen by the public only once published."""
from __future__ import annotations

import json
import uuid

import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action

from ckanext.satudata.ms_keg_sample import complete_ms_ind
from ckanext.satudata.statistik import aggregate, capaian
from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

#: Out of year order, with Indonesian decimals, as an operator may type them.
SERIES = [{"tahun": 2025, "target": "80", "realisasi": "60"},
          {"tahun": 2023, "target": "97,5", "realisasi": "96,8"},
          {"tahun": 2024, "target": "50", "realisasi": "55"}]


@pytest.fixture(autouse=True)
def _fresh_figures():
    aggregate.clear()
    yield
    aggregate.clear()


def _indicator(world, activity, title="Angka Partisipasi Sekolah", **fields):
    data = complete_ms_ind(title, "Data Pokok Pendidikan", capaian=SERIES, satuan="Persen",
                           metode_perhitungan="Murid usia sekolah dibagi penduduk usia sekolah",
                           rumus="\\frac{A}{B} \\times 100")
    return call_action("package_create", world.context("operator"), **{
        **data, "ms_keg_id": activity["id"], "owner_org": world.opd["id"],
        "name": f"ind-{uuid.uuid4().hex[:10]}", "kategori": "DATA_DASAR", "license_id": "cc-by",
        "klasifikasi_akses": "terbuka", **fields})


def _get(app, path, world=None, who=None, status=200):
    headers = {"Authorization": world.users[who]["token"]} if who else {}
    return app.get(path, headers=headers, status=status).get_data(as_text=True)


@pytest.fixture
def published(app):
    world = make_world()
    activity = world.dataset(title="Data Pokok Pendidikan")
    world.publish(activity["id"])
    indicator = _indicator(world, activity)
    world.publish(indicator["id"])
    return {"world": world, "activity": activity, "indicator": indicator}


def test_indicator_page_shows_its_series_as_a_table_and_a_chart_of_the_same_numbers(
        app, published):
    indicator, activity = published["indicator"], published["activity"]
    page = BeautifulSoup(_get(app, f"/indikator/{indicator['name']}"), "html.parser")
    section = page.find(id="satudata-indikator-capaian")
    assert section is not None

    table = section.select_one("table.satudata-capaian-table")
    rows = [[cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])]
            for tr in table.select("tbody tr")]
    # Year, target, realisation, achievement (%) in the portal's Indonesian number format.
    assert rows == [["2023", "97,50", "96,80", "99,28"],
                    ["2024", "50", "55", "110"],
                    ["2025", "80", "60", "75"]]
    assert "(Persen)" in table.select("thead th")[1].get_text()

    chart = section.select_one('[data-module="satudata-chart"]')
    data = json.loads(section.find(id=chart["data-module-source"]).string)
    assert data["categories"] == ["2023", "2024", "2025"]
    assert [s["data"] for s in data["series"]] == [[97.5, 50.0, 80.0], [96.8, 55.0, 60.0]]

    # The same achievement as the Capaian Kinerja page's (one formula, statistik/capaian.py).
    assert [r["achievement"] for r in capaian.series(indicator["capaian"])] == [99.28, 110.0, 75.0]
    assert "99,28" in _get(app, "/capaian-kinerja")

    link = section.select_one(".satudata-indicator-activity a")
    assert link["href"] == f"/dataset/{activity['name']}"
    assert link.get_text(strip=True) == "Data Pokok Pendidikan"
    assert section.select_one(".satudata-indicator-unit").get_text(strip=True) == "Persen"
    assert section.select_one(".satudata-indicator-formula code").get_text() == \
        "\\frac{A}{B} \\times 100"
    assert "Murid usia sekolah" in section.select_one(".satudata-indicator-method").get_text()

    # The additional information keeps the activity row (with its link) and points the
    # capaian row at the chart and table instead of scheming's list of subfields.
    info = {th.get_text(strip=True): th.find_next_sibling("td")
            for th in page.select("th.dataset-label")}
    assert info["Kegiatan Statistik (MS-Keg)"].a["href"] == f"/dataset/{activity['name']}"
    capaian_row = info["Target dan Realisasi"]
    assert capaian_row.get_text(" ", strip=True).startswith("2023–2025")
    assert capaian_row.a["href"] == "#satudata-indikator-capaian"


def test_a_published_indicator_never_names_an_activity_the_visitor_may_not_see(app):
    world = make_world()
    draft_activity = world.dataset(title="Kegiatan Masih Draf")
    indicator = _indicator(world, draft_activity)
    world.publish(indicator["id"])

    body = _get(app, f"/indikator/{indicator['name']}")
    section = BeautifulSoup(body, "html.parser").find(id="satudata-indikator-capaian")
    assert section.select_one(".satudata-indicator-activity a") is None
    assert section.select_one(".satudata-indicator-activity").get_text(strip=True) == \
        "Tidak tersedia"
    assert "Kegiatan Masih Draf" not in body and draft_activity["name"] not in body, \
        [line for line in body.splitlines() if "Kegiatan Masih Draf" in line]
    # Its own OPD sees the draft activity it works on.
    own = BeautifulSoup(_get(app, f"/indikator/{indicator['name']}", world, "operator"),
                        "html.parser")
    assert own.select_one(".satudata-indicator-activity a").get_text() == "Kegiatan Masih Draf"


@pytest.mark.parametrize(("who", "sees"), [
    (None, False), ("stranger", False), ("other_operator", False),
    ("other_verifikator", False), ("operator", True), ("verifikator", True),
    ("walidata", True), ("sysadmin", True)])
def test_an_unpublished_indicator_is_seen_by_its_opd_and_walidata_only(app, published, who,
                                                                       sees):
    world = published["world"]
    hidden = _indicator(world, published["activity"], title="Indikator Belum Terbit")
    path = f"/indikator/{hidden['name']}"
    if who == "sysadmin":
        # CKAN's Sysadmin factory has no token: one is made for the test.
        world.users[who]["token"] = call_action(
            "api_token_create", {"user": world.users[who]["name"], "ignore_auth": True},
            user=world.users[who]["name"], name="t")["token"]
    if sees:
        body = _get(app, path, world, who)
        table = BeautifulSoup(body, "html.parser").select_one(
            "#satudata-indikator-capaian table.satudata-capaian-table")
        assert table is not None and "99,28" in table.get_text()
    else:
        body = _get(app, path, world, who, status=404)
        assert "Indikator Belum Terbit" not in body
    # The published one is there for everybody.
    assert "99,28" in _get(app, f"/indikator/{published['indicator']['name']}", world, who)
    assert "Indikator Belum Terbit" not in _get(app, "/capaian-kinerja")
