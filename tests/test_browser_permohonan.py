"""The Permohonan Data in Chromium (issue 14): a visitor with an account asks for access
to a `terbatas` dataset, follows the request by its tracking number, walidata forwards
it, the OPD's verifikator approves it with an expiry date, the grant appears with that
date on the request's page and the visitor downloads the data, which was refused
before. Every page in Indonesian. Screenshots in var/artefacts/browser/."""
from __future__ import annotations

import datetime as dt
import os
import re
import time

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, login
from tests.test_browser_public import ARTEFACTS
from tests.test_public_language import english_in

CSV = "kecamatan,posyandu\nBangil,41\nBeji,37\n"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


def _no_english(browser) -> None:
    found = english_in(browser.page_source)
    assert not found, (browser.current_url, found)


def _click(browser, css: str) -> None:
    """Clicked by script: an overlay at the bottom of the window may cover the button."""
    browser.execute_script("arguments[0].click();", browser.find_element(By.CSS_SELECTOR, css))


def _step(browser, base_url, number, action, note="", expires=None) -> None:
    browser.get(f"{base_url}/permohonan-data/{number}")
    _no_english(browser)
    Select(browser.find_element(By.ID, "s-action")).select_by_value(action)
    if expires:
        # A date input's typed format follows the browser's locale: set its value.
        browser.execute_script("arguments[0].value = arguments[1]",
                               browser.find_element(By.ID, "s-expires"), expires)
    browser.find_element(By.ID, "s-note").send_keys(note)
    _click(browser, "form.satudata-permohonan-step button")
    browser.find_element(By.CSS_SELECTOR, ".satudata-permohonan-steps")  # back on the page
    _no_english(browser)


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_access_request_from_request_to_download(live_ckan, smtp_server, tmp_path):
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    ds = world.dataset("terbatas", title="Jumlah Posyandu per Kecamatan Terbatas")
    res = requests.post(
        f"{base_url}/api/3/action/resource_create", timeout=60,
        headers={"Authorization": world.users["operator"]["token"]},
        data={"package_id": ds["id"], "name": "Tabel posyandu", "format": "CSV"},
        files={"upload": ("posyandu.csv", CSV.encode())})
    assert res.ok, res.text
    resource = res.json()["result"]
    world.publish(ds["id"])
    download = f"{base_url}/dataset/{ds['id']}/resource/{resource['id']}/download/posyandu.csv"
    expires = dt.date.today() + dt.timedelta(days=90)

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    downloads = tmp_path / "unduhan"
    browser = chromium(width=1366, height=900, download_dir=str(downloads))
    try:
        # The visitor: the data is refused, so they ask for access from the form.
        login(browser, base_url, world.users["grantee"])
        browser.get(download)
        _no_english(browser)
        assert not downloads.exists() or not os.listdir(downloads)
        browser.get(f"{base_url}/permohonan-data?jenis=akses&dataset={ds['name']}")
        _no_english(browser)
        assert ds["title"] in browser.page_source
        browser.find_element(By.ID, "f-description").send_keys("Data posyandu per kecamatan")
        browser.find_element(By.ID, "f-purpose").send_keys("Skripsi tentang gizi balita")
        browser.find_element(By.ID, "f-institution").send_keys("Universitas Merdeka")
        _click(browser, "#satudata-permohonan-form button[type=submit]")
        heading = browser.find_element(By.TAG_NAME, "h1").text
        number = re.search(r"PD-\d{4}-\d{6}", heading).group(0)
        _no_english(browser)
        browser.save_screenshot(str(ARTEFACTS / "permohonan-terkirim-1366.png"))
        # Its tracking number was e-mailed, and opens the request's page.
        assert any(number in str(m["Subject"])
                   for m in smtp_server.to(world.users["grantee"]["email"]))
        browser.get(f"{base_url}/permohonan-data/{number}")
        _no_english(browser)
        assert browser.find_element(By.CSS_SELECTOR, "[data-state]").get_attribute(
            "data-state") == "diterima"
        assert browser.find_element(By.CSS_SELECTOR, "[data-due]").get_attribute("data-due")
        assert not browser.find_elements(By.ID, "s-action")  # the requester takes no step

        # Walidata forwards it to the dataset's OPD.
        login(browser, base_url, world.users["walidata"])
        browser.get(f"{base_url}/permohonan-data/kelola")
        _no_english(browser)
        assert number in browser.page_source
        _step(browser, base_url, number, "forward", "Mohon ditindaklanjuti")
        assert browser.find_element(By.CSS_SELECTOR, "[data-state]").get_attribute(
            "data-state") == "diteruskan"

        # The OPD's verifikator approves it with an expiry date.
        login(browser, base_url, world.users["verifikator"])
        _step(browser, base_url, number, "approve", "Gunakan sesuai tujuan",
              expires=expires.isoformat())
        assert browser.find_element(By.CSS_SELECTOR, "[data-state]").get_attribute(
            "data-state") == "selesai"

        # The visitor sees the grant and its expiry, and downloads the data.
        login(browser, base_url, world.users["grantee"])
        browser.get(f"{base_url}/permohonan-data/{number}")
        _no_english(browser)
        page = browser.find_element(By.TAG_NAME, "main").text \
            if browser.find_elements(By.TAG_NAME, "main") else browser.page_source
        assert f"{expires.day} {MONTHS[expires.month - 1]} {expires.year}" in page, page
        browser.save_screenshot(str(ARTEFACTS / "permohonan-disetujui-1366.png"))
        browser.get(download)
        deadline = time.monotonic() + 20
        saved: set[str] = set()
        while time.monotonic() < deadline:
            saved = set(os.listdir(downloads)) if downloads.exists() else set()
            if "posyandu.csv" in saved or "Bangil,41" in browser.page_source:
                break
            time.sleep(0.2)
        if "posyandu.csv" in saved:
            assert (downloads / "posyandu.csv").read_text() == CSV
        else:
            assert "Bangil,41" in browser.page_source, saved
    finally:
        browser.quit()
