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
    counter = _QueryCounter()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", counter)
    try:
        func()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", counter)
    return counter.count


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_search_results_carry_the_latest_view_counts():
    viewed = factories.Dataset(
        title="Populasi ternak",
        resources=[{"url": "http://127.0.0.1/ternak.csv", "format": "CSV"}])
    unseen = factories.Dataset(title="Populasi ternak unggas")
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
        factories.Dataset(title=f"Produksi susu {i}",
                          resources=[{"url": f"http://127.0.0.1/{i}.csv", "format": "CSV"}])

    few = _queries_during(lambda: call_action("package_search", q="susu", rows=2))
    many = _queries_during(lambda: call_action("package_search", q="susu", rows=12))

    assert many == few
