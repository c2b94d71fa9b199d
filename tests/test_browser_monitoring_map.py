"""The monitoring's thematic map in headless Chromium: with kecamatan boundaries imported,
the walidata's /monitoring draws the choropleth (an <svg> inside the map container) from
the portal's own boundaries, beside the table; nothing is loaded from another host."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ckanext.satudata.batas import importer
from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, login
from tests.test_monitoring_map import FIXTURE
from tests.test_public_language import english_in

ARTEFACTS = Path(os.environ.get("SATUDATA_ARTEFACTS")
                 or Path(__file__).resolve().parent.parent / "var" / "artefacts") / "browser"
_MAP = "#monitoring-map [data-module='satudata-coverage-map']"
_DRAWN = f"return !!document.querySelector(\"{_MAP} svg path\");"
_REGIONS = (f"return document.querySelectorAll(\"{_MAP} svg path\").length;")
_HOSTS = ("return performance.getEntriesByType('resource')"
          ".map(e => new URL(e.name).host);")


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_walidata_sees_the_map_drawn(live_ckan):
    world = make_world()
    world.publish(world.dataset(wilayah=["35.14.01", "35.14.02"])["id"])
    with Flask(__name__).test_request_context():
        importer.import_file(FIXTURE)
    base_url = live_ckan(world.users["walidata"]["token"])
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    browser = chromium()
    try:
        login(browser, base_url, world.users["walidata"])
        browser.get(base_url + "/monitoring/#kecamatan")
        WebDriverWait(browser, 15).until(lambda b: b.execute_script(_DRAWN))
        # The three imported kecamatan (Tutur as two parts) and the legend's bar.
        assert browser.execute_script(_REGIONS) >= 3
        assert browser.find_element(By.CSS_SELECTOR, "#monitoring-kecamatan").is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, "#monitoring-map").is_displayed()
        assert not english_in(browser.page_source), english_in(browser.page_source)
        own = urlsplit(base_url).netloc
        assert {h for h in browser.execute_script(_HOSTS)} <= {own}
        browser.find_element(By.ID, "monitoring-map").screenshot(
            str(ARTEFACTS / "monitoring-map.png"))
        browser.execute_script("document.getElementById('kecamatan').scrollIntoView();")
        browser.save_screenshot(str(ARTEFACTS / "monitoring-map-page.png"))
    finally:
        browser.quit()
