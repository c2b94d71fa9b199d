"""Revised release dates of the Daftar Data (issue 12): walidata revises at once, an OPD's
operator or verifikator proposes and walidata approves or rejects; every applied
revision is in the change log with who, when and why; bad input changes nothing; every
role's access decided from the period's entry."""
from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.satudata.daftar.model import DaftarChange, DaftarEntry, DaftarPeriod, DaftarRevision
from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures(
    "with_plugins", "clean_db", "clean_index", "with_request_context")

YEAR = dt.date.today().year + 1  # periods still to come


@pytest.fixture
def world():
    return make_world()


def _entry(world, where="opd"):
    return call_action("satudata_daftar_data_create", world.context("walidata"),
                       year=YEAR, organization=getattr(world, where)["id"],
                       title=f"Jumlah Posyandu {where}", kategori="DATA_DASAR",
                       sektor="KESEHATAN", frequency="semesteran",
                       periods=[{"period": "S1", "planned": f"{YEAR}-07-15"},
                                {"period": "S2", "planned": f"{YEAR}-12-15"}])


def _state():
    return [sorted(str(r) for r in model.Session.execute(sa.select(t.__table__)).all())
            for t in (DaftarEntry, DaftarPeriod, DaftarChange, DaftarRevision)]


def _propose(world, who, period_id, revised=f"{YEAR}-08-01", reason="Data BPS terlambat"):
    return tk.get_action("satudata_daftar_revision_propose")(
        world.context(who), {"period_id": period_id, "revised": revised, "reason": reason})


def _notes(world, who):
    return tk.get_action("verifikasi_notification_list")(
        world.context(who), {})["notifications"]


@pytest.mark.parametrize("who", ["walidata", "sysadmin"])
def test_walidata_revises_at_once_and_it_is_logged(world, who):
    entry = _entry(world)
    s1 = entry["periods"][0]
    if who == "sysadmin":
        context = {"user": world.users["sysadmin"]["name"], "ignore_auth": False}
        revision = tk.get_action("satudata_daftar_revision_propose")(context, {
            "period_id": s1["id"], "revised": f"{YEAR}-08-01", "reason": "Data BPS terlambat"})
    else:
        revision = _propose(world, who, s1["id"])
    assert revision["state"] == "approved"
    shown = call_action("satudata_daftar_data_show", world.context("walidata"), id=entry["id"])
    period = shown["periods"][0]
    assert period["revised"] == f"{YEAR}-08-01"
    assert period["revised_reason"] == "Data BPS terlambat"
    assert period["effective"] == f"{YEAR}-08-01"
    [change] = shown["changes"]
    assert change["action"] == "revise" and change["reason"] == "Data BPS terlambat"
    assert change["user"] == world.users[who]["name"]
    assert change["changes"]["period:S1.revised"] == [f"{YEAR}-07-15", f"{YEAR}-08-01"]


@pytest.mark.parametrize("who", ["operator", "verifikator"])
def test_opd_proposes_walidata_approves(world, who):
    entry = _entry(world)
    s2 = entry["periods"][1]
    revision = _propose(world, who, s2["id"], revised=f"{YEAR + 1}-01-20",
                        reason="Menunggu hasil survei")
    assert revision["state"] == "pending" and revision["proposed_by"] == world.users[who]["name"]
    shown = call_action("satudata_daftar_data_show", world.context(who), id=entry["id"])
    assert shown["periods"][1]["revised"] is None  # not applied before the decision
    assert [r["state"] for r in shown["revisions"]] == ["pending"]
    assert call_action("satudata_daftar_data_list", world.context("walidata"),
                       year=YEAR)["results"][0]["pending_revisions"] == 1
    # Walidata hear of it (in-app; the e-mail goes from the worker).
    assert any("Menunggu hasil survei" in n["body"] for n in _notes(world, "walidata"))
    # A second proposal of the same period waits for the first decision.
    before = _state()
    with pytest.raises(tk.ValidationError) as err:
        _propose(world, who, s2["id"], revised=f"{YEAR}-12-30")
    assert "period_id" in err.value.error_dict
    assert _state() == before
    # Only walidata decide.
    for other in ("operator", "verifikator", "other_operator", "surveyor"):
        with pytest.raises(tk.NotAuthorized):
            tk.get_action("satudata_daftar_revision_decide")(
                world.context(other), {"id": revision["id"], "decision": "approve"})
    decided = tk.get_action("satudata_daftar_revision_decide")(
        world.context("walidata"), {"id": revision["id"], "decision": "approve"})
    assert decided["state"] == "approved" and decided["decided_by"] == \
        world.users["walidata"]["name"]
    shown = call_action("satudata_daftar_data_show", world.context("walidata"), id=entry["id"])
    assert shown["periods"][1]["revised"] == f"{YEAR + 1}-01-20"
    [change] = shown["changes"]
    assert change["user"] == world.users["walidata"]["name"]
    assert change["changes"]["proposed_by"] == world.users[who]["name"]
    assert change["reason"] == "Menunggu hasil survei"
    assert any("Menunggu hasil survei" not in n["body"] and entry["title"] in n["subject"]
               for n in _notes(world, who))
    # Decided once.
    with pytest.raises(tk.ValidationError):
        tk.get_action("satudata_daftar_revision_decide")(
            world.context("walidata"), {"id": revision["id"], "decision": "reject",
                                        "note": "x"})


def test_reject_needs_a_note_and_changes_no_date(world):
    entry = _entry(world)
    revision = _propose(world, "operator", entry["periods"][0]["id"])
    before = _state()
    with pytest.raises(tk.ValidationError) as err:
        tk.get_action("satudata_daftar_revision_decide")(
            world.context("walidata"), {"id": revision["id"], "decision": "reject"})
    assert "note" in err.value.error_dict
    with pytest.raises(tk.ValidationError) as err:
        tk.get_action("satudata_daftar_revision_decide")(
            world.context("walidata"), {"id": revision["id"], "decision": "tunda"})
    assert "decision" in err.value.error_dict
    assert _state() == before
    decided = tk.get_action("satudata_daftar_revision_decide")(
        world.context("walidata"), {"id": revision["id"], "decision": "reject",
                                    "note": "Jadwal BPS tidak berubah"})
    assert decided["state"] == "rejected"
    shown = call_action("satudata_daftar_data_show", world.context("walidata"), id=entry["id"])
    assert shown["periods"][0]["revised"] is None and shown["changes"] == []
    assert any("Jadwal BPS tidak berubah" in n["body"] for n in _notes(world, "operator"))


@pytest.mark.parametrize("who", ["other_operator", "other_verifikator", "surveyor", "stranger"])
def test_foreign_and_roleless_callers_cannot_propose(world, who):
    entry = _entry(world)
    before = _state()
    with pytest.raises(tk.NotAuthorized):
        _propose(world, who, entry["periods"][0]["id"])
    assert _state() == before


def test_anonymous_cannot_propose_or_decide(world):
    entry = _entry(world)
    revision = _propose(world, "operator", entry["periods"][0]["id"])
    before = _state()
    with pytest.raises(tk.NotAuthorized):
        tk.get_action("satudata_daftar_revision_propose")(
            {"user": "", "ignore_auth": False},
            {"period_id": entry["periods"][1]["id"], "revised": f"{YEAR}-12-01",
             "reason": "x"})
    with pytest.raises(tk.NotAuthorized):
        tk.get_action("satudata_daftar_revision_decide")(
            {"user": "", "ignore_auth": False}, {"id": revision["id"], "decision": "approve"})
    assert _state() == before


@pytest.mark.parametrize(("data", "field"), [
    ({"reason": ""}, "reason"),
    ({"reason": "   "}, "reason"),
    ({"revised": ""}, "revised"),
    ({"revised": "15/08/2026"}, "revised"),
    ({"revised": f"{YEAR + 2}-01-01"}, "revised"),
    ({"revised": f"{YEAR}-07-15"}, "revised"),  # the current date
])
def test_bad_revisions_change_nothing(world, data, field):
    entry = _entry(world)
    before = _state()
    body = {"period_id": entry["periods"][0]["id"], "revised": f"{YEAR}-08-01",
            "reason": "Data terlambat", **data}
    with pytest.raises(tk.ValidationError) as err:
        tk.get_action("satudata_daftar_revision_propose")(world.context("walidata"), body)
    assert field in err.value.error_dict, err.value.error_dict
    assert _state() == before


def test_released_period_keeps_its_dates(world):
    entry = _entry(world)
    period = model.Session.get(DaftarPeriod, entry["periods"][0]["id"])
    period.released = dt.datetime(YEAR, 7, 1, 3, 0)
    model.Session.commit()
    before = _state()
    with pytest.raises(tk.ValidationError) as err:
        _propose(world, "walidata", entry["periods"][0]["id"])
    assert "period_id" in err.value.error_dict
    assert _state() == before


def test_unknown_ids(world):
    with pytest.raises(tk.ObjectNotFound):
        _propose(world, "walidata", "tidak-ada")
    with pytest.raises(tk.NotAuthorized):
        _propose(world, "operator", "tidak-ada")
    with pytest.raises(tk.ObjectNotFound):
        tk.get_action("satudata_daftar_revision_decide")(
            world.context("walidata"), {"id": "tidak-ada", "decision": "approve"})
