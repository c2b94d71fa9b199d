"""The sitemap lists what the public may see, nothing else, in cached parts."""
from __future__ import annotations

import re

import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _locs(body: str) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", body)


def _part_paths(app) -> list[str]:
    index = app.get("/sitemap.xml")
    assert index.status_code == 200 and index.content_type.startswith("application/xml")
    body = index.get_data(as_text=True)
    assert "<sitemapindex" in body
    return [re.sub(r"^https?://[^/]+", "", loc) for loc in _locs(body)]


def _datasets_listed(app) -> list[str]:
    urls = []
    for path in _part_paths(app)[1:]:
        part = app.get(path)
        assert part.status_code == 200 and "<urlset" in part.get_data(as_text=True)
        urls += _locs(part.get_data(as_text=True))
    return urls


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

    paths = _part_paths(app)
    assert paths == ["/sitemap-pages.xml", "/sitemap-1.xml"]
    pages = app.get("/sitemap-pages.xml").get_data(as_text=True)
    assert any(loc.endswith("/kontak") for loc in _locs(pages))
    listed = _datasets_listed(app)
    assert [url.rsplit("/", 1)[1] for url in listed] == ["data-terbatas", "data-terbuka"]
    for hidden in ("data-rahasia", "data-draf", "nama-baru"):
        assert not any(hidden in url for url in listed)
    assert app.get("/sitemap-2.xml", status=404).status_code == 404


@pytest.mark.ckan_config("ckanext.satudata.sitemap.part_size", 2)
def test_parts_are_kept_until_the_public_catalogue_changes(app):
    world = make_world()
    names = ["data-a", "data-b", "data-c"]
    for name in names:
        world.publish(world.dataset("terbuka", name=name)["id"])
    conn = connect_to_redis()
    for key in conn.scan_iter("*:satudata:sitemap:*"):
        conn.delete(key)

    assert _part_paths(app) == ["/sitemap-pages.xml", "/sitemap-1.xml", "/sitemap-2.xml"]
    assert [u.rsplit("/", 1)[1] for u in _datasets_listed(app)] == names
    kept = sorted(conn.scan_iter("*:satudata:sitemap:*"))
    assert len(kept) == 2  # one per part
    _datasets_listed(app)
    assert sorted(conn.scan_iter("*:satudata:sitemap:*")) == kept  # served from Redis

    # A new publication: a new version of the catalogue, the parts built again.
    world.publish(world.dataset("terbuka", name="data-d")["id"])
    assert [u.rsplit("/", 1)[1] for u in _datasets_listed(app)] == names + ["data-d"]
    # A withdrawal too.
    call_action("verifikasi_withdraw", world.context("walidata"),
                id=_dataset_id(world, "data-a"), reason="Ditarik untuk perbaikan")
    assert "data-a" not in [u.rsplit("/", 1)[1] for u in _datasets_listed(app)]


def _dataset_id(world, name: str) -> str:
    return call_action("package_show", world.context("walidata"), id=name)["id"]
