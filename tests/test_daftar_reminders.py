"""Reminders of the Daftar Data (issue 12) through `ckan satudata daftar remind`, with a
real SMTP server: the owning OPD's operators and verifikators hear of a release date N
days ahead and of a missed one (in-app and e-mail, Indonesian), walidata get a weekly
digest of late releases, each reminder is sent once, and no other OPD hears of it."""
from __future__ import annotations

import datetime as dt

import pytest
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def world(with_request_context):
    return make_world()


def _entry(world, title, planned, where="opd", prioritas=True):
    return call_action("satudata_daftar_data_create", world.context("walidata"),
                       year=planned.year, organization=getattr(world, where)["id"],
                       title=title, kategori="DATA_DASAR", sektor="KESEHATAN",
                       prioritas=prioritas, frequency="tahunan",
                       periods=[{"period": "Y", "planned": planned.isoformat()}])


def _remind(cli, day):
    result = cli.invoke(ckan, ["satudata", "daftar", "remind", "--date", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _notes(world, who):
    return call_action("verifikasi_notification_list", world.context(who))["notifications"]


@pytest.mark.ckan_config("ckanext.satudata.daftar.remind_days", "7")
@pytest.mark.ckan_config("ckan.locale_default", "id")
def test_reminders_before_missed_and_digest_once(world, cli, smtp_server):
    _entry(world, "Jumlah Posyandu", TODAY + dt.timedelta(days=5))
    _entry(world, "Jumlah Bidan", TODAY - dt.timedelta(days=3))
    _entry(world, "Jumlah Kader", TODAY + dt.timedelta(days=30))  # not yet
    _entry(world, "Jumlah Sekolah", TODAY + dt.timedelta(days=60), where="other_opd")

    output = _remind(cli, TODAY)
    assert "1 pengingat jadwal, 1 jadwal terlewat, 1 ringkasan mingguan" in output

    for who in ("operator", "verifikator"):
        mails = smtp_server.to(f"{who}@contoh.go.id")
        subjects = sorted(str(m["Subject"]) for m in mails)
        assert len(mails) == 2, subjects
        assert any("Jumlah Posyandu" in s for s in subjects)
        assert any("Jumlah Bidan" in s for s in subjects)
        body = next(m for m in mails if "Jumlah Posyandu" in str(m["Subject"])
                    ).get_content()
        assert "15 Maret 2026" in body  # Indonesian date
        assert "/daftar-data/" in body
        assert len(_notes(world, who)) == 2
    for who in ("other_operator", "other_verifikator", "surveyor"):
        assert smtp_server.to(f"{who}@contoh.go.id") == []
    [digest] = smtp_server.to("walidata@contoh.go.id")
    text = digest.get_content()
    assert "Jumlah Bidan" in text and "Jumlah Posyandu" not in text
    assert "Dinas Kesehatan" in text

    # Once: the same day, the next day, and later that week send nothing again.
    count = len(smtp_server.messages)
    for offset in (0, 1, 2):
        assert "0 pengingat jadwal, 0 jadwal terlewat, 0 ringkasan" in _remind(
            cli, TODAY + dt.timedelta(days=offset))
    assert len(smtp_server.messages) == count
    # The Posyandu date passes unreleased: one "missed" reminder; next week, a new digest.
    output = _remind(cli, TODAY + dt.timedelta(days=7))
    assert "0 pengingat jadwal, 1 jadwal terlewat, 1 ringkasan mingguan" in output
    digests = smtp_server.to("walidata@contoh.go.id")
    assert len(digests) == 2
    assert "Jumlah Posyandu" in digests[-1].get_content()


@pytest.mark.ckan_config("ckanext.satudata.daftar.remind_days", "7")
def test_a_revised_date_is_reminded_again_and_released_periods_never(world, cli,
                                                                     smtp_server):
    entry = _entry(world, "Jumlah Posyandu", TODAY + dt.timedelta(days=5))
    _remind(cli, TODAY)
    assert len(smtp_server.to("operator@contoh.go.id")) == 1
    call_action("satudata_daftar_revision_propose", world.context("walidata"),
                period_id=entry["periods"][0]["id"],
                revised=(TODAY + dt.timedelta(days=6)).isoformat(), reason="Data BPS")
    _remind(cli, TODAY)
    assert len(smtp_server.to("operator@contoh.go.id")) == 2
    # Released: neither a reminder nor a digest line.
    from ckan import model

    from ckanext.satudata.daftar.model import DaftarPeriod

    period = model.Session.get(DaftarPeriod, entry["periods"][0]["id"])
    period.released = dt.datetime(2026, 3, 12, 2, 0)
    model.Session.commit()
    _remind(cli, TODAY + dt.timedelta(days=20))
    assert len(smtp_server.to("operator@contoh.go.id")) == 2
    assert smtp_server.to("walidata@contoh.go.id") == []
