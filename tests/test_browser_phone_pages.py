"""The public pages on a phone (390 px) in Chromium, with an indicator's chart drawn.

An anonymous visitor opens the home page, a dataset, an indicator (its yearly chart and
table), /capaian-kinerja and /statistik, with a published indicator and page views in
the portal. Each page must fit the screen without sideways scrolling, and every chart
on it must be drawn (ECharts' SVG) with nothing loaded from another host. Screenshots
(`ponsel-<page>.png`) are kept in `var/artefacts/browser/` (or
`$SATUDATA_ARTEFACTS/browser/`); the user guide's phone screenshots
(docs/img/ponsel-*.png) are these, reduced.
"""
from __future__ import annotations

import base64
import datetime as dt
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ckanext.satudata.ms_keg_sample import complete_ms_ind
from ckanext.satudata.statistik import aggregate
from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, sideways_scroll
from tests.test_browser_public import _LOADED, _WIDEST, ARTEFACTS

WIDTH, HEIGHT = 390, 844


@pytest.fixture
def portal():
    """A published activity with a file and a year of page views, and its published
    indicator with five years of target and realisation."""
    aggregate.clear()
    world = make_world()
    for opd in (world.opd, world.other_opd):
        # The factory's logo is an image on another host; the portal's pages load none.
        call_action("organization_patch", {"user": world.users["sysadmin"]["name"]},
                    id=opd["id"], image_url="")
    activity = world.dataset(
        title="Data Pokok Pendidikan", notes="Jumlah sekolah, murid dan guru per kecamatan.",
        resources=[{"url": "http://data.contoh.go.id/dapodik.csv", "format": "CSV",
                    "name": "Tabel sekolah"}])
    world.publish(activity["id"])
    indicator = call_action("package_create", world.context("operator"), **{
        **complete_ms_ind("Angka Partisipasi Murni SD", "Data Pokok Pendidikan", capaian=[
            {"tahun": year, "target": target, "realisasi": real} for year, target, real in
            [(2021, "95", "93,1"), (2022, "96", "94,8"), (2023, "97", "96,2"),
             (2024, "97,5", "97,9"), (2025, "98", "97,4")]],
            rumus="\\frac{M_{7-12}}{P_{7-12}} \\times 100"),
        "name": f"ind-{uuid.uuid4().hex[:8]}", "title": "Angka Partisipasi Murni SD",
        "ms_keg_id": activity["id"], "owner_org": world.opd["id"], "kategori": "DATA_DASAR",
        "license_id": "cc-by", "klasifikasi_akses": "terbuka",
        "notes": "Persentase murid usia 7-12 tahun yang bersekolah di SD."})
    world.publish(indicator["id"])
    today = dt.date.today()
    for days in range(0, 360, 30):
        model.Session.execute(sa.text(
            "INSERT INTO tracking_summary (url, package_id, tracking_type, count, "
            "tracking_date) VALUES (:url, :pid, 'page', :n, :day)"),
            {"url": f"/dataset/{activity['name']}", "pid": activity["id"], "n": 5 + days % 7,
             "day": today - dt.timedelta(days=days)})
    model.Session.commit()
    yield {"world": world, "activity": activity, "indicator": indicator}
    aggregate.clear()


def _screenshot(browser, path: Path, element_id: str | None) -> None:
    """One phone screen (390 x 844 CSS px, one image pixel each) of the page, from its
    top or from a little above the element `element_id`."""
    top = browser.execute_script(
        "const e = document.getElementById(arguments[0]);"
        "return e ? Math.max(0, e.getBoundingClientRect().top + window.scrollY - 16) : 0;",
        element_id or "")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": top, "width": WIDTH, "height": HEIGHT, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_public_pages_on_a_phone_draw_their_charts_and_fit_the_screen(live_ckan, portal):
    base_url = live_ckan(portal["world"].users["walidata"]["token"])
    pages = {
        "beranda": ("/", None),
        "dataset": (f"/dataset/{portal['activity']['name']}", None),
        "indikator": (f"/indikator/{portal['indicator']['name']}", "satudata-indikator-capaian"),
        "capaian-kinerja": ("/capaian-kinerja", None),
        "statistik": ("/statistik", None),
    }
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    browser = chromium(width=WIDTH, height=HEIGHT, phone=True)
    try:
        for name, (path, scroll_to) in pages.items():
            browser.get(base_url + path)
            found = []
            charts = browser.find_elements(By.CSS_SELECTOR, ".satudata-chart-canvas")
            count = len(charts)
            try:
                WebDriverWait(browser, 15).until(lambda b, n=count: len(
                    b.find_elements(By.CSS_SELECTOR, ".satudata-chart-canvas svg")) >= n)
            except Exception:  # noqa: BLE001 - reported below with the page
                found.append("a chart was not drawn")
            overflow = sideways_scroll(browser)
            if overflow > 1:
                found.append(f"scrolls {overflow}px sideways: "
                             f"{browser.execute_script(_WIDEST)}")
            found += [f"loaded from another host: {url}"
                      for url in browser.execute_script(_LOADED)
                      if not url.startswith((base_url, "data:", "blob:"))]
            if name in ("indikator", "capaian-kinerja", "statistik") and not charts:
                found.append("no chart")
            if name == "indikator":
                table = browser.find_element(
                    By.CSS_SELECTOR, "#satudata-indikator-capaian table.satudata-capaian-table")
                years = [row.find_element(By.TAG_NAME, "th").text
                         for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
                if years != ["2021", "2022", "2023", "2024", "2025"]:
                    found.append(f"table years {years}")
                # The chart fills the phone's width, drawn with both series.
                svg = browser.find_element(By.CSS_SELECTOR, "#satudata-indikator-chart svg")
                if svg.size["width"] < WIDTH * 0.75:
                    found.append(f"chart only {svg.size['width']}px wide")
            if found:
                problems[path] = found
            _screenshot(browser, ARTEFACTS / f"ponsel-{name}.png", scroll_to)
    finally:
        browser.quit()
    assert not problems, problems
