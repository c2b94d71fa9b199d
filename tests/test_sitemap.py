"""The sitemap lists what the public may see, nothing else."""
from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_sitemap_lists_public_datasets_only(app):
    world = make_world()
    terbuka = world.dataset("terbuka", name="data-terbuka")
    terbatas = world.dataset("terbatas", name="data-terbatas")
    rahasia = world.dataset("rahasia", name="data-rahasia")
    world.dataset("terbuka", name="data-draf")
    for dataset in (terbuka, terbatas, rahasia):
        world.publish(dataset["id"])
    # An update in progress: the public keeps the published name.
    call_action("package_patch", world.context("operator"), id=terbuka["id"],
                name="data-terbuka-nama-baru")

    res = app.get("/sitemap.xml")
    assert res.status_code == 200 and res.content_type.startswith("application/xml")
    body = res.get_data(as_text=True)
    assert "/dataset/data-terbuka<" in body and "/dataset/data-terbatas<" in body
    for hidden in ("data-rahasia", "data-draf", "nama-baru"):
        assert hidden not in body
    assert body.count("<url>") == 4  # home, search and the two public datasets
