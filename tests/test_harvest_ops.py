"""Operating harvests (issue 15): stuck jobs are closed with the reason, and the walidata
runs and follows sources through ckanext-harvest's own pages.

Jobs are real rows of ckanext-harvest's tables, aged in the database; the command is
the one the periodic jobs run.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import World, make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

DEFAULTS = {"kategori": "DATA_DASAR", "klasifikasi_akses": "terbuka", "license_id": "cc-by",
            "sektor_kegiatan": "KESEHATAN", "frekuensi_penyelenggaraan": "TAHUNAN"}
ROLES = ("sysadmin", "walidata", "operator", "verifikator", "other_operator",
         "other_verifikator", "anonymous")
MANAGERS = {"sysadmin", "walidata"}


def _headers(world: World, who: str) -> dict[str, str]:
    if who == "anonymous":
        return {}
    user = world.users[who]
    token = user.get("token") or call_action(
        "api_token_create", {"user": user["name"], "ignore_auth": True},
        user=user["name"], name="uji")["token"]
    user["token"] = token
    return {"Authorization": token}


def _source(world: World, url: str | None = None) -> dict[str, Any]:
    url = url or f"https://remote-{uuid.uuid4().hex[:6]}.contoh.id/"
    return call_action(
        "harvest_source_create", {"user": world.users["sysadmin"]["name"]},
        url=url, name=f"sumber-{uuid.uuid4().hex[:8]}", title="Portal Provinsi",
        source_type="ckan", owner_org=world.opd["id"],
        config=json.dumps({"satudata_defaults": DEFAULTS}))


def _job(world: World, source: dict[str, Any]) -> dict[str, Any]:
    return call_action("harvest_job_create", {"user": world.users["sysadmin"]["name"]},
                       source_id=source["id"], run=False)


def _age(job_id: str, minutes: int, status: str = "New", gathered_minutes: int | None = None
         ) -> None:
    """Move a job's creation (and its gathering) back in time, as a dead consumer leaves it."""
    now = dt.datetime.utcnow()
    model.Session.execute(sa.text(
        "UPDATE harvest_job SET created = :created, status = :status, "
        "gather_started = CASE WHEN :status = 'Running' THEN :created END WHERE id = :id"),
        {"created": now - dt.timedelta(minutes=minutes), "status": status, "id": job_id})
    if gathered_minutes is not None:
        from ckanext.harvest.model import HarvestJob, HarvestObject
        job = HarvestJob.get(job_id)
        obj = HarvestObject(guid="remote-1", job=job, source=job.source, state="WAITING")
        obj.gathered = now - dt.timedelta(minutes=gathered_minutes)
        model.Session.add(obj)
    model.Session.commit()


def _job_row(job_id: str) -> Any:
    from ckanext.harvest.model import HarvestJob
    model.Session.expire_all()
    return HarvestJob.get(job_id)


def _gather_errors(job_id: str) -> list[str]:
    from ckanext.harvest.model import HarvestGatherError
    return [e.message for e in HarvestGatherError.filter(harvest_job_id=job_id).all()]


# Stuck jobs ------------------------------------------------------------------------------

@pytest.mark.ckan_config("ckanext.satudata.harvest.job_timeout_minutes", "90")
def test_the_periodic_command_closes_stuck_jobs_with_the_reason_and_harvesting_goes_on(
        cli, app):
    world = make_world()
    waiting, running, fresh, busy = (_source(world) for _ in range(4))
    waiting_job, running_job, fresh_job, busy_job = (
        _job(world, s) for s in (waiting, running, fresh, busy))
    _age(waiting_job["id"], 180)                                     # never picked up
    _age(running_job["id"], 300, "Running", gathered_minutes=200)    # consumer died
    _age(fresh_job["id"], 30)                                        # within the limit
    _age(busy_job["id"], 300, "Running", gathered_minutes=10)        # old, but progressing

    # Before: the busy source refuses a new job (409), as the stuck ones do.
    r = app.post("/api/3/action/harvest_job_create", json={"source_id": running["id"]},
                 headers=_headers(world, "walidata"))
    assert r.status_code == 409, r.json

    result = cli.invoke(ckan, ["satudata", "harvest", "mark-stuck"])

    assert result.exit_code == 0, result.output
    assert "2 (batas 90 menit)" in result.output
    assert waiting_job["id"] in result.output and running_job["id"] in result.output
    for job_id, minutes in ((waiting_job["id"], 180), (running_job["id"], 200)):
        job = _job_row(job_id)
        assert job.status == "Finished" and job.finished is not None
        [message] = _gather_errors(job_id)
        # "<minutes without progress> ... <limit>" in the portal's language.
        numbers = [int(n) for n in re.findall(r"\d+", message)]
        assert numbers[:2] == [minutes, 90], message
    from ckanext.harvest.model import HarvestObject
    [obj] = HarvestObject.filter(harvest_job_id=running_job["id"]).all()
    assert obj.state == "ERROR"
    for job_id in (fresh_job["id"], busy_job["id"]):
        assert _job_row(job_id).status in ("New", "Running")
        assert _gather_errors(job_id) == []

    # The job's page and the API call the finished job a failure with the reason.
    status = call_action("harvest_source_show_status", {"user": world.users["walidata"]["name"]},
                         id=running["id"])
    assert status["last_job"]["status"] == "Finished"
    report = call_action("harvest_job_report", {"user": world.users["walidata"]["name"]},
                         id=running_job["id"])
    assert len(report["gather_errors"]) == 1

    # After: a new harvest of the closed sources starts; the others are still busy.
    for source in (waiting, running):
        r = app.post("/api/3/action/harvest_job_create",
                     json={"source_id": source["id"], "run": False},
                     headers=_headers(world, "walidata"))
        assert r.status_code == 200, r.json
    r = app.post("/api/3/action/harvest_job_create", json={"source_id": fresh["id"]},
                 headers=_headers(world, "walidata"))
    assert r.status_code == 409

    # Idempotent: nothing more to close.
    again = cli.invoke(ckan, ["satudata", "harvest", "mark-stuck"])
    assert "0 (batas 90 menit)" in again.output


def test_the_periodic_jobs_run_mark_stuck_before_harvesting():
    from ckanext.satudata import periodic

    names = [job.name for job in periodic.schedule({})]
    assert names.index("harvest-stuck") == names.index("harvest") - 1
    job = periodic.schedule({})[names.index("harvest-stuck")]
    assert job.command(0) == ["satudata", "harvest", "mark-stuck"]


@pytest.mark.parametrize("who", ROLES)
def test_who_may_close_stuck_jobs(app, who):
    world = make_world()
    source = _source(world)
    job = _job(world, source)
    _age(job["id"], 500)

    r = app.post("/api/3/action/satudata_harvest_mark_stuck", json={"source_id": source["id"]},
                 headers=_headers(world, who))

    if who in MANAGERS:
        assert r.status_code == 200, r.json
        assert r.json["result"]["jobs"] == [job["id"]]
        assert _job_row(job["id"]).status == "Finished"
    else:
        assert r.status_code == 403, r.json
        assert _job_row(job["id"]).status == "New"
        assert _gather_errors(job["id"]) == []


def test_mark_stuck_of_an_unknown_source_is_a_404_not_a_500(app):
    world = make_world()
    dataset = world.dataset()
    for source_id in ("tidak-ada", dataset["id"]):
        r = app.post("/api/3/action/satudata_harvest_mark_stuck", json={"source_id": source_id},
                     headers=_headers(world, "walidata"))
        assert r.status_code == 404, r.json
