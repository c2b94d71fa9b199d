"""The walidata's staff pages /monitoring and /kualitas-metadata in headless Chromium.

The walidata sees the tables and the charts drawn by the satudata-chart module (a <canvas>
or <svg> inside each chart container), an OPD's operator sees only their own OPD, an
anonymous visitor is sent to the login page or refused; no English on the pages.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, login
from tests.test_public_language import english_in

ARTEFACTS = Path(os.environ.get("SATUDATA_ARTEFACTS")
                 or Path(__file__).resolve().parent.parent / "var" / "artefacts") / "browser"
PAGES = ("/monitoring", "/kualitas-metadata")
_DRAWN = ("return [...document.querySelectorAll('.satudata-chart')]"
          ".map(c => !!c.querySelector('canvas, svg'));")


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_staff_pages_in_a_browser_per_role(live_ckan):
    world = make_world()
    world.publish(world.dataset()["id"])
    base_url = live_ckan(world.users["walidata"]["token"])
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    browser = chromium()
    try:
        login(browser, base_url, world.users["walidata"])
        for path in PAGES:
            browser.get(base_url + path)
            assert browser.find_elements(By.CSS_SELECTOR, "table"), path
            charts = browser.find_elements(By.CSS_SELECTOR, ".satudata-chart")
            if charts:
                WebDriverWait(browser, 10).until(
                    lambda b: all(b.execute_script(_DRAWN)))
            assert "Dinas Kesehatan" in browser.page_source, path
            assert not english_in(browser.page_source), (path, english_in(browser.page_source))
            browser.save_screenshot(str(ARTEFACTS / f"staff-walidata{path.replace('/', '-')}.png"))

        login(browser, base_url, world.users["operator"])
        for path in PAGES:
            browser.get(base_url + path)
            assert browser.find_elements(By.CSS_SELECTOR, "table"), path
            assert "Dinas Pendidikan" not in browser.page_source, path
            assert not english_in(browser.page_source), (path, english_in(browser.page_source))
            browser.save_screenshot(str(ARTEFACTS / f"staff-operator{path.replace('/', '-')}.png"))

        browser.delete_all_cookies()
        for path in PAGES:
            browser.get(base_url + path)
            assert ("/user/login" in browser.current_url
                    or "403" in browser.title or "Tidak diizinkan" in browser.page_source
                    or "tidak diizinkan" in browser.page_source.lower()), (path, browser.title)
            assert "Dinas Kesehatan" not in browser.page_source, path
    finally:
        browser.quit()
