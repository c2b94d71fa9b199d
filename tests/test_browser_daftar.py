"""The Daftar Data in Chromium (issue 12): the walidata imports the Forum's spreadsheet
through the import page (dry run, then apply), an OPD operator sees their own OPD's
entries only, and the public release calendar shows the imported plan — all in
Indonesian. Screenshots in var/artefacts/browser/."""
from __future__ import annotations

import io

import openpyxl
import pytest
from selenium.webdriver.common.by import By

from ckanext.satudata.daftar import template as daftar_template
from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, login
from tests.test_browser_public import ARTEFACTS
from tests.test_public_language import english_in

YEAR = 2026


def _spreadsheet(path, rows: list[list[object]]) -> str:
    """The portal's own template (downloadable at /daftar-data/template.xlsx), filled in."""
    book = openpyxl.load_workbook(io.BytesIO(daftar_template.workbook()))
    sheet = book[daftar_template.SHEET]
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def _no_english(browser) -> None:
    found = english_in(browser.page_source)
    assert not found, (browser.current_url, found)


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_walidata_imports_and_each_opd_sees_its_own(live_ckan, tmp_path):
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    opd, other = world.opd["title"], world.other_opd["title"]
    bad = _spreadsheet(tmp_path / "salah.xlsx", [
        [YEAR, opd, "Jumlah Kader Posyandu", "DATA_DASAR", "KESEHATAN", "Ya", "tahunan",
         None, "31/02/2026", "BPS", None]])
    good = _spreadsheet(tmp_path / "daftar.xlsx", [
        [YEAR, opd, "Jumlah Kader Posyandu", "DATA_DASAR", "KESEHATAN", "Ya", "tahunan",
         None, "30/06/2026", "BPS", None],
        [YEAR, other, "Jumlah Sekolah Dasar", "DATA_DASAR", "PENDIDIKAN_DAN_PELATIHAN",
         "Tidak", "tahunan", None, "15/11/2026", None, None]])
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    browser = chromium(width=1366, height=900)
    try:
        login(browser, base_url, world.users["walidata"])
        for path, then in ((bad, None), (good, "apply")):
            browser.get(f"{base_url}/daftar-data/impor")
            _no_english(browser)
            year = browser.find_element(By.ID, "import-year")
            year.clear()
            year.send_keys(str(YEAR))
            browser.find_element(By.ID, "import-file").send_keys(path)
            browser.find_element(By.CSS_SELECTOR, "#daftar-import-upload button").click()
            browser.find_element(By.ID, "daftar-import-apply")  # the dry run's summary
            _no_english(browser)
            apply = browser.find_element(By.CSS_SELECTOR, "#daftar-import-apply button")
            if then is None:
                # A date that does not exist: the row is named and nothing can be written.
                assert "31/02/2026" in browser.page_source
                assert not apply.is_enabled()
                browser.save_screenshot(str(ARTEFACTS / "daftar-impor-salah-1366.png"))
            else:
                apply.click()
                browser.find_element(By.CSS_SELECTOR, "body")
        browser.get(f"{base_url}/daftar-data?tahun={YEAR}")
        page = browser.page_source
        assert "Jumlah Kader Posyandu" in page and "Jumlah Sekolah Dasar" in page
        _no_english(browser)
        browser.save_screenshot(str(ARTEFACTS / "daftar-walidata-1366.png"))

        login(browser, base_url, world.users["operator"])
        browser.get(f"{base_url}/daftar-data?tahun={YEAR}")
        page = browser.page_source
        assert "Jumlah Kader Posyandu" in page and "Jumlah Sekolah Dasar" not in page
        assert not browser.find_elements(By.CSS_SELECTOR, 'a[href$="/daftar-data/baru"]')
        _no_english(browser)

        browser.delete_all_cookies()
        browser.get(f"{base_url}/jadwal-rilis?tahun={YEAR}")
        _no_english(browser)
        # Nothing is published yet: the public calendar counts the plan without titles.
        assert "Jumlah Kader Posyandu" not in browser.page_source
    finally:
        browser.quit()
