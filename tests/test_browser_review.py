"""A verifikator reviews an update of a published dataset in Chromium, with its diff
(issue 16). The screenshot is kept in var/artefacts/browser/ (or $SATUDATA_ARTEFACTS)
for the user guide."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from ckan.tests.helpers import call_action
from selenium.webdriver.common.by import By

from ckanext.verifikasi.tests.world import make_world
from tests.browser import login, on_screen, sideways_scroll
from tests.test_review_evidence import _published_with_table, _update

ARTEFACTS = Path(os.environ.get("SATUDATA_ARTEFACTS")
                 or Path(__file__).resolve().parent.parent / "var" / "artefacts") / "browser"


SCREENS = {"desktop": (1280, 1800, False), "phone": (390, 844, True)}
#: What reaches past the screen outside a scrolling frame (for the failure message).
_WIDEST = """
const limit = document.documentElement.clientWidth;
const clipped = e => {
  for (let n = e.parentElement; n; n = n.parentElement) {
    if (['auto', 'hidden', 'scroll'].includes(getComputedStyle(n).overflowX)) return true;
  }
  return false;
};
return [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 1 && !clipped(e))
  .slice(0, 6)
  .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
"""


@pytest.fixture(params=SCREENS)
def browser(request):
    driver = on_screen(SCREENS, request.param)
    yield driver
    driver.quit()


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_verifikator_reviews_an_update_with_its_diff(live_ckan, browser):
    """On a desktop and on a phone (the page fits the screen)."""
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    ds, table_id = _published_with_table(world)
    _update(world, ds, table_id)
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])

    login(browser, base_url, world.users["verifikator"])
    browser.get(f"{base_url}/verifikasi/dataset/{ds['name']}")
    diff = browser.find_element(By.ID, f"perubahan-{table_id}")
    assert (diff.get_attribute("data-added"), diff.get_attribute("data-changed"),
            diff.get_attribute("data-removed")) == ("3", "2", "1")
    changed = browser.find_element(By.CSS_SELECTOR,
                                   "#verifikasi-review-metadata-changes tr[data-field=title]")
    assert "Jumlah Posyandu 2024" in changed.text and "Jumlah Posyandu 2025" in changed.text

    # Follow the count of changed rows to the list, as a reviewer would.
    link = diff.find_element(By.CSS_SELECTOR, "a[data-kind=changed]")
    browser.get(link.get_attribute("href"))  # a phone's touch lands anywhere on the link
    rows = browser.find_elements(By.CSS_SELECTOR, ".verifikasi-diff-rows tr[data-kind=changed]")
    assert len(rows) == 2
    assert browser.find_element(By.ID, "verifikasi-approve")  # the decision is on the page
    assert sideways_scroll(browser) <= 1, browser.execute_script(_WIDEST)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script("document.getElementById('verifikasi-review').scrollIntoView();")
    suffix = "" if browser.screen == "desktop" else "-ponsel"
    browser.save_screenshot(str(ARTEFACTS / f"review-perubahan{suffix}.png"))
