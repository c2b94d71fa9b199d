"""Data Terbaru (`/data-terbaru`) and its Atom feed: newest *publication* first.

The publication date is when a dataset became public through verifikasi (its first
publication since any withdrawal); later corrections move `metadata_modified`, not
the dataset's place in this list. Nothing unpublished or `rahasia` appears.
Wording is asserted on the English pages under /en/.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from ckan.tests.helpers import call_action
from lxml import etree

from ckanext.satudata.tests import factories
from ckanext.verifikasi import shared
from ckanext.verifikasi.tests.world import make_world
from tests.queries import queries_of

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _listed(page: str) -> list[str]:
    return re.findall(r'class="satudata-latest-item" data-dataset="([^"]+)"', page)


def _feed(app, path: str = "/data-terbaru.atom") -> etree._Element:
    response = app.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    return etree.fromstring(response.body.encode("utf-8"))


def _check_atom(feed: etree._Element) -> None:
    """The RFC 4287 rules a reader relies on."""
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    assert RFC3339.match(feed.findtext(f"{ATOM}updated"))
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/data-terbaru.atom")
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    ids = set()
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "published"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        for name in ("updated", "published"):
            assert RFC3339.match(entry.findtext(f"{ATOM}{name}")), name
        assert entry.findtext(f"{ATOM}id").startswith("http")
        ids.add(entry.findtext(f"{ATOM}id"))
        link = entry.find(f"{ATOM}link")
        assert link.get("href").startswith("http") and "/dataset/" in link.get("href")
    assert len(ids) == len(feed.findall(f"{ATOM}entry"))  # ids unique


@pytest.fixture
def published():
    """a, b, c published in this order; then a sysadmin corrects a (a new publication,
    a later metadata_modified), and the OPD's update of b is published through the
    workflow. Also a published terbatas dataset (listed) and what is never listed."""
    world = make_world()
    a = factories.PublishedDataset(title="Data Pertama Terbit", tahun_kegiatan=2024,
                                   periode_triwulan="III")
    b = world.dataset(title="Data Kedua Terbit", periode_bulan="07")
    world.publish(b["id"])
    c = factories.PublishedDataset(title="Data Ketiga Terbit")
    limited = world.dataset(klasifikasi="terbatas", title="Data Terbatas Terbit")
    world.publish(limited["id"])
    call_action("package_patch", world.context("sysadmin"), id=a["id"],
                notes="Salah ketik diperbaiki")
    call_action("package_patch", world.context("operator"), id=b["id"], notes="Pembaruan")
    world.publish(b["id"])
    draft = world.dataset(title="Draf Belum Terbit")
    secret = world.dataset(klasifikasi="rahasia", title="Data Rahasia Diterbitkan")
    world.publish(secret["id"])
    return world, {"a": a, "b": b, "c": c, "limited": limited}, [draft, secret]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_ordered_by_publication_not_by_last_change(app, published):
    world, data, hidden = published
    by_modified = call_action("package_search", {"user": ""}, q="*:*",
                              sort="metadata_modified desc")["results"]
    assert [d["name"] for d in by_modified][:2] == [data["b"]["name"], data["a"]["name"]]
    expected = [data[k]["name"] for k in ("limited", "c", "b", "a")]
    for who in (None, "operator", "walidata"):
        environ = {"REMOTE_USER": world.users[who]["name"]} if who else {}
        for prefix in ("", "/en"):
            page = app.get(f"{prefix}/data-terbaru", extra_environ=environ).body
            assert _listed(page) == expected, (who, prefix)
            for dataset in hidden:
                assert dataset["title"] not in page and dataset["name"] not in page
    # Shown dates are the first publications; a correction changed only metadata_modified.
    times = shared.publication_dates([d["id"] for d in data.values()])
    a_modified = call_action("package_show", {"user": ""}, id=data["a"]["id"])
    assert dt.datetime.fromisoformat(a_modified["metadata_modified"]) > times[data["a"]["id"]]
    page = app.get("/en/data-terbaru").body
    shown = re.findall(r'data-published="([^"]+)"', page)
    assert shown == [times[data[k]["id"]].isoformat() for k in ("limited", "c", "b", "a")]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_withdrawn_and_published_again_counts_from_the_new_publication(app, published):
    world, data, _hidden = published
    call_action("verifikasi_withdraw", world.context("walidata"), id=data["b"]["id"],
                reason="Data salah")
    assert data["b"]["name"] not in _listed(app.get("/en/data-terbaru").body)
    world.publish(data["b"]["id"])
    assert _listed(app.get("/en/data-terbaru").body)[0] == data["b"]["name"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_each_dataset_shows_the_period_it_covers_and_its_opd(app, published):
    world, data, _hidden = published
    page = app.get("/en/data-terbaru").body
    item = page[page.index(f'data-dataset="{data["a"]["name"]}"'):]
    assert re.search(r"<dd data-period>Q3 2024</dd>", item[:2000])
    item = page[page.index(f'data-dataset="{data["b"]["name"]}"'):]
    assert re.search(r"<dd data-period>July 2025</dd>", item[:2000])
    assert "Dinas Kesehatan" in item[:2000]
    item = page[page.index(f'data-dataset="{data["c"]["name"]}"'):]
    assert re.search(r"<dd data-period>Year 2025</dd>", item[:2000])
    assert "Latest data" in page and 'type="application/atom+xml"' in page


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_atom_feed_is_valid_and_lists_only_public_data(app, published):
    world, data, hidden = published
    for path in ("/data-terbaru.atom", "/en/data-terbaru.atom"):
        feed = _feed(app, path)
        _check_atom(feed)
        entries = feed.findall(f"{ATOM}entry")
        titles = [e.findtext(f"{ATOM}title") for e in entries]
        assert titles == [data[k]["title"] for k in ("limited", "c", "b", "a")]
        body = etree.tostring(feed, encoding="unicode")
        for dataset in hidden:
            assert dataset["title"] not in body and dataset["id"] not in body
        times = shared.publication_dates([data["a"]["id"]])
        published_a = dt.datetime.fromisoformat(entries[-1].findtext(f"{ATOM}published"))
        assert published_a.replace(tzinfo=None) == times[data["a"]["id"]].replace(microsecond=0) \
            or published_a.replace(tzinfo=None) == times[data["a"]["id"]]
        assert entries[-1].findtext(f"{ATOM}updated") > entries[-1].findtext(f"{ATOM}published")
    assert _feed(app).get("{http://www.w3.org/XML/1998/namespace}lang") in (None, "id")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_pages_and_paging(app):
    for i in range(23):
        factories.PublishedDataset(title=f"Data nomor {i:02d}")
    first = app.get("/en/data-terbaru").body
    assert len(_listed(first)) == 20
    second = app.get("/en/data-terbaru?page=2").body
    assert len(_listed(second)) == 3
    assert not set(_listed(first)) & set(_listed(second))
    assert 'href="/en/data-terbaru?page=2"' in first
    assert app.get("/en/data-terbaru?page=x").status_code == 400  # names the argument
    empty = app.get("/en/data-terbaru?page=9").body
    assert _listed(empty) == []


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_queries_do_not_grow_with_the_listed_datasets(app):
    def queries(path: str) -> int:
        return queries_of(app, path)

    for i in range(2):
        factories.PublishedDataset(title=f"Susu {i}")
    paths = ("/en/data-terbaru", "/en/data-terbaru.atom")
    for path in paths:
        queries(path)
    few = [queries(path) for path in paths]
    for i in range(2, 8):
        factories.PublishedDataset(title=f"Susu {i}")
    assert [queries(path) for path in paths] == few
