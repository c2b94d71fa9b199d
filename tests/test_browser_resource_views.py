"""The chart and map views in Chromium, on a desktop (1366 px) and a phone (390 px).

An anonymous visitor opens a published DataStore table's chart view and a GeoJSON
resource's map view: ECharts draws them as SVG (bars for the kecamatan table, the
polygon and the point of the GeoJSON), the page loads nothing from another host, no
"No map provider set" text shows, and the chart's controls redraw it as a line chart.
Screenshots are kept in `var/artefacts/browser/` (or `$SATUDATA_ARTEFACTS/browser/`).
"""
from __future__ import annotations

import json

import pytest
import requests
from ckan.tests.helpers import call_action
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, sideways_scroll
from tests.test_browser_public import _LOADED, ARTEFACTS, SCREENS
from tests.test_resource_views import FIELDS, GEOJSON, KECAMATAN


def _world_with_views(live_ckan):
    """A published table and a published GeoJSON upload (sent through the live server,
    whose storage is the ini's, not create_with_upload's temporary one)."""
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    table_set = world.dataset(title="Jumlah Posyandu per Kecamatan")
    table = call_action(
        "datastore_create", world.context("operator"),
        resource={"package_id": table_set["id"], "name": "Posyandu 2025", "format": "CSV"},
        fields=FIELDS, records=[{"kode_kecamatan": k, "kecamatan": n, "jumlah_posyandu": p,
                                 "jumlah_puskesmas": q} for k, n, p, q in KECAMATAN])
    world.publish(table_set["id"])
    geo_set = world.dataset(title="Batas Kecamatan")
    answer = requests.post(
        f"{base_url}/api/3/action/resource_create",
        headers={"Authorization": world.users["operator"]["token"]},
        data={"package_id": geo_set["id"], "name": "Batas", "format": "GeoJSON"},
        files={"upload": ("batas.geojson", json.dumps(GEOJSON).encode(), "application/json")},
        timeout=60)
    assert answer.ok, answer.text
    geo = answer.json()["result"]
    world.publish(geo_set["id"])

    def view_of(resource_id: str, view_type: str) -> str:
        return next(v["id"] for v in call_action("resource_view_list", id=resource_id)
                    if v["view_type"] == view_type)

    return base_url, {
        "chart": f"/dataset/{table_set['name']}/resource/{table['resource_id']}"
                 f"?view_id={view_of(table['resource_id'], 'satudata_chart_view')}",
        "map": f"/dataset/{geo_set['name']}/resource/{geo['id']}"
               f"?view_id={view_of(geo['id'], 'satudata_map_view')}",
    }


def _show(browser, selector: str) -> None:
    """Scroll the view to the top of the screen (for the screenshot)."""
    browser.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "window.scrollTo({top: e.getBoundingClientRect().top + window.scrollY - 16,"
        " behavior: 'instant'});", selector)


def _svg_count(browser, container: str, selector: str) -> int:
    return browser.execute_script(
        "const c = document.querySelector(arguments[0]);"
        "return c ? c.querySelectorAll(arguments[1]).length : -1;", container, selector)


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("screen", SCREENS)
def test_the_chart_and_the_map_are_drawn_on_the_resource_page(
        live_ckan, screen):
    base_url, pages = _world_with_views(live_ckan)
    width, height, phone = SCREENS[screen]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    browser = chromium(width=width, height=height, phone=phone)
    try:
        browser.get(base_url + pages["chart"])
        canvas = ".satudata-resource-chart-canvas"
        WebDriverWait(browser, 20).until(lambda b: _svg_count(b, canvas, "svg") == 1)
        # One bar per kecamatan: ECharts draws bars as SVG paths inside the chart.
        WebDriverWait(browser, 10).until(
            lambda b: _svg_count(b, canvas, "svg path") >= len(KECAMATAN))
        controls = browser.find_element(By.CSS_SELECTOR, ".satudata-chart-controls")
        assert controls.is_displayed()
        rect = browser.execute_script(
            "return document.querySelector(arguments[0]).getBoundingClientRect().width;", canvas)
        assert rect > width * 0.5, rect
        assert sideways_scroll(browser) <= 1
        text = browser.find_element(By.CSS_SELECTOR, ".satudata-resource-chart").text
        for _k, name, count, _q in KECAMATAN:
            assert name in text and str(count) in text
        _show(browser, ".satudata-resource-chart")
        browser.save_screenshot(str(ARTEFACTS / f"resource-chart-{width}.png"))
        # bar -> line: the chart is drawn again (a line series is one path with no fill).
        line = browser.find_element(By.CSS_SELECTOR, "input[name=type][value=line]")
        browser.execute_script("arguments[0].click();", line)
        WebDriverWait(browser, 10).until(lambda b: b.execute_script(
            "return [...document.querySelectorAll(arguments[0] + ' svg path')]"
            ".some(p => (p.getAttribute('fill') || '') === 'none');", canvas))
        loaded = [u for u in browser.execute_script(_LOADED)
                  if not u.startswith((base_url, "data:", "blob:"))]
        assert not loaded, loaded

        browser.get(base_url + pages["map"])
        WebDriverWait(browser, 20).until(lambda b: b.execute_script(
            "const m = document.querySelector('.satudata-resource-map-canvas');"
            "return m && m.getAttribute('data-map-state');") in ("drawn", "error-failed",
                                                                   "error-invalid"))
        state = browser.find_element(By.CSS_SELECTOR, ".satudata-resource-map-canvas")
        assert state.get_attribute("data-map-state") == "drawn", \
            state.get_attribute("data-map-reason")
        assert state.get_attribute("data-map-features") == str(len(GEOJSON["features"]))
        mapbox = ".satudata-resource-map-canvas"
        assert _svg_count(browser, mapbox, "svg") == 1
        # The polygon (a region of the geo component) and the point (a scatter symbol).
        assert _svg_count(browser, mapbox, "svg path") >= 2
        assert "No map provider" not in browser.find_element(By.TAG_NAME, "body").text
        assert "leaflet-tile" not in browser.page_source
        assert sideways_scroll(browser) <= 1
        loaded = [u for u in browser.execute_script(_LOADED)
                  if not u.startswith((base_url, "data:", "blob:"))]
        assert not loaded, loaded
        _show(browser, ".satudata-resource-map")
        browser.save_screenshot(str(ARTEFACTS / f"resource-map-{width}.png"))
    finally:
        browser.quit()
