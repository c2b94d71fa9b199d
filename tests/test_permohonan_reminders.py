"""Deadline reminders of the Permohonan Data (issue 14) through `ckan satudata
permohonan remind`, with a real SMTP server: walidata and, once a request was
forwarded, the handling OPD's operators and verifikators hear of a deadline N working
days ahead and of a passed one (in-app and e-mail, Indonesian dates), each reminder
once; an extended deadline is reminded again; no other OPD, no requester, no closed
request."""
from __future__ import annotations

import datetime as dt

import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.satudata.permohonan import ratelimit
from ckanext.satudata.permohonan.model import Permohonan
from ckanext.verifikasi.tests.world import make_world

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
              pytest.mark.ckan_config("ckanext.satudata.permohonan.rate_limit_email", "20")]

MONDAY = dt.date(2026, 3, 9)


@pytest.fixture
def world(with_request_context):
    ratelimit.reset()
    made = make_world()
    yield made
    ratelimit.reset()


def _ctx(world, who):
    return {"user": world.users[who]["name"], "ignore_auth": False}


def _request(world, description, due, forward=False):
    req = call_action("satudata_request_create", _ctx(world, "grantee"), kind="data",
                      description=description)
    if forward:
        call_action("satudata_request_update", _ctx(world, "walidata"), id=req["id"],
                    action="forward", organization=world.opd["id"])
    row = model.Session.get(Permohonan, req["id"])
    row.received, row.due = due - dt.timedelta(days=14), due
    model.Session.commit()
    return req


def _remind(cli, day):
    result = cli.invoke(ckan, ["satudata", "permohonan", "remind", "--date", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _reminders(mailbox, who, number=None):
    """Reminder e-mails to a user (not the step notifications), of one request."""
    return [m for m in mailbox.to(f"{who}@contoh.go.id")
            if "[Satu Data]" in str(m["Subject"])
            and (number is None or number in str(m["Subject"]))]


@pytest.mark.ckan_config("ckanext.satudata.permohonan.remind_days", "2")
@pytest.mark.ckan_config("ckan.locale_default", "id")
def test_reminders_before_and_overdue_once_to_the_handlers(world, cli, smtp_server):
    # Wednesday: two working days after Monday.
    near = _request(world, "Data UMKM", MONDAY + dt.timedelta(days=2), forward=True)
    late = _request(world, "Data curah hujan", MONDAY - dt.timedelta(days=4))  # not forwarded
    _request(world, "Data sekolah", MONDAY + dt.timedelta(days=3), forward=True)  # 3 days
    done = _request(world, "Data pasar", MONDAY - dt.timedelta(days=4), forward=True)
    call_action("satudata_request_update", _ctx(world, "verifikator"), id=done["id"],
                action="answer", note="Terlampir")
    before_mails = len(smtp_server.messages)

    output = _remind(cli, MONDAY)
    assert "1 pengingat tenggat, 1 melewati tenggat" in output

    for who in ("operator", "verifikator"):
        [mail] = _reminders(smtp_server, who)
        assert near["number"] in str(mail["Subject"])
        body = mail.get_content()
        assert "11 Maret 2026" in body  # Indonesian date
        assert f"/permohonan-data/{near['number']}" in body
        assert "grantee" not in body.lower() and "peneliti@" not in body  # no requester data
        notes = call_action("verifikasi_notification_list", _ctx(world, who))
        assert sum(near["number"] in str(n) for n in notes["notifications"]) >= 1
    walidata = _reminders(smtp_server, "walidata")
    assert sorted(near["number"] in str(m["Subject"]) for m in walidata) == [False, True]
    [overdue] = _reminders(smtp_server, "walidata", late["number"])
    assert "5 Maret 2026" in overdue.get_content()
    for who in ("other_operator", "other_verifikator", "surveyor"):
        assert _reminders(smtp_server, who) == []
    assert all("peneliti@contoh.ac.id" not in m["To"]
               for m in smtp_server.messages[before_mails:])

    # Once: the same day sends nothing again.
    count = len(smtp_server.messages)
    assert "0 pengingat tenggat, 0 melewati tenggat" in _remind(cli, MONDAY)
    assert len(smtp_server.messages) == count
    # Tuesday: the Thursday deadline is two working days away; Thursday: the Wednesday
    # one passed; Friday: the Thursday one passed, and a second run sends nothing.
    assert "1 pengingat tenggat, 0 melewati" in _remind(cli, MONDAY + dt.timedelta(days=1))
    for offset in (3, 4):
        assert "0 pengingat tenggat, 1 melewati tenggat" in _remind(
            cli, MONDAY + dt.timedelta(days=offset))
    assert "0 pengingat tenggat, 0 melewati" in _remind(cli, MONDAY + dt.timedelta(days=4))
    assert len(_reminders(smtp_server, "operator", near["number"])) == 2
    assert len(_reminders(smtp_server, "walidata", late["number"])) == 1


@pytest.mark.ckan_config("ckanext.satudata.permohonan.remind_days", "2")
def test_an_extended_deadline_is_reminded_again(world, cli, smtp_server):
    req = _request(world, "Data UMKM", MONDAY + dt.timedelta(days=2), forward=True)
    _remind(cli, MONDAY)
    assert len(_reminders(smtp_server, "operator", req["number"])) == 1
    extended = call_action("satudata_request_update", _ctx(world, "operator"), id=req["id"],
                           action="extend", note="Data masih direkap")
    # 7 working days after Wednesday 11 March: Friday 20 March.
    assert extended["due"] == "2026-03-20"
    assert "0 pengingat tenggat" in _remind(cli, MONDAY + dt.timedelta(days=2))
    assert "1 pengingat tenggat, 0 melewati" in _remind(cli, dt.date(2026, 3, 18))
    assert len(_reminders(smtp_server, "operator", req["number"])) == 2
    # Added on the day itself (a run missed): "today", not "in 0 working days".
    today = _request(world, "Data pasar", dt.date(2026, 3, 18), forward=True)
    assert "1 pengingat tenggat" in _remind(cli, dt.date(2026, 3, 18))
    [mail] = _reminders(smtp_server, "operator", today["number"])
    assert " 0 " not in mail.get_content()
