"""The walidata in headless Chromium, on a desktop (1366 px) and a phone (390 px):
creates an access grant (dataset and person found by typing, through core's
autocomplete), extends it, and reads the audit log with names and filters.
Screenshots in var/artefacts/browser/ (or $SATUDATA_ARTEFACTS/browser/)."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from ckan import model
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from ckanext.verifikasi import localtime
from ckanext.verifikasi.model import AccessGrant
from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, login

ARTEFACTS = Path(os.environ.get("SATUDATA_ARTEFACTS")
                 or Path(__file__).resolve().parent.parent / "var" / "artefacts") / "browser"


def _choose(browser, field_id: str, typed: str, pick: str) -> None:
    """Type into a core autocomplete (select2) field and click the suggestion `pick`
    (the first suggestion is the typed text itself)."""
    # select2 draws its container once the page's scripts ran.
    container = WebDriverWait(browser, 15).until(
        lambda b: next(iter(b.find_elements(By.ID, f"s2id_{field_id}")), None))
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", container)
    container.find_element(By.CSS_SELECTOR, "a, input").click()
    search = WebDriverWait(browser, 10).until(lambda b: next(
        (e for e in b.find_elements(By.CSS_SELECTOR, ".select2-drop-active input.select2-input")
         if e.is_displayed()), None))
    search.send_keys(typed)
    results = ".select2-drop-active .select2-result-selectable"
    choice = WebDriverWait(browser, 15).until(lambda b: next(
        (e for e in b.find_elements(By.CSS_SELECTOR, results)
         if e.is_displayed() and e.text.strip() == pick), None))
    choice.click()


def _submit(browser, form) -> None:
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();",
                           button)
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(button))


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
@pytest.mark.parametrize(("width", "height", "phone"), [(1366, 900, False), (390, 844, True)])
def test_walidata_grants_access_and_reads_the_audit_log(live_ckan, width, height, phone):
    world = make_world()
    ds = world.dataset(klasifikasi="terbatas", title="Data Penderita TB per Desa")
    world.publish(ds["id"])
    grantee = world.users["grantee"]
    base_url = live_ckan(world.users["walidata"]["token"])
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    size = f"{width}"
    expires = (localtime.today() + dt.timedelta(days=30)).isoformat()
    later = (localtime.today() + dt.timedelta(days=90)).isoformat()
    browser = chromium(width=width, height=height, phone=phone)
    try:
        login(browser, base_url, world.users["walidata"])
        browser.get(f"{base_url}/verifikasi/inbox")
        # The walidata's menu links the grants page and the audit log.
        browser.find_element(By.CSS_SELECTOR, 'a[href="/verifikasi/akses"]')
        browser.find_element(By.CSS_SELECTOR, 'a[href="/verifikasi/audit"]')
        browser.get(f"{base_url}/verifikasi/akses")
        form = browser.find_element(By.CSS_SELECTOR, "#verifikasi-grant-create form")
        _choose(browser, "field-grant-dataset", "Penderita TB", ds["title"])
        # Found by e-mail; the suggestion shows the full name.
        _choose(browser, "field-grant-user", "peneliti@contoh", grantee["fullname"])
        browser.execute_script("arguments[0].value = arguments[1]",
                               browser.find_element(By.ID, "field-grant-expires"), expires)
        browser.find_element(By.ID, "field-grant-reason").send_keys("Permohonan 7/2026")
        browser.save_screenshot(str(ARTEFACTS / f"walidata-akses-form-{size}.png"))
        _submit(browser, form)
        assert "alert-danger" not in browser.page_source, browser.page_source[:3000]
        model.Session.expire_all()
        grants = model.Session.scalars(sa.select(AccessGrant)).all()
        assert len(grants) == 1, browser.find_element(By.ID, "verifikasi-grant-create").text
        grant = grants[0]
        assert (grant.package_id, grant.user_id, grant.expires.isoformat()) == \
            (ds["id"], grantee["id"], expires)
        line = browser.find_element(By.ID, f"grant-{grant.id}")
        assert "Data Penderita TB per Desa" in line.text
        assert localtime.format_date(expires) in line.text
        assert re.search(r"\d{1,2} \w+ \d{4}, \d{2}\.\d{2} WIB", line.text), line.text
        browser.save_screenshot(str(ARTEFACTS / f"walidata-akses-{size}.png"))

        # Extend it.
        extend = line.find_element(By.CSS_SELECTOR, "form.verifikasi-grant-extend")
        browser.execute_script("arguments[0].value = arguments[1]",
                               extend.find_element(By.NAME, "expires"), later)
        _submit(browser, extend)
        model.Session.expire_all()
        assert model.Session.get(AccessGrant, grant.id).expires.isoformat() == later

        # The audit log: names, not ids; the dataset linked; filtered by the grantee.
        browser.get(f"{base_url}/verifikasi/audit")
        table = browser.find_element(By.ID, "verifikasi-audit")
        assert world.users["walidata"]["id"] not in table.text and grantee["id"] not in table.text
        actions = [e.get_attribute("data-action")
                   for e in table.find_elements(By.CSS_SELECTOR, "td.audit-action")]
        assert actions[:2] == ["access_extend", "access_grant"], actions
        assert table.find_elements(By.CSS_SELECTOR, f'a[href="/dataset/{ds["name"]}"]')
        assert "→" in table.text and "Permohonan 7/2026" in table.text
        browser.save_screenshot(str(ARTEFACTS / f"walidata-audit-{size}.png"))
        filters = browser.find_element(By.ID, "verifikasi-audit-filter")
        _choose(browser, "filter-audit-user", grantee["name"], grantee["fullname"])
        browser.execute_script("arguments[0].value = arguments[1]",
                               filters.find_element(By.ID, "filter-audit-since"),
                               localtime.today().isoformat())
        _submit(browser, filters)
        actions = [e.get_attribute("data-action") for e in
                   browser.find_elements(By.CSS_SELECTOR, "#verifikasi-audit td.audit-action")]
        assert set(actions) == {"access_grant", "access_extend"}, actions
        browser.save_screenshot(str(ARTEFACTS / f"walidata-audit-filtered-{size}.png"))
        if phone:  # nothing wider than the phone's screen
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, overflow
    finally:
        browser.quit()
