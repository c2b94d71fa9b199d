"""Search and dataset pages: Indonesian facets with labels, spatial filter and extent maps."""
from __future__ import annotations

import json

import pytest
from ckan.tests import factories as ckan_factories

from ckanext.satudata.tests import factories

BOX = {"type": "Polygon", "coordinates": [[[112.85, -7.95], [112.95, -7.95], [112.95, -7.85],
                                           [112.85, -7.85], [112.85, -7.95]]]}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_search_page_facets_are_indonesian_and_show_labels_not_codes(app):
    factories.PublishedDataset(kategori="DATA_GEOSPASIAL", sektor_kegiatan="KESEHATAN",
                               tahun_kegiatan=2025, spatial=json.dumps(BOX))
    page = app.get("/dataset/").body
    for title in ("Produsen Data (OPD)", "Kategori", "Sektor", "Tahun", "Klasifikasi Akses"):
        assert title in page, title
    assert "Data Geospasial" in page
    assert ">DATA_GEOSPASIAL<" not in page
    assert 'id="dataset-map"' in page  # draw-a-box location filter


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_facet_filter_by_category_and_year(app):
    wanted = factories.PublishedDataset(title="Peta Rawan Bencana", kategori="DATA_GEOSPASIAL",
                                        tahun_kegiatan=2024, spatial=json.dumps(BOX))
    factories.PublishedDataset(title="Peta Irigasi", kategori="DATA_GEOSPASIAL",
                               tahun_kegiatan=2025, spatial=json.dumps(BOX))
    page = app.get("/dataset/?kategori=DATA_GEOSPASIAL&tahun_kegiatan=2024").body
    assert wanted["title"] in page
    assert "Peta Irigasi" not in page


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_geospatial_dataset_page_and_form_show_the_extent_map(app):
    user = ckan_factories.Sysadmin()
    dataset = factories.PublishedDataset(kategori="DATA_GEOSPASIAL", spatial=json.dumps(BOX))
    page = app.get(f"/dataset/{dataset['name']}").body
    assert "dataset-map" in page and "112.85" in page
    form = app.get(f"/dataset/edit/{dataset['name']}",
                   extra_environ={"REMOTE_USER": user["name"]}).body
    assert "satudata-spatial-preview" in form
