"""Dates and times, one way, in WIB (issue 16): a date-time typed in a form is local time
(Asia/Jakarta) and is stored in UTC; pages show "5 Desember 2026" and
"5 Desember 2026, 10.36 WIB"; period pickers default to the latest period that has ended."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.satudata import localtime
from ckanext.satudata.inputdata import views as input_views
from ckanext.satudata.laporan import periods
from ckanext.satudata.logic.input_action.survey import _datetime
from ckanext.satudata.model import SurveyLink
from ckanext.satudata.public_latest import published_text
from ckanext.verifikasi.tests.world import make_world

UTC = dt.timezone.utc


# --- parsing what a form or the API sends ----------------------------------------------

@pytest.mark.parametrize("given,stored", [
    # the web form's datetime-local: WIB
    ("2026-12-20T23:59", dt.datetime(2026, 12, 20, 16, 59)),
    ("2026-12-20T23:59:30", dt.datetime(2026, 12, 20, 16, 59, 30)),
    # day boundary: 00:30 WIB is the previous day in UTC
    ("2026-12-21T00:30", dt.datetime(2026, 12, 20, 17, 30)),
    # a date alone means the end of that WIB day
    ("2026-12-20", dt.datetime(2026, 12, 20, 16, 59)),
    ("20/12/2026", dt.datetime(2026, 12, 20, 16, 59)),
    # the API with an offset keeps its meaning
    ("2026-12-20T23:59:00+07:00", dt.datetime(2026, 12, 20, 16, 59)),
    ("2026-12-20T16:59:00Z", dt.datetime(2026, 12, 20, 16, 59)),
    ("2026-12-20T18:59:00+09:00", dt.datetime(2026, 12, 20, 9, 59)),
    (dt.datetime(2026, 12, 20, 23, 59), dt.datetime(2026, 12, 20, 16, 59)),
    (dt.datetime(2026, 12, 20, 16, 59, tzinfo=UTC), dt.datetime(2026, 12, 20, 16, 59)),
])
def test_a_form_time_is_wib_and_is_stored_in_utc(given, stored):
    assert _datetime(given, "expires") == stored


@pytest.mark.parametrize("given", ["besok", "2026-13-01T10:00", "31/02/2026"])
def test_a_time_that_is_not_one_is_a_validation_error(given):
    import ckan.plugins.toolkit as tk
    with pytest.raises(tk.ValidationError) as err:
        _datetime(given, "expires")
    assert "expires" in err.value.error_dict


# --- the one format -------------------------------------------------------------------

def test_the_one_format_outside_a_request():
    assert localtime.format_date(dt.date(2026, 12, 5)) == "5 Desember 2026"
    assert localtime.format_date("2026-12-05") == "5 Desember 2026"
    # a stored UTC time shows its WIB date: 20:00 UTC on the 4th is the 5th in WIB
    assert localtime.format_date(dt.datetime(2026, 12, 4, 20, 0)) == "5 Desember 2026"
    assert localtime.format_datetime(dt.datetime(2026, 12, 5, 3, 36)) \
        == "5 Desember 2026, 10.36 WIB"
    assert localtime.format_datetime("2026-12-20T16:59:00") == "20 Desember 2026, 23.59 WIB"
    assert localtime.format_datetime("2026-12-20T23:59:00+07:00") \
        == "20 Desember 2026, 23.59 WIB"
    assert localtime.format_datetime(dt.datetime(2026, 12, 20, 17, 30)) \
        == "21 Desember 2026, 00.30 WIB"
    assert localtime.format_date(None) == localtime.format_datetime("") == ""
    assert localtime.format_date("bukan tanggal") == ""


def test_reports_and_the_latest_page_use_the_same_format():
    # laporan keeps importing its formats, now from localtime
    assert periods.date_id is localtime.date_id
    assert periods.datetime_wib is localtime.datetime_wib
    assert periods.datetime_wib(dt.datetime(2026, 12, 5, 3, 36)) == "5 Desember 2026, 10.36 WIB"
    # no "pukul": the same text as every other time of the portal
    assert published_text(dt.datetime(2026, 12, 5, 3, 36)) == "5 Desember 2026, 10.36 WIB"


def test_local_to_utc():
    assert localtime.local_to_utc(dt.datetime(2026, 1, 1, 0, 30)) \
        == dt.datetime(2025, 12, 31, 17, 30)


# --- period pickers -------------------------------------------------------------------

@pytest.mark.parametrize("frequency,today,code", [
    ("tahunan", dt.date(2026, 12, 6), "2025"),
    ("tahunan", dt.date(2026, 1, 1), "2025"),
    ("semesteran", dt.date(2026, 12, 6), "2026-S1"),
    ("semesteran", dt.date(2026, 6, 30), "2025-S2"),
    ("triwulanan", dt.date(2026, 12, 6), "2026-T3"),
    ("triwulanan", dt.date(2026, 2, 1), "2025-T4"),
    ("bulanan", dt.date(2026, 12, 6), "2026-11"),
    ("bulanan", dt.date(2026, 1, 15), "2025-12"),
])
def test_the_latest_period_that_has_ended(frequency, today, code):
    assert input_views._latest_ended(frequency, today).code() == code


# --- pages ----------------------------------------------------------------------------

@pytest.fixture
def web(make_app):
    return make_app()


def _headers(world, who):
    return {"Authorization": world.users[who]["token"]}


def _selected(body, select_id):
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', body, re.S)
    assert select, select_id
    return re.findall(r'<option value="([^"]+)" selected', select.group(1))


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestPages:

    def _package(self, world, frequency="tahunan"):
        dataset = world.dataset()
        pkg = call_action("satudata_input_package_create", world.context("operator"),
                          package_id=dataset["id"], title="Posyandu", frequency=frequency,
                          columns=[{"id": "nama", "label": "Nama Posyandu", "required": True}])
        return dataset, pkg

    # The expiry lies in 2099 so that the link is not refused as past; the WIB/UTC
    # arithmetic is the same as for 2026-12-20 above.
    def test_survey_link_expiry_is_stored_in_utc_and_shown_in_wib(self, web):
        world = make_world()
        dataset, pkg = self._package(world)
        base = f"/dataset/{dataset['name']}/input/{pkg['id']}"
        res = web.post(f"{base}/links", headers=_headers(world, "operator"),
                       data={"title": "Pendataan", "period": "2025",
                             "expires": "2099-12-20T23:59", "columns": ["nama"]},
                       follow_redirects=False)
        assert res.status_code == 302, res.body[:2000]
        link = model.Session.query(SurveyLink).filter_by(input_id=pkg["id"]).one()
        assert link.expires == dt.datetime(2099, 12, 20, 16, 59)
        body = web.get(base, headers=_headers(world, "operator")).body
        table = body[body.index('id="satudata-links"'):]
        assert "20 Desember 2099, 23.59 WIB" in table
        assert "21 Desember 2099" not in table
        # the API answers in UTC, the stored value
        shown = call_action("satudata_survey_link_list", world.context("operator"),
                            id=pkg["id"])
        assert shown[0]["expires"] == "2099-12-20T16:59:00"

    def test_survey_link_at_the_day_boundary(self, web):
        world = make_world()
        _dataset, pkg = self._package(world)
        link = call_action("satudata_survey_link_create", world.context("operator"),
                           id=pkg["id"], period="2025", expires="2099-12-21T00:30")
        assert link["expires"] == "2099-12-20T17:30:00"
        assert localtime.format_datetime(link["expires"]) == "21 Desember 2099, 00.30 WIB"

    def test_survey_link_api_with_offset(self, web):
        world = make_world()
        _dataset, pkg = self._package(world)
        link = call_action("satudata_survey_link_create", world.context("operator"),
                           id=pkg["id"], period="2025", expires="2099-12-20T16:59:00Z")
        assert link["expires"] == "2099-12-20T16:59:00"

    def test_english_pages_use_english_month_names(self, web):
        world = make_world()
        dataset, pkg = self._package(world)
        call_action("satudata_survey_link_create", world.context("operator"),
                    id=pkg["id"], period="2025", expires="2099-12-20T23:59")
        body = web.get(f"/en/dataset/{dataset['name']}/input/{pkg['id']}",
                       headers=_headers(world, "operator")).body
        table = body[body.index('id="satudata-links"'):]
        assert "20 December 2099, 23.59 WIB" in table

    @pytest.mark.parametrize("frequency", ["tahunan", "triwulanan", "bulanan"])
    def test_period_pickers_default_to_the_latest_ended_period(self, web, frequency):
        world = make_world()
        dataset, pkg = self._package(world, frequency)
        body = web.get(f"/dataset/{dataset['name']}/input/{pkg['id']}",
                       headers=_headers(world, "operator")).body
        expected = input_views._latest_ended(frequency).code()
        for select_id in ("entry-period", "template-period", "upload-period", "link-period"):
            assert _selected(body, select_id) == [expected]
        if frequency == "tahunan":
            assert expected == str(localtime.today_wib().year - 1)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_request_page_shows_dates_in_the_one_format(web, smtp_server):
    world = make_world()
    own = call_action("satudata_request_create", world.context("grantee"), kind="data",
                      description="Data curah hujan")
    body = web.get(f"/permohonan-data/{own['number']}",
                   headers=_headers(world, "grantee")).body
    received = dt.date.fromisoformat(own["received"])
    assert localtime.date_id(received) in body  # "6 Desember 2026"
    # the steps carry a time: "6 Desember 2026, 07.39 WIB", never "Desember 6, 2026, 00:39"
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}\.\d{2} WIB", body)
    assert not re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}", body)
