"""An operator creates a dataset in the browser, walking the MS-Keg form pages in Indonesian."""
from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser import login, on_screen, sideways_scroll

PASSWORD = "Pasuruan#2026-uji"


SCREENS = {"desktop": (1280, 1000, False), "phone": (390, 844, True)}


@pytest.fixture(params=SCREENS)
def browser(request):
    """On a desktop and on a phone."""
    driver = on_screen(SCREENS, request.param)
    yield driver
    driver.quit()


def _active_page(browser) -> str:
    # Every form page fits the screen (a phone's too): nothing to scroll sideways.
    assert sideways_scroll(browser) <= 1, browser.current_url
    return browser.find_element(By.CSS_SELECTOR, "ol.stages li.active").text


def _next_page(browser):
    button = browser.find_element(By.CSS_SELECTOR, 'button[name="save"]')
    browser.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", button)
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(button))


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_operator_walks_ms_keg_pages_in_indonesian(live_ckan, browser, sysadmin_context, tmp_path):
    operator = factories.UserWithToken(password=PASSWORD)
    org = factories.Organization(title="Dinas Kesehatan", users=[
        {"name": operator["name"], "capacity": "editor"}])
    base_url = live_ckan(operator["token"])
    login(browser, base_url, operator, PASSWORD)

    browser.get(f"{base_url}/dataset/new")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id"
    stages = browser.find_element(By.CSS_SELECTOR, "ol.stages").text
    assert "Informasi Umum" in stages and "Blok III · Perencanaan" in stages
    browser.find_element(By.ID, "field-title").send_keys("Jumlah Posyandu per Kecamatan")
    Select(browser.find_element(By.ID, "field-kategori")).select_by_value("DATA_DASAR")
    Select(browser.find_element(By.ID, "field-klasifikasi_akses")).select_by_value("terbuka")
    Select(browser.find_element(By.ID, "field-sektor_kegiatan")).select_by_value("KESEHATAN")
    browser.find_element(By.ID, "field-tahun_kegiatan").send_keys("2025")
    # The spatial extent is asked for only for geospatial data.
    assert not browser.find_element(By.ID, "field-spatial").is_displayed()
    _next_page(browser)

    assert "Identitas Kegiatan" in _active_page(browser)
    browser.find_element(By.ID, "field-judul_kegiatan").send_keys("Pendataan Posyandu 2025")
    Select(browser.find_element(By.ID, "field-cara_pengumpulan_data")).select_by_value("SURVEI")
    _next_page(browser)

    for expected in ("Blok I-II", "Blok III", "Blok IV"):
        assert expected in _active_page(browser)
        _next_page(browser)
    # Block V (sample design) applies: the activity is a survey.
    assert "Blok V · Desain Sampel" in _active_page(browser)
    assert browser.find_element(By.ID, "field-metode_sampling").is_displayed()
    browser.save_screenshot(str(tmp_path / "blok-v.png"))

    dataset = call_action("package_search", sysadmin_context, include_drafts=True,
                          include_private=True, fq=f"owner_org:{org['id']}")["results"][0]
    assert dataset["judul_kegiatan"] == "Pendataan Posyandu 2025"
    assert dataset["tahun_kegiatan"] in (2025, "2025")
    assert dataset["state"] == "draft"
    check = call_action("satudata_metadata_check", sysadmin_context, id=dataset["id"])
    assert "license_id" not in {p["field"] for p in check["problems"]}  # default licence chosen
    assert "alamat_instansi" in {p["field"] for p in check["problems"]}
