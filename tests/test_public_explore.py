"""Eksplorasi Data: `/eksplorasi` and `/eksplorasi/<kategori>`.

Counts come from one anonymous search: drafts, datasets never published and
`rahasia` ones (published privately) are never counted or named, whoever looks.
Wording is asserted on the English pages under /en/ (the Indonesian catalogue
is merged separately).
"""
from __future__ import annotations

import json
import re

import pytest
from ckan.tests.helpers import call_action

from ckanext.satudata.tests import factories
from ckanext.verifikasi.tests.world import make_world
from tests.queries import queries_of

POINT = json.dumps({"type": "Point", "coordinates": [112.9, -7.6]})
SLUGS = ("data-dasar", "data-geospasial", "data-kewilayahan", "data-mikro")


def _tiles(page: str) -> dict[str, int]:
    return {kategori: int(count) for kategori, count in re.findall(
        r'data-kategori="([A-Z_]+)" data-count="(\d+)"', page)}


def _facet_links(page: str, field: str) -> dict[str, tuple[int, str]]:
    """{value: (count, href)} of one way of browsing."""
    return {value: (int(count), href.replace("&amp;", "&")) for href, value, count in re.findall(
        rf'<a href="([^"]+)" data-facet="{field}" data-value="([^"]+)" data-count="(\d+)"', page)}


def _anonymous_facets(fq: str = "") -> dict[str, dict[str, int]]:
    found = call_action("package_search", {"user": "", "ignore_auth": False},
                        q="*:*", fq=f"+dataset_type:dataset {fq}", rows=0,
                        **{"facet.field": ["kategori", "sektor_kegiatan", "organization",
                                           "tahun_kegiatan"], "facet.limit": -1})
    return {field: {i["name"]: i["count"] for i in facet["items"]}
            for field, facet in found["search_facets"].items()}


@pytest.fixture
def catalogue():
    """Published data in two categories and three OPDs, plus what the public must not see:
    a draft, a rahasia dataset taken through the whole workflow, and a published terbatas
    dataset (its metadata is public, so it counts)."""
    world = make_world()
    shown = [
        factories.PublishedDataset(title="Jumlah Penduduk Terbit", kategori="DATA_DASAR",
                                   sektor_kegiatan="DEMOGRAFI_DAN_KEPENDUDUKAN"),
        factories.PublishedDataset(title="Produksi Padi Terbit", kategori="DATA_DASAR",
                                   tahun_kegiatan=2024),
        factories.PublishedDataset(title="Batas Desa Terbit", kategori="DATA_GEOSPASIAL",
                                   spatial=POINT),
    ]
    limited = world.dataset(klasifikasi="terbatas", title="Data Terbatas Terbit")
    world.publish(limited["id"])
    shown.append(limited)
    draft = world.dataset(title="Draf Belum Terbit Rahasia")
    secret = world.dataset(klasifikasi="rahasia", title="Data Rahasia Diterbitkan")
    world.publish(secret["id"])
    hidden = [draft, secret]
    return world, shown, hidden


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_explore_counts_what_the_public_sees_for_everyone(app, catalogue):
    world, shown, hidden = catalogue
    expected = _anonymous_facets()
    assert expected["kategori"] == {"DATA_DASAR": 3, "DATA_GEOSPASIAL": 1}
    for who in (None, "operator", "walidata", "sysadmin"):
        environ = {"REMOTE_USER": world.users[who]["name"]} if who else {}
        for prefix in ("", "/en"):
            page = app.get(f"{prefix}/eksplorasi", extra_environ=environ).body
            assert _tiles(page) == {"DATA_DASAR": 3, "DATA_GEOSPASIAL": 1,
                                    "DATA_KEWILAYAHAN": 0, "DATA_MIKRO": 0}, who
            assert re.search(r'data-figure="datasets">\s*4<', page)
            for field in ("sektor_kegiatan", "organization", "tahun_kegiatan"):
                links = _facet_links(page, field)
                assert {v: c for v, (c, _) in links.items()} == expected[field], (who, field)
            for dataset in hidden:
                assert dataset["title"] not in page and dataset["name"] not in page
    # The OPD of the hidden datasets counts only its published terbatas dataset.
    page = app.get("/en/eksplorasi").body
    assert _facet_links(page, "organization")[world.opd["name"]][0] == 1
    assert "Dinas Kesehatan" in page  # OPDs by title
    assert ">DEMOGRAFI_DAN_KEPENDUDUKAN<" not in page  # sectors by label, not enum
    assert _facet_links(page, "tahun_kegiatan").keys() == {"2025", "2024"}
    years = re.findall(r'data-facet="tahun_kegiatan" data-value="(\d+)"', page)
    assert years == ["2025", "2024"]  # newest first


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_explore_links_open_the_search_with_the_facet_set(app, catalogue):
    page = app.get("/en/eksplorasi").body
    for field in ("sektor_kegiatan", "organization", "tahun_kegiatan"):
        for value, (count, href) in _facet_links(page, field).items():
            assert href.startswith("/en/dataset/?") and f"{field}={value}" in href
            search = app.get(href).body
            assert re.search(rf"\b{count} datasets? found", search), href
    # Category tiles lead to the category pages.
    for slug in SLUGS:
        assert f'href="/en/eksplorasi/{slug}"' in page


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_category_page_counts_lists_and_hides(app, catalogue):
    world, shown, hidden = catalogue
    expected = _anonymous_facets('+kategori:"DATA_DASAR"')
    for who in (None, "operator"):
        environ = {"REMOTE_USER": world.users[who]["name"]} if who else {}
        for prefix in ("", "/en"):
            response = app.get(f"{prefix}/eksplorasi/data-dasar", extra_environ=environ)
            assert response.status_code == 200
            page = response.body
            assert re.search(r'data-figure="datasets">\s*3<', page)
            for field in ("sektor_kegiatan", "organization", "tahun_kegiatan"):
                links = _facet_links(page, field)
                assert {v: c for v, (c, _) in links.items()} == expected[field]
                for _count, href in links.values():
                    assert "kategori=DATA_DASAR" in href and f"{field}=" in href
            for dataset in shown:
                if dataset["title"] != "Batas Desa Terbit":
                    assert dataset["title"] in page
            assert "Batas Desa Terbit" not in page  # another category
            for dataset in hidden:
                assert dataset["title"] not in page
    empty = app.get("/en/eksplorasi/data-mikro").body
    assert re.search(r'data-figure="datasets">\s*0<', empty)
    assert "No published data yet." in empty


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_unknown_category_is_not_found(app, prefix):
    for slug in ("data-rahasia", "DATA_DASAR", "semua"):
        app.get(f"{prefix}/eksplorasi/{slug}", status=404)
    for slug in SLUGS:
        assert app.get(f"{prefix}/eksplorasi/{slug}").status_code == 200


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_menu_data_entry_opens_explore(app, prefix):
    page = app.get(prefix + "/").body
    nav = page[page.index('id="main-navigation-toggle"'):]
    nav = nav[:nav.index("</nav>")]
    assert f'href="{prefix}/eksplorasi"' in nav
    # Highlighted on the exploration page itself.
    explore = app.get(prefix + "/eksplorasi").body
    nav = explore[explore.index('id="main-navigation-toggle"'):]
    assert re.search(rf'class="active"><a href="{prefix}/eksplorasi"', nav)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_explore_queries_do_not_grow_with_the_published_datasets(app):
    def queries(path: str) -> int:
        return queries_of(app, path)

    for i in range(2):
        factories.PublishedDataset(title=f"Susu {i}")
    paths = ("/en/eksplorasi", "/en/eksplorasi/data-dasar")
    for path in paths:
        queries(path)  # warm caches (licences, schemas)
    few = [queries(path) for path in paths]
    for i in range(2, 8):
        factories.PublishedDataset(title=f"Susu {i}")
    assert [queries(path) for path in paths] == few
