"""Data input in Chromium: an operator builds an input package, fills the downloaded
template, sees the exact summary of a messy and a broken workbook, confirms; a surveyor
answers through a link in a phone-sized window; the operator accepts the answer."""
from __future__ import annotations

import time

import openpyxl
import pytest
from ckan.tests.helpers import call_action
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, login


def _submit(browser, button):
    browser.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", button)
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(button))


def _wait_for_file(folder, suffix):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded into {folder}")


def _counts(browser):
    return {el.get_attribute("data-count"): int(el.text)
            for el in browser.find_elements(By.CSS_SELECTOR, "#satudata-import-counts dd")}


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_operator_imports_and_surveyor_answers_in_the_browser(live_ckan, tmp_path):
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    dataset = world.dataset(title="Tenaga Kesehatan per Kecamatan")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser = chromium(download_dir=str(downloads))
    try:
        login(browser, base_url, world.users["operator"])
        browser.get(f"{base_url}/dataset/{dataset['name']}")
        browser.find_element(By.LINK_TEXT, "Input Data").click()
        browser.find_element(By.PARTIAL_LINK_TEXT, "Paket input baru").click()
        browser.find_element(By.ID, "field-title").send_keys("Nakes per kecamatan")
        columns = [("kode", "Kode Kecamatan", "CHARACTER", "", "", True),
                   ("jumlah", "Jumlah Nakes", "INTEGER", "orang", "", False),
                   ("jenis", "Jenis Nakes", "CHARACTER", "", "D=Dokter\nB=Bidan", False)]
        for n, (cid, label, tipe, unit, domain, key) in enumerate(columns):
            browser.find_element(By.NAME, f"col-{n}-id").send_keys(cid)
            browser.find_element(By.NAME, f"col-{n}-label").send_keys(label)
            Select(browser.find_element(By.NAME, f"col-{n}-tipe_data")).select_by_value(tipe)
            browser.find_element(By.NAME, f"col-{n}-satuan").send_keys(unit)
            browser.find_element(By.NAME, f"col-{n}-value_domain").send_keys(domain)
            if key:
                browser.find_element(By.NAME, f"col-{n}-key").click()
        _submit(browser, browser.find_element(
            By.CSS_SELECTOR, "#satudata-input-edit button[type=submit]"))
        assert "Nakes per kecamatan" in browser.find_element(By.TAG_NAME, "h1").text
        read_url = browser.current_url

        # The template, filled the messy Indonesian way, with one broken row.
        Select(browser.find_element(By.ID, "template-period")).select_by_value("2025")
        browser.find_element(By.CSS_SELECTOR, "form[action$='template.xlsx'] button").click()
        template = _wait_for_file(downloads, ".xlsx")
        book = openpyxl.load_workbook(template)
        sheet = book.worksheets[0]
        sheet.append(["0101", "1.250", "Dokter"])
        sheet.append(["0102", "-3", "B"])
        sheet.append(["0103", "dua", "P"])
        broken_row = str(sheet.max_row)
        messy = tmp_path / "isian-salah.xlsx"
        book.save(messy)

        Select(browser.find_element(By.ID, "upload-period")).select_by_value("2025")
        browser.find_element(By.ID, "upload-file").send_keys(str(messy))
        _submit(browser, browser.find_element(By.CSS_SELECTOR, "#satudata-upload button"))
        assert _counts(browser) == {"rows_read": 3, "rows_valid": 2, "rows_rejected": 1}
        errors = browser.find_elements(By.CSS_SELECTOR, "#satudata-import-errors tbody tr")
        cells = [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in errors]
        assert [(c[1], c[2], c[3]) for c in cells] == [
            (broken_row, "Jumlah Nakes (orang)", "dua"), (broken_row, "Jenis Nakes", "P")], cells

        # Fixed and uploaded again: no problems; all or nothing writes every row.
        sheet.cell(row=int(broken_row), column=2, value="2")
        sheet.cell(row=int(broken_row), column=3, value="B")
        fixed = tmp_path / "isian-benar.xlsx"
        book.save(fixed)
        browser.get(read_url)
        Select(browser.find_element(By.ID, "upload-period")).select_by_value("2025")
        browser.find_element(By.ID, "upload-file").send_keys(str(fixed))
        _submit(browser, browser.find_element(By.CSS_SELECTOR, "#satudata-upload button"))
        assert _counts(browser) == {"rows_read": 3, "rows_valid": 3, "rows_rejected": 0}
        assert browser.find_elements(By.ID, "satudata-import-ok")
        _submit(browser, browser.find_element(
            By.CSS_SELECTOR, "#satudata-import-apply button[type=submit]"))
        assert "alert-danger" not in browser.page_source
        input_pkg = call_action("satudata_input_package_list", world.context("operator"),
                                package_id=dataset["id"])[0]
        sysadmin = {"user": world.users["sysadmin"]["name"], "ignore_auth": True}
        found = call_action("datastore_search", dict(sysadmin),
                            resource_id=input_pkg["resource_id"], sort="kode")
        assert [(r["kode"], r["jumlah"], r["jenis"]) for r in found["records"]] == [
            ("0101", 1250, "D"), ("0102", -3, "B"), ("0103", 2, "B")]
        info = call_action("datastore_info", dict(sysadmin), id=input_pkg["resource_id"])
        jumlah = next(f for f in info["fields"] if f["id"] == "jumlah")
        assert (jumlah["type"], jumlah["info"]["tipe_data"], jumlah["info"]["satuan"]) == (
            "int8", "INTEGER", "orang")

        # The entry form checks a cell as it is typed.
        browser.get(f"{read_url}/rows?period=2025")
        cell = browser.find_element(By.NAME, "r-3-jumlah")
        cell.send_keys("tiga")
        WebDriverWait(browser, 10).until(
            lambda b: "is-invalid" in cell.get_attribute("class"))
        cell.clear()
        cell.send_keys("3")
        WebDriverWait(browser, 10).until(
            lambda b: "is-invalid" not in cell.get_attribute("class"))

        # A survey link, answered by the OPD's surveyor on a phone.
        browser.get(read_url)
        Select(browser.find_element(By.ID, "link-period")).select_by_value("2025")
        browser.execute_script("arguments[0].click();", browser.find_element(By.ID, "link-login"))
        _submit(browser, browser.find_element(
            By.CSS_SELECTOR, "#satudata-link-create button[type=submit]"))
        link_url = browser.find_element(By.CSS_SELECTOR, "#satudata-links input").get_attribute(
            "value")
    finally:
        browser.quit()

    phone = chromium(width=375, height=740, phone=True)
    try:
        login(phone, base_url, world.users["surveyor"])
        phone.get(link_url)
        # The form fits the phone's screen: no sideways scrolling.
        assert phone.execute_script("return window.innerWidth") == 375
        assert phone.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
        phone.find_element(By.ID, "q-kode").send_keys("0104")
        phone.find_element(By.ID, "q-jumlah").send_keys("12")
        Select(phone.find_element(By.ID, "q-jenis")).select_by_value("D")
        _submit(phone, phone.find_element(By.CSS_SELECTOR, "#satudata-survey button"))
        assert phone.find_elements(By.ID, "satudata-survey-done")
    finally:
        phone.quit()

    pending = call_action("satudata_survey_submission_list", world.context("operator"),
                          id=input_pkg["id"], state="pending")
    assert [s["values"] for s in pending] == [{"kode": "0104", "jumlah": "12", "jenis": "D"}]
