"""The public release calendar (issue 12): /jadwal-rilis and /jadwal-rilis.ics show the
Daftar Data's periods, with titles only of data the public may see (published, not
rahasia); the rest is counted without its title. The feed parses back with icalendar."""
from __future__ import annotations

import uuid

import icalendar
import pytest
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

YEAR = 2025


def _marker(word: str) -> str:
    return f"{word} zq{uuid.uuid4().hex[:10]}x"


def _entry(world, title, org="opd", package_id=None, **kw):
    return call_action(
        "satudata_daftar_data_create", world.context("walidata"), year=YEAR,
        organization=getattr(world, org)["id"], title=title, kategori="DATA_DASAR",
        sektor=kw.pop("sektor", "KESEHATAN"), frequency="tahunan", package_id=package_id,
        periods=[{"period": "Y", "planned": kw.pop("planned", f"{YEAR}-06-30")}], **kw)


@pytest.fixture
def site(app):
    with app.flask_app.test_request_context():
        world = make_world()
        public = world.dataset(title="Posyandu terbuka")
        world.publish(public["id"])
        secret = world.dataset("rahasia", title="Posyandu rahasia")
        world.publish(secret["id"])
        draft = world.dataset(title="Posyandu draf")
        other = call_action("package_create", world.context("other_operator"),
                            **{**_fields(world, "Sekolah"), "owner_org": world.other_opd["id"]})
        call_action("verifikasi_submit", world.context("other_operator"), id=other["id"])
        call_action("verifikasi_approve", world.context("other_verifikator"), id=other["id"])
        call_action("verifikasi_approve", world.context("walidata"), id=other["id"])
        titles = {k: _marker(k) for k in ("public", "secret", "draft", "none", "other")}
        _entry(world, titles["public"], package_id=public["id"], prioritas=True)
        _entry(world, titles["secret"], package_id=secret["id"], planned=f"{YEAR}-06-10")
        _entry(world, titles["draft"], package_id=draft["id"], planned=f"{YEAR}-06-20")
        _entry(world, titles["none"], planned=f"{YEAR}-07-01")
        _entry(world, titles["other"], org="other_opd", package_id=other["id"],
               sektor="PENDIDIKAN_DAN_PELATIHAN", planned=f"{YEAR}-09-30")
    return world, titles, public, other


def _fields(world, title):
    from ckanext.satudata.ms_keg_sample import complete_ms_keg

    return {"name": f"data-{uuid.uuid4().hex[:10]}", "title": title, "kategori": "DATA_DASAR",
            "klasifikasi_akses": "terbuka", "license_id": "cc-by",
            **complete_ms_keg(title, YEAR, world.other_opd["title"])}


HIDDEN = ("secret", "draft", "none")


def test_page_shows_public_titles_and_counts_the_rest(app, site):
    world, titles, public, other = site
    body = app.get(f"/jadwal-rilis?tahun={YEAR}&tampilan=daftar").body
    assert titles["public"] in body and titles["other"] in body
    assert f'/dataset/{public["name"]}' in body
    for key in HIDDEN:
        assert titles[key] not in body
    # June: the public entry plus the rahasia and draft ones counted; July: one counted.
    assert 'data-hidden="2"' in body and 'data-hidden="1"' in body
    # The month view shows one month's releases, the months' counts all the same.
    june = app.get(f"/jadwal-rilis?tahun={YEAR}&bulan={YEAR}-06").body
    assert titles["public"] in june and titles["other"] not in june
    assert 'data-hidden="2"' in june and 'data-hidden="1"' in june
    september = app.get(f"/jadwal-rilis?tahun={YEAR}&bulan={YEAR}-09").body
    assert titles["other"] in september and titles["public"] not in september
    assert "Posyandu rahasia" not in body and "Posyandu draf" not in body
    # Published before the entry linked it: no publication covered the period, so it is
    # late (an actual date comes only from a publication, never from the link).
    assert 'data-status="terlambat"' in body
    # The menu's "Jadwal Rilis" entry exists now.
    assert 'href="/jadwal-rilis"' in app.get("/tentang").body


def test_page_filters(app, site):
    world, titles, _, _ = site
    body = app.get(f"/jadwal-rilis?tahun={YEAR}&tampilan=daftar"
                   f"&organization={world.other_opd['name']}").body
    assert titles["other"] in body and titles["public"] not in body
    assert "data-hidden" not in body
    body = app.get(f"/jadwal-rilis?tahun={YEAR}&tampilan=daftar&sektor=KESEHATAN"
                   "&prioritas=ya").body
    assert titles["public"] in body and titles["other"] not in body
    body = app.get(f"/jadwal-rilis?tahun={YEAR}&kategori=DATA_MIKRO").body
    assert titles["public"] not in body and "data-hidden" not in body
    assert app.get("/jadwal-rilis?tahun=abc").status_code == 200


def _events(body: bytes):
    calendar = icalendar.Calendar.from_ical(body)
    return [c for c in calendar.walk("VEVENT")]


def test_ics_feed_parses_and_hides_what_is_not_public(app, site):
    world, titles, public, other = site
    response = app.get("/jadwal-rilis.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    raw = response.get_data()
    for key in HIDDEN:
        assert titles[key].encode() not in raw
    events = _events(raw)
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert len(events) == 2
    assert any(titles["public"] in s for s in summaries)
    assert any(titles["other"] in s for s in summaries)
    event = next(e for e in events if titles["public"] in str(e["SUMMARY"]))
    assert event["DTSTART"].dt.isoformat() == f"{YEAR}-06-30"
    assert str(event["URL"]).endswith(f"/dataset/{public['name']}")
    assert str(event["UID"]).startswith("jadwal-rilis-")
    assert all("DTSTAMP" in e for e in events)
    one = _events(app.get(f"/jadwal-rilis.ics?organization={world.other_opd['name']}")
                  .get_data())
    assert [titles["other"] in str(e["SUMMARY"]) for e in one] == [True]


def test_pages_of_the_year_and_no_title_after_a_withdrawal(app, site, monkeypatch):
    from ckanext.satudata.daftar import calendar

    world, titles, public, other = site
    monkeypatch.setattr(calendar, "PAGE_SIZE", 1)
    first = app.get(f"/jadwal-rilis?tahun={YEAR}&tampilan=daftar").body
    second = app.get(f"/jadwal-rilis?tahun={YEAR}&tampilan=daftar&page=2").body
    assert titles["public"] in first and titles["other"] not in first
    assert titles["other"] in second and titles["public"] not in second
    assert "page=2" in first
    # Both the page and the feed are built from kept figures; a withdrawal is seen at once.
    assert titles["public"].encode() in app.get("/jadwal-rilis.ics").get_data()
    call_action("verifikasi_withdraw", world.context("walidata"), id=public["id"],
                reason="Data ditarik untuk perbaikan")
    assert titles["public"] not in app.get(f"/jadwal-rilis?tahun={YEAR}&tampilan=daftar").body
    assert titles["public"].encode() not in app.get("/jadwal-rilis.ics").get_data()
    assert titles["other"].encode() in app.get("/jadwal-rilis.ics").get_data()


@pytest.mark.parametrize("released_hour", [None, 16, 17])
@pytest.mark.parametrize("days", [-1, 0, 1, 14, 15])
def test_the_status_in_sql_is_the_status_in_python(app, days, released_hour):
    import datetime as dt

    import sqlalchemy as sa
    from ckan import model

    from ckanext.satudata.daftar import periods as P

    today, planned = dt.date(2026, 6, 15), dt.date(2026, 6, 15) + dt.timedelta(days=days)
    # 16:59 UTC on the planned day is 23:59 WIB (on time); 17:00 UTC is the next day.
    released = (None if released_hour is None else
                dt.datetime.combine(planned, dt.time(released_hour, 59 if released_hour == 16
                                                     else 0)))
    for revised in (None, planned + dt.timedelta(days=1)):
        cols = [sa.literal(planned, sa.Date), sa.literal(revised, sa.Date),
                sa.literal(released, sa.DateTime)]
        in_sql = model.Session.execute(sa.select(P.status_sql(*cols, today, 14))).scalar()
        assert in_sql == P.status(planned, revised, released, today, 14)
