"""Overdue corrections are flagged and reminded once a day."""
from __future__ import annotations

import datetime as dt

from ckan import model
from ckan.tests.helpers import call_action

from ckanext.verifikasi import reminders
from ckanext.verifikasi.model import Notification, WorkflowState


def test_overdue_correction_is_reminded_once_per_day(world):
    ds = world.dataset(title="Jumlah Kader Posyandu")
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    call_action("verifikasi_return", world.context("verifikator"), id=ds["id"],
                note="Perbaiki", deadline=(dt.date.today() + dt.timedelta(days=3)).isoformat())
    assert reminders.send_overdue_reminders() == 0  # not overdue yet

    later = dt.date.today() + dt.timedelta(days=5)
    assert reminders.send_overdue_reminders(later) == 1
    assert reminders.send_overdue_reminders(later) == 0  # same day: no second reminder
    assert reminders.send_overdue_reminders(later + dt.timedelta(days=1)) == 1

    notes = model.Session.query(Notification).filter(
        Notification.user_id == world.users["operator"]["id"],
        Notification.subject.like("%Tenggat perbaikan terlewati%")).all()
    assert len(notes) == 2
    assert "Jumlah Kader Posyandu" in notes[0].body
    other = model.Session.query(Notification).filter(
        Notification.user_id == world.users["other_operator"]["id"]).count()
    assert other == 0
    state = model.Session.get(WorkflowState, ds["id"])
    assert state.state == "returned"
