"""The multi-page dataset form guides the operator: block names on the steps and as
each page's heading, a back button, any-order navigation once the dataset exists,
"*" on the fields the completeness check requires, and a sentence on pages that do
not apply.

Pages are fetched as in tests/test_dataset_form_pages.py (an app of its own, `web`).
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckanext.scheming.helpers import scheming_get_dataset_form_pages

from ckanext.satudata.form_pages import page_label
from ckanext.verifikasi.tests.world import make_world

PAGES = scheming_get_dataset_form_pages("dataset") or []


@pytest.fixture
def world(with_plugins, clean_db, clean_index, with_request_context):
    return make_world()


@pytest.fixture
def web(make_app):
    return make_app()


def page(web, user: dict[str, Any], url: str) -> BeautifulSoup:
    response = web.test_client().get(url, extra_environ={"REMOTE_USER": user["name"]},
                                     follow_redirects=True)
    assert response.status_code == 200, (url, response.status_code, response.body[:2000])
    return BeautifulSoup(response.body, "html.parser")


def steps(soup: BeautifulSoup) -> list[Any]:
    ol = soup.find("ol", class_="satudata-form-steps")
    assert ol is not None
    return ol.find_all("li")


def test_page_label_shows_the_block_name():
    assert page_label("MS-Keg: Blok I-II Penyelenggara dan Penanggung Jawab") == \
        "Blok I-II \u00b7 Penyelenggara dan Penanggung Jawab"
    assert page_label("MS-Keg: Blok VI Pengumpulan Data") == "Blok VI \u00b7 Pengumpulan Data"
    assert page_label("MS-Keg: Identitas Kegiatan") == "Identitas Kegiatan"
    assert page_label("Informasi Umum") == "Informasi Umum"


def test_steps_and_heading_show_block_names(world, web):
    dataset = world.dataset()
    labels = [page_label(p["title"]["id"]) for p in PAGES]
    assert not any(label.startswith("MS-") for label in labels)
    assert "Blok I-II \u00b7 Penyelenggara dan Penanggung Jawab" in labels
    for number in range(1, len(PAGES) + 1):
        soup = page(web, world.users["operator"], f"/dataset/edit/{dataset['name']}/{number}")
        shown = [li.get_text(" ", strip=True) for li in steps(soup)]
        assert shown[:len(PAGES)] == labels
        heading = soup.find(id="form-page-heading")
        assert heading is not None and heading.get_text(strip=True) == labels[number - 1]


def test_back_button_points_to_the_previous_page(world, web):
    dataset = world.dataset()
    for route in ("edit", "new"):
        first = page(web, world.users["operator"], f"/dataset/{route}/{dataset['name']}/1")
        assert first.find(id="form-page-back") is None
        for number in range(2, len(PAGES) + 1):
            url = f"/dataset/{route}/{dataset['name']}/{number}"
            soup = page(web, world.users["operator"], url)
            back = soup.find(id="form-page-back")
            assert back is not None, (route, number)
            assert back["href"] == f"/dataset/{route}/{dataset['name']}/{number - 1}"


def test_new_dataset_first_page_links_no_later_step(world, web):
    soup = page(web, world.users["operator"], "/dataset/new")
    assert [li.find("a") for li in steps(soup)[:len(PAGES)]] == [None] * len(PAGES)
    assert soup.find(id="form-page-back") is None


def test_after_first_save_every_step_links_to_its_page(world, web):
    """In the wizard (a draft), page 2 links to every other page, later ones included."""
    dataset = world.dataset(state="draft")
    soup = page(web, world.users["operator"], f"/dataset/new/{dataset['name']}/2")
    links = [li.find("a") for li in steps(soup)[:len(PAGES)]]
    assert links[1] is None  # the page shown
    for number, link in enumerate(links, start=1):
        if number != 2:
            assert link is not None and link["href"] == f"/dataset/new/{dataset['name']}/{number}"


def starred(soup: BeautifulSoup) -> set[str]:
    """Names of the fields whose label carries the required mark."""
    names = set()
    for mark in soup.find("form", id="dataset-edit").find_all("span", class_="control-required"):
        if mark.find_parent("p", class_="control-required-message"):
            continue  # the legend ("* required field"), not a field
        group = mark.find_parent(class_=["form-group", "control-group", "scheming-fieldset"])
        assert group is not None, mark.parent
        controls = [c["name"] for c in group.find_all(attrs={"name": True})]
        rows = [m.group(1) for c in controls if (m := re.match(r"^(\w+)-\d+-", c))]
        names.add(rows[0] if rows else controls[0].split("-")[0])
    return names


@pytest.mark.parametrize("survey", [False, True], ids=["not-survey", "survey"])
def test_star_marks_exactly_what_the_completeness_check_requires(world, web, survey):
    from ckan.tests.helpers import call_action

    from ckanext.satudata import metadata
    dataset = world.dataset()
    if survey:
        call_action("package_patch", world.context("operator"), id=dataset["id"],
                    cara_pengumpulan_data="SURVEI")
    shown = call_action("package_show", {"ignore_auth": True}, id=dataset["id"])
    required = {f["field_name"] for f in metadata.dataset_fields()
                if metadata.is_required(f, shown)}
    assert ("metode_sampling" in required) is survey
    for number, form_page in enumerate(PAGES, start=1):
        on_page = {f["field_name"] for f in form_page["fields"]
                   if f.get("form_snippet", "") is not None}
        url = f"/dataset/edit/{dataset['name']}/{number}"
        soup = page(web, world.users["operator"], url)
        # The URL and the OPD are needed by CKAN to save at all; they keep their mark.
        assert starred(soup) - {"name", "owner_org"} == on_page & required, number


def test_blok_v_says_why_it_does_not_apply(world, web):
    dataset = world.dataset()
    number = next(i for i, p in enumerate(PAGES, start=1) if "Blok V " in p["title"]["id"])
    url = f"/dataset/edit/{dataset['name']}/{number}"
    assert dataset["cara_pengumpulan_data"] != "SURVEI"
    assert page(web, world.users["operator"], url).find(id="form-page-not-applicable")
    from ckan.tests.helpers import call_action
    call_action("package_patch", world.context("operator"), id=dataset["id"],
                cara_pengumpulan_data="SURVEI")
    assert page(web, world.users["operator"], url).find(id="form-page-not-applicable") is None
    assert page(web, world.users["operator"], url.replace(f"/{number}", "/2")).find(
        id="form-page-not-applicable") is None
