"""The public portal's first pages: identity, menu, Beranda, Tentang, Kontak, error pages.

Assertions on wording use the English pages under /en/ (the Indonesian
catalogue is merged separately); the Indonesian pages are checked for status,
structure and data.
"""
from __future__ import annotations

import json
import re

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories as ckan_factories
from ckan.tests.helpers import call_action

from ckanext.satudata.tests import factories
from ckanext.verifikasi.tests.world import make_world
from tests.queries import queries_of

PUBLIC_PAGES = ("/", "/tentang", "/kontak")
CATEGORIES = ("DATA_DASAR", "DATA_GEOSPASIAL", "DATA_KEWILAYAHAN", "DATA_MIKRO")


def _tiles(page: str) -> dict[str, int]:
    return {kategori: int(count) for kategori, count in re.findall(
        r'data-kategori="([A-Z_]+)" data-count="(\d+)"', page)}


def _figure(page: str, name: str) -> int:
    found = re.search(rf'data-figure="{name}">\s*(\d+)', page)
    assert found, name
    return int(found.group(1))


def _menu_links(page: str) -> list[str]:
    nav = page[page.index('id="main-navigation-toggle"'):]
    nav = nav[:nav.index("</nav>")]
    return re.findall(r'href="([^"#]+)"', nav)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_public_pages_answer_anonymous_visitors(app, prefix):
    for path in PUBLIC_PAGES:
        response = app.get(prefix + path)
        assert response.status_code == 200, path
        page = response.body
        assert "Satu Data Kabupaten Pasuruan" in page
        assert "/satudata/logo.svg" in page  # the portal's own wordmark
        for demo in ("420 x 220", "Welcome to CKAN", "Selamat datang di CKAN",
                     "ckan-logo", "Powered by", "Didukung oleh", "fonts.googleapis", "cdn."):
            assert demo not in page, (path, demo)
        assert '<meta property="og:site_name" content="Satu Data Kabupaten Pasuruan"' in page


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_pages_have_titles_and_open_graph_tags(app):
    page = app.get("/en/kontak").body
    assert "<title>Contact us - Satu Data Kabupaten Pasuruan</title>" in page
    assert '<meta property="og:title" content="Contact us - Satu Data Kabupaten Pasuruan"' in page
    assert re.search(r'<meta property="og:image" content="http[^"]+/satudata/logo.svg"', page)
    home = app.get("/en/").body
    assert "<title>Satu Data Kabupaten Pasuruan</title>" in home
    # A dataset page keeps core's own og:title, once.
    dataset = factories.PublishedDataset(title="Produksi Susu Sapi")
    read = app.get(f"/en/dataset/{dataset['name']}").body
    assert read.count('property="og:title"') == 1
    assert "Produksi Susu Sapi - Satu Data Kabupaten Pasuruan" in read


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_logo_is_served_and_replaceable(app):
    logo = app.get("/satudata/logo.svg")
    assert logo.status_code == 200
    assert "<svg" in logo.body and "Satu Data" in logo.body


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_configured_logo_replaces_the_wordmark(app, sysadmin_context):
    # As the walidata's sysadmin does on /ckan-admin/config (ckan.site_logo).
    call_action("config_option_update", sysadmin_context,
                **{"ckan.site_logo": "/uploads/admin/logo-pemkab.png"})
    page = app.get("/en/").body
    assert "/uploads/admin/logo-pemkab.png" in page
    assert "/satudata/logo.svg" not in page


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_home_category_counts_match_anonymous_search_and_hide_unpublished_and_rahasia(app):
    world = make_world()
    shown = [factories.PublishedDataset(title=f"Data dasar terbit {i}", kategori="DATA_DASAR")
             for i in range(2)]
    shown.append(factories.PublishedDataset(
        title="Peta terbit", kategori="DATA_GEOSPASIAL",
        spatial=json.dumps({"type": "Point", "coordinates": [112.9, -7.6]})))
    draft = world.dataset(title="Draf belum terbit", kategori="DATA_DASAR")
    secret = world.dataset(klasifikasi="rahasia", title="Data rahasia terbit")
    world.publish(secret["id"])
    assert call_action("package_show", id=secret["id"])["private"] is True

    page = app.get("/en/").body

    search = call_action("package_search", {"user": "", "ignore_auth": False},
                         q="*:*", fq="+dataset_type:dataset", rows=0,
                         **{"facet.field": ["kategori"]})
    expected = {kategori: 0 for kategori in CATEGORIES}
    expected.update({item["name"]: item["count"]
                     for item in search["search_facets"]["kategori"]["items"]})
    assert _tiles(page) == expected == {
        "DATA_DASAR": 2, "DATA_GEOSPASIAL": 1, "DATA_KEWILAYAHAN": 0, "DATA_MIKRO": 0}
    assert _figure(page, "datasets") == 3
    assert _figure(page, "opds") == 3  # each factory dataset has its own OPD; world's has none
    for dataset in shown:
        assert dataset["title"] in page  # newest published data
    for hidden in (draft, secret):
        assert hidden["title"] not in page
    # The same for a logged-in member of the OPD that holds the hidden datasets.
    member = app.get("/en/", extra_environ={"REMOTE_USER": world.users["operator"]["name"]}).body
    assert _tiles(member) == expected
    assert secret["title"] not in member and draft["title"] not in member
    # Tiles lead into the search with the category set.
    assert 'href="/en/dataset/?kategori=DATA_DASAR"' in page


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_home_queries_do_not_grow_with_the_published_datasets(app):
    def queries() -> int:
        return queries_of(app, "/en/")

    for i in range(2):
        factories.PublishedDataset(title=f"Susu {i}", resources=[{"url": f"http://x/{i}.csv"}])
    queries()  # warm caches (licences, schemas)
    few = queries()
    for i in range(2, 8):
        factories.PublishedDataset(title=f"Susu {i}", resources=[{"url": f"http://x/{i}.csv"}])
    many = queries()
    assert many == few


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_contact_page_shows_the_walidata_details(app):
    page = app.get("/en/kontak").body
    assert "Contact us" in page
    assert "Dinas Komunikasi dan Informatika Kabupaten Pasuruan" in page
    assert "Jl. Raya Raci Km 9 Bangil" in page
    assert 'href="tel:+62343429064"' in page and "(0343) 429064" in page
    assert 'href="mailto:diskominfo@pasuruankab.go.id"' in page
    assert "429496" not in page  # the old default matched no letterhead


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.ckan_config("ckanext.satudata.contact_phone", "(0343) 111222")
@pytest.mark.ckan_config("ckanext.satudata.contact_address", "Jl. Contoh 1, Bangil")
def test_contact_details_come_from_configuration(app):
    page = app.get("/en/kontak").body
    assert "(0343) 111222" in page and 'href="tel:+62343111222"' in page
    assert "Jl. Contoh 1, Bangil" in page
    footer = app.get("/en/").body
    assert "(0343) 111222" in footer[footer.index("<footer"):]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_about_page_gives_purpose_and_citation(app):
    page = app.get("/en/tentang").body
    assert "About Satu Data" in page
    assert "Sumber: Portal Satu Data Kabupaten Pasuruan" in page
    core_about = app.get("/en/about", follow_redirects=False)
    assert core_about.status_code in (301, 302)
    assert core_about.headers["Location"].endswith("/en/tentang")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_home_still_answers_rdf_clients_with_the_catalog(app):
    # ckanext-dcat's content negotiation at / (the page replaces core's home page).
    factories.PublishedDataset(title="Produksi Susu Sapi")
    turtle = app.get("/", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert "Produksi Susu Sapi" in turtle.body
    assert "<html" in app.get("/", headers={"Accept": "text/html"}).body
    # dcat's view of / also serves /catalog.<format>: it keeps it there.
    catalog = app.get("/catalog.ttl")
    assert catalog.status_code == 200 and "Produksi Susu Sapi" in catalog.body


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_menu_has_no_link_that_fails(app, prefix):
    page = app.get(prefix + "/").body
    links = _menu_links(page)
    assert f"{prefix}/kontak" in links and f"{prefix}/tentang" not in links  # in the footer
    assert f"{prefix}/data-terbaru" in links
    assert f"{prefix}/eksplorasi" in links  # Data (Eksplorasi)
    assert f"{prefix}/user/login" in links  # Masuk Aplikasi
    assert f"{prefix}/group/" not in links and f"{prefix}/about" not in links
    footer = page[page.index("<footer"):]
    assert f"{prefix}/tentang" in footer
    for link in links + re.findall(r'href="(/[^"#]*)"', footer):
        assert app.get(link).status_code == 200, link


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_login_button_for_visitors_user_menu_for_members(app):
    anonymous = app.get("/en/").body
    assert "Sign in to the portal" in anonymous
    user = ckan_factories.User(fullname="Operator Dinkes")
    member = app.get("/en/", extra_environ={"REMOTE_USER": user["name"]}).body
    assert "Sign in to the portal" not in member
    assert "Operator Dinkes" in member and "/user/_logout" in member


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_not_found_page_has_the_portal_look_and_a_way_back(app, prefix):
    response = app.get(prefix + "/halaman-yang-tidak-ada", status=404)
    page = response.body
    assert "/satudata/logo.svg" in page
    assert re.search(rf'href="{prefix}/"[^>]*class="btn', page)
    assert f'action="{prefix}/dataset/"' in page
    if prefix:
        assert "Page not found" in page


@pytest.mark.usefixtures("with_plugins")
def test_server_error_page_is_the_portals(app):
    # Rendered as CKAN's error handler does, in a request under /en/.
    environ = {"CKAN_LANG": "en", "CKAN_CURRENT_URL": "/"}
    with app.flask_app.test_request_context("/en/", environ_overrides=environ):
        page = tk.render("error_document_template.html",
                         {"code": [500], "content": "Internal server error"})
    assert "/satudata/logo.svg" in page
    assert "Something went wrong" in page  # English msgid; Indonesian after the merge
    assert "Internal server error" not in page


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_the_walidatas_site_texts_replace_the_default_intro_and_about(app):
    """The walidata edits the intro and the about text without a sysadmin
    (verifikasi_site_text_update); the home page and /tentang show them, as Markdown,
    and keep the defaults until then."""
    world = make_world()
    default_home = app.get("/").body
    assert "Profil data sektoral" not in default_home
    call_action("verifikasi_site_text_update", world.context("walidata"), **{
        "ckan.site_intro_text": "**Profil data sektoral** Kabupaten Pasuruan.",
        "ckan.site_about": "Dikelola oleh *Diskominfo* sebagai Walidata."})
    home = app.get("/").body
    assert "<strong>Profil data sektoral</strong>" in home
    about = app.get("/tentang").body
    assert "<em>Diskominfo</em>" in about
    assert "satudata-citation" in about  # the citation guide stays
