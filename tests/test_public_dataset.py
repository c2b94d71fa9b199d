"""The dataset page for visitors: "Cara mengutip" (how to cite, with a copy button) and,
for `terbatas` data the visitor may not use, a plain statement instead of download
buttons that end in 403/404. Wording is asserted on the English pages under /en/.
"""
from __future__ import annotations

import datetime as dt
import re

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.satudata import verification
from ckanext.satudata.tests import factories
from ckanext.verifikasi.tests.world import make_world

FILE = "http://data.contoh.go.id/posyandu.csv"


def _environ(world, who):
    return {"REMOTE_USER": world.users[who]["name"]} if who else {}


@pytest.fixture
def restricted():
    """A published terbatas dataset with two linked files, a grant for `grantee`."""
    world = make_world()
    dataset = world.dataset(klasifikasi="terbatas", title="Data Balita Gizi Buruk")
    resources = [call_action("resource_create", world.context("operator"),
                             package_id=dataset["id"], url=FILE, format="CSV",
                             name=f"Tabel {i}") for i in range(2)]
    world.publish(dataset["id"])
    call_action("verifikasi_access_grant", world.context("walidata"), id=dataset["id"],
                user=world.users["grantee"]["name"],
                expires=(dt.date.today() + dt.timedelta(days=30)).isoformat(),
                reason="Penelitian")
    return world, call_action("package_show", id=dataset["id"]), resources


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_page_says_how_to_cite_with_a_copy_button(app):
    dataset = factories.PublishedDataset(title="Produksi Susu Sapi", tahun_kegiatan=2024)
    opd = call_action("package_show", id=dataset["id"])["organization"]["title"]
    for prefix in ("", "/en"):
        page = app.get(f"{prefix}/dataset/{dataset['name']}").body
        cite = re.search(r'<blockquote class="satudata-citation" id="satudata-citation-text">'
                         r'([^<]+)</blockquote>', page)
        assert cite, prefix
        url = tk.config["ckan.site_url"]
        assert cite.group(1) == (f"Sumber: Portal Satu Data Kabupaten Pasuruan, {opd}, "
                                 f"Produksi Susu Sapi, 2024, {url}/dataset/{dataset['name']}")
        assert 'data-module="satudata-copy"' in page
        assert 'data-module-target="#satudata-citation-text"' in page
        script = re.search(r'src="([^"]*citation[^"]*\.js)"', page)
        assert script, "the copy module is served by webassets"
        js = app.get(script.group(1))
        assert js.status_code == 200 and "satudata-copy" in js.body
    page = app.get(f"/en/dataset/{dataset['name']}").body
    assert "How to cite" in page and "Copy citation" in page
    assert "cdn." not in page and "unpkg" not in page


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_restricted_data_is_said_plainly_instead_of_failing_downloads(app, restricted):
    world, dataset, resources = restricted
    opd = world.opd
    for who in (None, "stranger", "other_operator"):
        page = app.get(f"/en/dataset/{dataset['name']}", extra_environ=_environ(world, who)).body
        assert f'data-restricted="{dataset["name"]}"' in page, who
        assert "The data of this dataset are restricted." in page
        assert f'href="/en/organization/{opd["name"]}">{opd["title"]}</a>' in page
        # The request form of the Permohonan Data, for this dataset (issue 14).
        assert (f'href="/en/permohonan-data?dataset={dataset["name"]}&amp;jenis=akses"'
                in page[page.index("satudata-restricted"):])
        assert FILE not in page.split("application/ld+json")[0], who  # no download link
        assert "Restricted data: ask for access" in page
        assert "How to cite" in page  # the metadata stays citable
        for resource in resources:
            read = app.get(f"/en/dataset/{dataset['name']}/resource/{resource['id']}",
                           extra_environ=_environ(world, who)).body
            assert f'data-restricted="{dataset["name"]}"' in read
            assert f'href="{FILE}"' not in read and "Download" not in read
            assert "Data API" not in read
    # Those who may use the data keep their buttons.
    for who in ("grantee", "operator", "verifikator", "walidata", "sysadmin"):
        page = app.get(f"/en/dataset/{dataset['name']}", extra_environ=_environ(world, who)).body
        assert 'data-restricted="' not in page, who
        assert f'href="{FILE}"' in page, who
        read = app.get(f"/en/dataset/{dataset['name']}/resource/{resources[0]['id']}",
                       extra_environ=_environ(world, who)).body
        assert f'href="{FILE}"' in read, who


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_open_data_keeps_its_download_buttons(app):
    dataset = factories.PublishedDataset(title="Data Terbuka", resources=[
        {"url": FILE, "format": "CSV", "name": "Tabel"}])
    page = app.get(f"/en/dataset/{dataset['name']}").body
    assert 'data-restricted="' not in page and f'href="{FILE}"' in page
    resource = call_action("package_show", id=dataset["id"])["resources"][0]
    read = app.get(f"/en/dataset/{dataset['name']}/resource/{resource['id']}").body
    assert f'href="{FILE}"' in read


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_unpublished_and_rahasia_pages_stay_hidden(app):
    world = make_world()
    draft = world.dataset(title="Draf")
    secret = world.dataset(klasifikasi="rahasia", title="Rahasia")
    world.publish(secret["id"])
    for dataset in (draft, secret):
        for who in (None, "stranger", "other_operator"):
            response = app.get(f"/en/dataset/{dataset['name']}",
                               extra_environ=_environ(world, who), expect_errors=True)
            assert response.status_code in (403, 404), who
            assert dataset["title"] not in response.body


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_access_is_decided_once_per_page_not_per_resource(app, monkeypatch):
    world = make_world()
    dataset = world.dataset(klasifikasi="terbatas", title="Data Terbatas")
    for i in range(5):
        call_action("resource_create", world.context("operator"), package_id=dataset["id"],
                    url=FILE, format="CSV", name=f"Tabel {i}")
    world.publish(dataset["id"])
    asked = []
    real = verification.can_use_data

    def counting(user_name, package_id):
        asked.append(package_id)
        return real(user_name, package_id)

    monkeypatch.setattr(verification, "can_use_data", counting)
    page = app.get(f"/en/dataset/{dataset['name']}").body
    assert page.count("Restricted data: ask for access") == 5
    assert asked == [dataset["id"]]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize(("image_url", "src"), [
    ("https://pasuruankab.go.id/logo-dinkes.png", "https://pasuruankab.go.id/logo-dinkes.png"),
    ("2026-12-06-logo-dinkes.png", "/uploads/group/2026-12-06-logo-dinkes.png"),
])
def test_the_opd_card_comes_from_the_dataset_without_asking_solr(app, monkeypatch, sysadmin_context,
                                                                  image_url, src):
    """The sidebar's OPD card: its title, description and image (an address, or a file
    uploaded to the portal) as organization_show gives them, without organization_show."""
    dataset = factories.PublishedDataset(title="Produksi Susu Sapi")
    org = call_action("package_show", id=dataset["id"])["organization"]
    call_action("organization_patch", sysadmin_context, id=org["id"],
                image_url=image_url, description="Dinas yang mengurus kesehatan warga.")
    shown = call_action("organization_show", id=org["id"])
    assert shown["image_display_url"].endswith(src)

    asked: list[str] = []
    monkeypatch.setattr(tk.h, "get_organization", lambda *a, **k: asked.append("asked") or {})
    page = app.get(f"/dataset/{dataset['name']}").body
    card = page[page.index('id="organization-info"'):]
    card = card[:card.index("</section>")]
    assert f'src="{shown["image_display_url"]}"' in card
    assert shown["title"] in card and "Dinas yang mengurus kesehatan warga." in card
    assert asked == []
