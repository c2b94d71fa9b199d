"""An operator goes back to page 1 of an unfinished draft (Kelola) and saves: nothing is lost.

Page 1 is filled in the browser (which creates the draft), the MS-Keg pages 2-9
through the API to keep the test short; going back and saving are real clicks.
"""
from __future__ import annotations

from typing import Any

import pytest
from ckan.tests.helpers import call_action
from ckanext.scheming.helpers import scheming_get_dataset_form_pages
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from ckanext.satudata.ms_keg_sample import complete_ms_keg
from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, login


@pytest.fixture
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def _save(browser) -> None:
    """Click the form's save button (Berikutnya) and wait for the next page."""
    button = browser.find_element(By.CSS_SELECTOR, '#dataset-edit button[name="save"]')
    browser.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", button)
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(button))


def _stored(dataset_id: str) -> dict[str, Any]:
    shown = call_action("package_show", {"ignore_auth": True}, id=dataset_id)
    shown["resources"] = sorted(r["id"] for r in shown["resources"])
    return {key: value for key, value in shown.items()
            if key not in ("metadata_modified", "verifikasi_state") and value not in (None, "", [])}


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_kelola_page_one_of_a_draft_and_next_keeps_every_page(live_ckan, browser):
    world = make_world()
    operator = world.users["operator"]
    base_url = live_ckan(operator["token"])
    login(browser, base_url, operator)

    # Page 1 in the browser: the wizard creates the draft.
    browser.get(f"{base_url}/dataset/new")
    browser.find_element(By.ID, "field-title").send_keys("Jumlah Posyandu per Kecamatan")
    Select(browser.find_element(By.ID, "field-kategori")).select_by_value("DATA_DASAR")
    Select(browser.find_element(By.ID, "field-klasifikasi_akses")).select_by_value("terbuka")
    Select(browser.find_element(By.ID, "field-sektor_kegiatan")).select_by_value("KESEHATAN")
    browser.find_element(By.ID, "field-tahun_kegiatan").send_keys("2025")
    _save(browser)
    assert "/2" in browser.current_url
    name = browser.current_url.rstrip("/").split("/")[-2]

    # Pages 2-9 through the API; the dataset stays in the wizard (CKAN state draft).
    fields = complete_ms_keg("Pendataan Posyandu", 2025, world.opd["title"])
    call_action("package_patch", world.context("operator"), id=name, **fields)
    before = _stored(name)
    assert before["state"] == "draft"
    later_pages = [field["field_name"]
                   for page in scheming_get_dataset_form_pages("dataset")[1:]
                   for field in page["fields"]]
    filled = [field for field in later_pages if field in fields]
    assert len(filled) > 40 and all(field in before for field in filled)

    # Back to page 1 with "Kelola" on the dataset page, then Berikutnya without a change.
    browser.get(f"{base_url}/dataset/{name}")
    kelola = browser.find_element(By.CSS_SELECTOR, f'a[href$="/dataset/edit/{name}"]')
    browser.execute_script("arguments[0].click();", kelola)
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "field-title")))
    assert "Informasi Umum" in browser.find_element(By.CSS_SELECTOR, "ol.stages li.active").text
    assert browser.find_element(By.ID, "field-title").get_attribute("value") == (
        "Jumlah Posyandu per Kecamatan")
    _save(browser)
    assert browser.current_url.endswith(f"/dataset/new/{name}/2")
    after = _stored(name)
    assert {f: (before.get(f), after.get(f)) for f in filled if before.get(f) != after.get(f)} == {}
    assert after == before

    # On through every later page of the wizard, still without a change.
    for page in range(2, len(scheming_get_dataset_form_pages("dataset")) + 1):
        assert browser.current_url.endswith(f"/dataset/new/{name}/{page}")
        _save(browser)
    assert _stored(name) == before
