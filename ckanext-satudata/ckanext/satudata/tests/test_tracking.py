"""satudata_tracking: core's view counts on search results, without queries per result."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action
from ckanext.tracking.model import TrackingSummary

from ckanext.satudata.tests import factories


def _summary(day: int, total: int, recent: int, url: str, package_id: str | None = None):
    model.Session.add(TrackingSummary(
        url=url, package_id=package_id, tracking_type="page" if package_id else "resource",
        count=1, running_total=total, recent_views=recent, tracking_date=dt.date(2026, 11, day),
    ))
    model.Session.commit()


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


def _queries_during(func) -> int:
    # From an empty session: whether an object is still in the identity map
    # (it is weakly referenced) must not decide the count.
    model.Session.remove()
    counter = _QueryCounter()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", counter)
    try:
        func()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", counter)
    return counter.count


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_search_results_carry_the_latest_view_counts():
    viewed = factories.PublishedDataset(
        title="Populasi ternak",
        resources=[{"url": "http://127.0.0.1/ternak.csv", "format": "CSV"}])
    unseen = factories.PublishedDataset(title="Populasi ternak unggas")
    _summary(1, total=5, recent=5, package_id=viewed["id"], url="/dataset/x?page=1")
    _summary(2, total=9, recent=4, package_id=viewed["id"], url="/dataset/x")
    _summary(2, total=3, recent=3, url="http://127.0.0.1/ternak.csv")

    results = {d["id"]: d for d in call_action("package_search", q="ternak")["results"]}

    assert results[viewed["id"]]["tracking_summary"] == {"total": 9, "recent": 4}
    assert results[viewed["id"]]["tracking_summary"] == \
        TrackingSummary.get_for_package(viewed["id"])
    assert results[viewed["id"]]["resources"][0]["tracking_summary"] == {"total": 3, "recent": 3}
    assert results[unseen["id"]]["tracking_summary"] == {"total": 0, "recent": 0}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_search_queries_do_not_grow_with_the_number_of_results():
    for i in range(12):
        factories.PublishedDataset(title=f"Produksi susu {i}",
                          resources=[{"url": f"http://127.0.0.1/{i}.csv", "format": "CSV"}])

    few = _queries_during(lambda: call_action("package_search", q="susu", rows=2))
    many = _queries_during(lambda: call_action("package_search", q="susu", rows=12))

    assert many == few


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_show_carries_the_latest_view_counts_of_the_dataset_and_each_resource():
    dataset = factories.Dataset(resources=[
        {"url": "http://127.0.0.1/a.csv", "format": "CSV"},
        {"url": "http://127.0.0.1/b.csv", "format": "CSV"},
    ])
    _summary(1, total=2, recent=2, package_id=dataset["id"], url="/dataset/y")
    _summary(3, total=7, recent=5, package_id=dataset["id"], url="/dataset/y")
    _summary(1, total=1, recent=1, url="http://127.0.0.1/a.csv")
    _summary(4, total=6, recent=4, url="http://127.0.0.1/a.csv")

    shown = call_action("package_show", id=dataset["id"])

    assert shown["tracking_summary"] == {"total": 7, "recent": 5}
    first, second = shown["resources"]
    assert first["tracking_summary"] == {"total": 6, "recent": 4}
    assert first["tracking_summary"] == TrackingSummary.get_for_resource(first["url"])
    assert second["tracking_summary"] == {"total": 0, "recent": 0}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_show_queries_do_not_grow_with_the_number_of_resources():
    one = factories.Dataset(resources=[{"url": "http://127.0.0.1/0.csv", "format": "CSV"}])
    eight = factories.Dataset(resources=[
        {"url": f"http://127.0.0.1/{i}.csv", "format": "CSV"} for i in range(8)])

    for dataset in (one, eight):  # caches filled once per process are not the point here
        call_action("package_show", id=dataset["id"])

    few = _queries_during(lambda: call_action("package_show", id=one["id"]))
    many = _queries_during(lambda: call_action("package_show", id=eight["id"]))

    assert many == few
