"""Receivers of the transition signal: the audit entry and notifications share the step's
transaction, so a receiver that fails leaves the step unwritten."""
from __future__ import annotations

import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.verifikasi import signals
from ckanext.verifikasi.model import AuditEntry, Notification, WorkflowEvent


def _rows(package_id: str) -> tuple[int, int, int]:
    session = model.Session
    return (session.query(WorkflowEvent).filter_by(package_id=package_id).count(),
            session.query(AuditEntry).filter_by(object_id=package_id).count(),
            session.query(Notification).filter_by(package_id=package_id).count())


def test_submit_writes_audit_and_notifications_tied_to_the_step(world):
    ds = world.dataset()
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    event = model.Session.query(WorkflowEvent).filter_by(package_id=ds["id"]).one()
    audit = model.Session.query(AuditEntry).filter_by(
        object_id=ds["id"], action="workflow_submit").one()
    assert audit.actor == world.users["operator"]["id"]
    assert audit.detail["to_state"] == "submitted"
    notes = model.Session.query(Notification).filter_by(package_id=ds["id"]).all()
    # Both verifikators of the OPD hear about it.
    assert {n.user_id for n in notes} == {world.users["verifikator"]["id"],
                                          world.users["verifikator2"]["id"]}
    assert {n.event_id for n in notes} == {event.id}


def test_a_failing_receiver_leaves_nothing_of_the_step(world):
    ds = world.dataset()
    before = _rows(ds["id"])

    def broken(package_id: str, **_: object) -> None:
        raise RuntimeError("receiver failed")

    signals.transition.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    finally:
        signals.transition.disconnect(broken)
    model.Session.rollback()
    assert _rows(ds["id"]) == before
    status = call_action("verifikasi_status_show", world.context("walidata"), id=ds["id"])
    assert status["state"] == "draft"
