"""In Chromium: an operator's uploaded HTML, SVG and XHTML never run script as the portal.

The operator uploads the three files to a live portal; a walidata opens their download
URLs, their resource pages and a webpage view the operator added by hand. Each file would
write `pwned` into the portal origin's localStorage if its script ran there.
"""
from __future__ import annotations

import os
import time

import pytest
import requests

from ckanext.verifikasi.tests.world import make_world
from tests.browser import chromium, login
from tests.test_uploads_served import ACTIVE


def _marker(browser, base_url: str) -> str | None:
    browser.get(f"{base_url}/api/3/action/status_show")
    return browser.execute_script("return window.localStorage.getItem('pwned');")


@pytest.mark.browser
@pytest.mark.live_server
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_uploaded_pages_do_not_run_as_the_portal(live_ckan, tmp_path):
    world = make_world()
    base_url = live_ckan(world.users["walidata"]["token"])
    ds = world.dataset(title="Laporan Kegiatan Posyandu")
    operator = {"Authorization": world.users["operator"]["token"]}
    resources = []
    for filename, content in ACTIVE.items():
        res = requests.post(
            f"{base_url}/api/3/action/resource_create", headers=operator, timeout=60,
            data={"package_id": ds["id"], "name": filename,
                  "format": filename.rsplit(".", 1)[1].upper()},
            files={"upload": (filename, content.encode())})
        assert res.ok, res.text
        resources.append((filename, res.json()["result"]))
    html = dict(resources)["laporan.html"]
    view = requests.post(f"{base_url}/api/3/action/resource_view_create", headers=operator,
                         timeout=60, json={"resource_id": html["id"],
                                           "view_type": "webpage_view", "title": "Laporan"})
    assert view.ok, view.text

    downloads = tmp_path / "unduhan"
    browser = chromium(download_dir=str(downloads))
    try:
        login(browser, base_url, world.users["walidata"])
        assert _marker(browser, base_url) is None
        pages = [f"{base_url}/dataset/{ds['id']}/resource/{res['id']}/download/{name}"
                 for name, res in resources]
        pages += [f"{base_url}/dataset/{ds['id']}/resource/{res['id']}"
                  for _, res in resources]
        pages.append(f"{base_url}/dataset/{ds['id']}/resource/{html['id']}"
                     f"?view_id={view.json()['result']['id']}")
        for page in pages:
            browser.get(page)
            time.sleep(0.5)  # an iframe's script, if any, runs right after the load
            assert _marker(browser, base_url) is None, page
        # The download URLs were saved as files, not rendered.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            saved = set(os.listdir(downloads)) if downloads.exists() else set()
            if set(ACTIVE) <= saved:
                break
            time.sleep(0.2)
        assert set(ACTIVE) <= saved, saved
    finally:
        browser.quit()
