"""KPIs of the Satu Data programme (issue 12): satudata_kpi_show against figures computed
by hand on a small Daftar Data, its validation and access, and the public page
/kinerja-sdi (charts with tables, per-OPD table, definitions, in Indonesian)."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action

from ckanext.satudata.daftar.model import DaftarPeriod
from ckanext.verifikasi.tests.world import make_world
from tests.test_public_language import english_in

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

YEAR = 2025
QUARTERS = [{"period": f"Q{n}", "planned": f"{YEAR}-{day}"}
            for n, day in ((1, "03-31"), (2, "06-30"), (3, "09-30"), (4, "12-31"))]


def _marker(word: str) -> str:
    return f"{word} zq{uuid.uuid4().hex[:10]}x"


def _entry(world, title, org="opd", package_id=None, frequency="tahunan", periods=None,
           **kw):
    return call_action(
        "satudata_daftar_data_create", world.context("walidata"), year=YEAR,
        organization=getattr(world, org)["id"], title=title, kategori="DATA_DASAR",
        sektor="KESEHATAN", frequency=frequency, package_id=package_id,
        periods=periods or [{"period": "Y", "planned": kw.pop("planned")}], **kw)


def _set(entry, period, released=None, revised=None):
    """Arrange a period's dates (a release comes from a publication in real life; here the
    dates must be the hand-computed ones, in the past)."""
    row = model.Session.query(DaftarPeriod).filter_by(entry_id=entry["id"], period=period).one()
    if released:
        row.released = dt.datetime.fromisoformat(released)
    if revised:
        row.revised, row.revised_reason = dt.date.fromisoformat(revised), "Data terlambat"
    model.Session.commit()


def _other_published(world, title):
    from ckanext.satudata.ms_keg_sample import complete_ms_keg

    other = call_action("package_create", world.context("other_operator"), **{
        "name": f"data-{uuid.uuid4().hex[:10]}", "title": title, "kategori": "DATA_DASAR",
        "klasifikasi_akses": "terbuka", "license_id": "cc-by",
        **complete_ms_keg(title, YEAR, world.other_opd["title"]),
        "owner_org": world.other_opd["id"]})
    call_action("verifikasi_submit", world.context("other_operator"), id=other["id"])
    call_action("verifikasi_approve", world.context("other_verifikator"), id=other["id"])
    call_action("verifikasi_approve", world.context("walidata"), id=other["id"])
    return other


@pytest.fixture
def site(app):
    with app.flask_app.test_request_context():
        world = make_world()
        public = world.dataset(title="Posyandu terbuka")
        world.publish(public["id"])
        secret = world.dataset("rahasia", title="Posyandu rahasia")
        world.publish(secret["id"])
        other = _other_published(world, "Sekolah terbuka")
        titles = {k: _marker(k) for k in ("e1", "e2", "e3", "e4")}
        # OPD: a quarterly priority entry (on time, on time against its revised date,
        # late, overdue), a yearly priority entry never released, a rahasia entry.
        e1 = _entry(world, titles["e1"], package_id=public["id"], prioritas=True,
                    frequency="triwulanan", periods=QUARTERS)
        _set(e1, "Q1", released=f"{YEAR}-03-30T03:00:00")
        _set(e1, "Q2", released=f"{YEAR}-07-10T03:00:00", revised=f"{YEAR}-07-15")
        _set(e1, "Q3", released=f"{YEAR}-10-05T03:00:00")
        _entry(world, titles["e2"], prioritas=True, planned=f"{YEAR}-06-30")
        e3 = _entry(world, titles["e3"], package_id=secret["id"], planned=f"{YEAR}-05-31")
        # 18:00 UTC on 30 May is 01:00 WIB on 31 May: released on its day.
        _set(e3, "Y", released=f"{YEAR}-05-30T18:00:00")
        # The other OPD: a priority entry released ten days late.
        e4 = _entry(world, titles["e4"], org="other_opd", package_id=other["id"],
                    prioritas=True, planned=f"{YEAR}-04-30")
        _set(e4, "Y", released=f"{YEAR}-05-10T03:00:00")
    return world, titles, (public, secret, other)


def _kpi(who=None, **params):
    context = {"user": ""} if who is None else who
    return call_action("satudata_kpi_show", context, year=YEAR, **params)


def test_figures_match_hand_computed_values(app, site):
    world, titles, _ = site
    with app.flask_app.test_request_context():
        kpi = _kpi()
    assert kpi["year"] == YEAR and kpi["first_year"] == 2025 and kpi["plan_year"] == 1
    o = kpi["overall"]
    # Priority periods due: E1 Q1-Q4, E2, E4 = 6; on time: Q1, Q2 (revised date) = 2.
    assert o["on_schedule"] == {"value": 33.3, "numerator": 2, "denominator": 6, "target": 50}
    # Entries with due periods: E1-E4; every due period released: E3, E4.
    assert o["fill_rate"] == {"value": 50.0, "numerator": 2, "denominator": 4}
    # Priority entries with a public dataset: E1, E4; both complete (published through
    # the workflow, which requires complete metadata).
    assert o["metadata_complete"] == {"value": 100.0, "numerator": 2, "denominator": 2}
    # Public: "Posyandu terbuka" and "Sekolah terbuka" (not the rahasia one).
    assert o["published_datasets"] == {"value": 2, "target": 50}
    # Days planned -> released: -1, +10, +5, 0 (WIB), +10.
    assert o["delay_days"] == {"mean": 4.8, "median": 5, "count": 5}
    assert o["late_releases"] == {"value": 2, "overdue": 2}

    by_name = {org["name"]: org for org in kpi["organizations"]}
    opd = by_name[world.opd["name"]]
    assert opd["on_schedule"]["value"] == 40.0 and opd["on_schedule"]["denominator"] == 5
    assert opd["fill_rate"] == {"value": 33.3, "numerator": 1, "denominator": 3}
    assert opd["metadata_complete"]["denominator"] == 1
    assert opd["published_datasets"] == {"value": 1}
    assert opd["delay_days"] == {"mean": 3.5, "median": 2.5, "count": 4}
    assert opd["late_releases"] == {"value": 1, "overdue": 2}
    other = by_name[world.other_opd["name"]]
    assert other["on_schedule"] == {"value": 0.0, "numerator": 0, "denominator": 1,
                                    "target": 50}
    assert other["fill_rate"]["value"] == 100.0
    assert other["delay_days"] == {"mean": 10.0, "median": 10, "count": 1}
    assert set(kpi["definitions"]) == {"on_schedule", "fill_rate", "metadata_complete",
                                       "published_datasets", "delay_days", "late_releases"}


def test_kept_figures_follow_a_change_of_the_daftar_data_and_of_the_catalogue(app, site):
    world, titles, (public, _, _) = site
    with app.flask_app.test_request_context():
        before = _kpi()["overall"]
        e2 = next(e for e in call_action("satudata_daftar_data_list", world.context("walidata"),
                                         year=YEAR)["results"] if e["title"] == titles["e2"])
        call_action("satudata_daftar_data_delete", world.context("walidata"), id=e2["id"])
        after = _kpi()["overall"]
        # E2 was a due priority entry never released: gone from every figure at once.
        assert after["fill_rate"]["denominator"] == before["fill_rate"]["denominator"] - 1
        assert after["late_releases"]["overdue"] == before["late_releases"]["overdue"] - 1
        call_action("verifikasi_withdraw", world.context("walidata"), id=public["id"],
                    reason="Ditarik untuk perbaikan")
        withdrawn = _kpi()["overall"]
    assert withdrawn["published_datasets"]["value"] == after["published_datasets"]["value"] - 1
    assert withdrawn["metadata_complete"]["denominator"] == 1


def test_one_opd(app, site):
    world, _, _ = site
    with app.flask_app.test_request_context():
        kpi = _kpi(organization=world.other_opd["name"])
        by_id = _kpi(organization=world.other_opd["id"])
    assert kpi["organization"]["name"] == world.other_opd["name"]
    assert kpi["overall"]["on_schedule"]["denominator"] == 1
    assert kpi["overall"]["published_datasets"] == {"value": 1}
    assert [o["name"] for o in kpi["organizations"]] == [world.other_opd["name"]]
    assert by_id["overall"] == kpi["overall"]


def test_targets_follow_the_rencana_aksi_year(app, site, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.satudata.kpi.first_year", 2022)
    with app.flask_app.test_request_context():
        kpi = _kpi()
    assert kpi["plan_year"] == 4
    assert kpi["overall"]["on_schedule"]["target"] == 95
    assert kpi["overall"]["published_datasets"]["target"] == 575
    monkeypatch.setitem(ckan_config, "ckanext.satudata.kpi.first_year", 2026)
    with app.flask_app.test_request_context():
        kpi = _kpi()
    assert kpi["plan_year"] is None and kpi["overall"]["on_schedule"]["target"] is None


def test_same_aggregates_for_every_caller_and_no_titles(app, site):
    world, titles, datasets = site
    with app.flask_app.test_request_context():
        results = [_kpi()] + [_kpi(world.context(who)) for who in (
            "sysadmin", "walidata", "operator", "verifikator", "other_operator",
            "other_verifikator", "stranger")]
    for result in results[1:]:
        assert result == results[0]
    text = json.dumps(results[0])
    for title in list(titles.values()) + [d["title"] for d in datasets] + [
            d["name"] for d in datasets]:
        assert title not in text


def test_bad_input_is_refused(app, site):
    with app.flask_app.test_request_context():
        with pytest.raises(tk.ValidationError) as err:
            call_action("satudata_kpi_show", {"user": ""}, year="abc")
        assert "year" in err.value.error_dict
        with pytest.raises(tk.ValidationError) as err:
            call_action("satudata_kpi_show", {"user": ""}, year=1990)
        assert "year" in err.value.error_dict
        with pytest.raises(tk.ValidationError) as err:
            call_action("satudata_kpi_show", {"user": ""}, year=YEAR, organization="tidak-ada")
        assert "tidak-ada" in err.value.error_dict["organization"][0]


def test_api_is_public(app, site):
    response = app.get(f"/api/3/action/satudata_kpi_show?year={YEAR}")
    assert response.status_code == 200
    assert response.json["result"]["overall"]["fill_rate"]["numerator"] == 2


def test_page_shows_figures_charts_and_definitions_in_indonesian(app, site):
    world, titles, datasets = site
    body = app.get(f"/kinerja-sdi?tahun={YEAR}").body
    assert "33,3%" in body and "50%" in body
    assert world.opd["title"] in body and world.other_opd["title"] in body
    charts = re.findall(r'<script type="application/json" id="([\w-]+)-data">', body)
    assert "kinerja-target" in charts and "kinerja-opd-on_schedule" in charts
    assert body.count('data-module="satudata-chart"') == len(charts)
    assert body.count("<table") >= len(charts) + 1
    assert 'id="definisi"' in body
    for title in list(titles.values()) + ["Posyandu rahasia"]:
        assert title not in body
    assert app.get("/kinerja-sdi?tahun=abc").status_code == 200


def test_page_has_no_english_in_the_default_locale(app, site):
    body = app.get(f"/kinerja-sdi?tahun={YEAR}").body
    assert ">Kinerja SDI" in body
    assert english_in(body) == []


def test_page_is_linked_from_every_page_footer(app, site):
    page = app.get("/").body
    assert 'href="/kinerja-sdi"' in page[page.index("<footer"):]
