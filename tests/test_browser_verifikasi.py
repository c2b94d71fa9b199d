"""The full verification path in Chromium: operator, verifikator and walidata in turn."""
from __future__ import annotations

import datetime as dt

import pytest
from ckan.tests.helpers import call_action
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, login


@pytest.fixture
def browser():
    driver = chromium()
    yield driver
    driver.quit()




def _step(browser, base_url, dataset, form_id, **fields):
    browser.get(f"{base_url}/verifikasi/dataset/{dataset['name']}")
    forms = browser.find_elements(By.ID, form_id)
    assert forms, (form_id, browser.find_element(By.TAG_NAME, "body").text[:1500])
    form = forms[0]
    for field_id, value in fields.items():
        element = form.find_element(By.ID, field_id)
        if element.get_attribute("type") == "date":
            browser.execute_script("arguments[0].value = arguments[1]", element, value)
        else:
            element.send_keys(value)
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    browser.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", button)
    # Wait for the step's POST and redirect before anyone else acts.
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(button))
    assert "alert-danger" not in browser.page_source, browser.page_source[:2000]


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_full_verification_path_in_the_browser(live_ckan, browser, tmp_path):
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    ds = world.dataset(title="Jumlah Posyandu Aktif per Kecamatan 2025")
    people = world.users
    deadline = (dt.date.today() + dt.timedelta(days=7)).isoformat()

    login(browser, base_url, people["operator"])
    _step(browser, base_url, ds, "verifikasi-submit")
    login(browser, base_url, people["verifikator"])
    browser.get(f"{base_url}/verifikasi/inbox")
    assert ds["title"] in browser.page_source
    _step(browser, base_url, ds, "verifikasi-return",
          **{"field-return-note": "Tambahkan sumber data", "field-return-deadline": deadline})
    login(browser, base_url, people["operator"])
    browser.get(f"{base_url}/verifikasi/inbox")
    assert ds["title"] in browser.page_source
    _step(browser, base_url, ds, "verifikasi-submit")
    login(browser, base_url, people["verifikator"])
    _step(browser, base_url, ds, "verifikasi-approve")
    login(browser, base_url, people["walidata"])
    _step(browser, base_url, ds, "verifikasi-return",
          **{"field-return-note": "Satuan belum sesuai standar data"})
    login(browser, base_url, people["operator"])
    _step(browser, base_url, ds, "verifikasi-submit")
    login(browser, base_url, people["verifikator"])
    _step(browser, base_url, ds, "verifikasi-approve")
    login(browser, base_url, people["walidata"])
    _step(browser, base_url, ds, "verifikasi-approve")

    page = browser.page_source
    browser.save_screenshot(str(tmp_path / "published.png"))
    assert "Tambahkan sumber data" in page and "Satuan belum sesuai standar data" in page
    status = call_action("verifikasi_status_show", world.context("walidata"), id=ds["id"])
    assert status["state"] == "published"
    assert [h["action"] for h in status["history"]] == [
        "submit", "return", "submit", "approve", "return", "submit", "approve", "approve"]
    assert status["history"][1]["deadline"] == deadline

    browser.delete_all_cookies()
    browser.get(f"{base_url}/dataset/{ds['name']}")
    assert ds["title"] in browser.page_source  # public now
