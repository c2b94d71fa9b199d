"""The public pages in Chromium, on a desktop (1366 px) and a phone (390 px).

Each page of the language crawl (`test_public_language.public_site`) is opened by an
anonymous visitor: it must fit the screen without sideways scrolling, show the portal's
own menu and Indonesian text only, load nothing from another host (no CDN, no fonts,
no third-party calls), and have nothing blocked by the portal's Content-Security-Policy.
A screenshot of every page at both widths is kept in
`var/artefacts/browser/` (or `$SATUDATA_ARTEFACTS/browser/`) for people to look at.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from ckanext.verifikasi.tests.world import make_world
from tests.browser import csp_violations, on_screen, sideways_scroll
from tests.test_public_language import english_in, public_site  # noqa: F401 - a fixture

SCREENS = {"desktop": (1366, 900, False), "phone": (390, 844, True)}
ARTEFACTS = Path(os.environ.get("SATUDATA_ARTEFACTS")
                 or Path(__file__).resolve().parent.parent / "var" / "artefacts") / "browser"

#: What a page loaded from other hosts (resource timing).
_LOADED = "return performance.getEntriesByType('resource').map(e => e.name);"
#: The elements reaching past the right edge (Leaflet's panes are clipped by their map).
_WIDEST = """
const limit = document.documentElement.clientWidth;
return [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 1
               && !e.closest('.leaflet-container'))
  .slice(0, 8)
  .map(e => `${e.tagName}.${e.className}#${e.id} ${(e.textContent || '').trim().slice(0, 40)}`
            + ` ${Math.round(e.getBoundingClientRect().right)}`);
"""


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("screen", SCREENS)
def test_public_pages_fit_the_screen_in_indonesian_from_the_portal_alone(
        live_ckan, public_site, screen):  # noqa: F811 - the imported fixture
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    width = SCREENS[screen][0]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    browser = on_screen(SCREENS, screen)
    try:
        for name, path in public_site.items():
            browser.get(base_url + path)
            browser.find_element(By.CSS_SELECTOR, "header, .masthead, nav")
            found = []
            overflow = sideways_scroll(browser)
            if overflow > 1:
                found.append(f"scrolls {overflow}px sideways: "
                             f"{browser.execute_script(_WIDEST)}")
            found += [f"English: {line}" for line in english_in(browser.page_source)]
            found += [f"loaded from another host: {url}"
                      for url in browser.execute_script(_LOADED)
                      if not url.startswith((base_url, "data:", "blob:"))]
            found += [f"blocked by the CSP: {m}" for m in csp_violations(browser)]
            if found:
                problems[path] = found
            browser.save_screenshot(str(ARTEFACTS / f"{name}-{width}.png"))
    finally:
        browser.quit()
    assert not problems, problems

