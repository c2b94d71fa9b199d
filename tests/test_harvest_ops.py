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
    page = app.get(f"/harvest/{running['name']}/job/{running_job['id']}",
                   headers=_headers(world, "walidata"))
    assert page.status_code == 200
    assert _gather_errors(running_job["id"])[0] in page.body  # the reason, on the job's page

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


# The walidata runs and follows sources through ckanext-harvest's pages ------------------

def _page(app, world: World, who: str, url: str, **kwargs: Any) -> Any:
    return app.get(url, headers=_headers(world, who), **kwargs)


@pytest.mark.ckan_config("ckanext.satudata.fetch.allowed_networks", "127.0.0.1/32")
def test_walidata_creates_runs_and_follows_a_source_on_the_harvest_pages(app):
    from ckanext.harvest.model import HarvestJob
    from ckanext.harvest.queue import get_harvester
    from ckanext.harvest.tests.lib import run_harvest_job

    from tests.harvest_remote import stock_ckan, stock_dataset

    world = make_world()
    remote_datasets = [stock_dataset("Jumlah Puskesmas"), stock_dataset("Jumlah Bidan"),
                       stock_dataset("Data Rusak", klasifikasi_akses="sangat_rahasia")]
    with stock_ckan(remote_datasets) as remote:
        assert _page(app, world, "walidata", "/harvest").status_code == 200
        form = _page(app, world, "walidata", "/harvest/new")
        assert form.status_code == 200
        assert 'name="source_type"' in form.body and 'name="config"' in form.body
        r = app.post("/harvest/new", headers=_headers(world, "walidata"), data={
            "url": f"{remote.url}/", "title": "Portal Provinsi", "name": "portal-provinsi",
            "notes": "", "source_type": "ckan", "frequency": "MANUAL",
            "owner_org": world.opd["id"], "config": json.dumps({"satudata_defaults": DEFAULTS}),
            "save": ""}, follow_redirects=False)
        assert r.status_code == 302, r.body
        source = call_action("harvest_source_show", {"ignore_auth": True}, id="portal-provinsi")
        assert source["owner_org"] == world.opd["id"]
        for url in ("/harvest/portal-provinsi", "/harvest/admin/portal-provinsi",
                    "/harvest/about/portal-provinsi", "/harvest/edit/portal-provinsi"):
            assert _page(app, world, "walidata", url).status_code == 200, url

        # "Harvest now" on the source's admin page: a job, run here in-process.
        r = app.post(f"/harvest/refresh/{source['id']}", headers=_headers(world, "walidata"),
                     follow_redirects=False)
        assert r.status_code == 302
        [job] = HarvestJob.filter(source_id=source["id"]).all()
        results = run_harvest_job(job, get_harvester("ckan"))
    assert sorted(r["report_status"] for r in results.values()) == ["added", "added", "errored"]

    # The source page lists the harvested private drafts to the walidata and the OPD,
    # not to a visitor.
    for who, seen in (("walidata", 2), ("operator", 2), ("other_operator", 0),
                      ("anonymous", 0)):
        r = _page(app, world, who, "/harvest/portal-provinsi")
        # (A source made on the form is private: outsiders get a 404.)
        assert r.status_code == 200 if seen else r.status_code in (200, 404), who
        if r.status_code == 200:
            assert f'data-satudata="harvest-dataset-count">{seen}<' in r.body, who
        assert ("Jumlah Puskesmas" in r.body) == bool(seen), who
    admin = _page(app, world, "walidata", "/harvest/admin/portal-provinsi").body
    # Last run, with its counts (created / updated / deleted / errored).
    stats = {kind: int(n) for kind, n in re.findall(
        r'<span class="badge[^"]*" data-diff="([^"]+)">\s*(\d+)', admin)}
    assert stats == {"error": 1, "added": 2, "updated": 0, "deleted": 0, "not modified": 0}
    # Dates in the portal's one format, in WIB.
    assert len(re.findall(r"\b\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}\.\d{2} WIB", admin)) == 3, admin
    job_page = _page(app, world, "walidata", f"/harvest/portal-provinsi/job/{job.id}")
    assert job_page.status_code == 200
    assert "klasifikasi_akses" in job_page.body  # the error of the failed dataset, shown
    jobs_page = _page(app, world, "walidata", "/harvest/portal-provinsi/job")
    assert jobs_page.status_code == 200
    assert len(re.findall(r"\d{2}\.\d{2} WIB", jobs_page.body)) == 2
    assert _page(app, world, "walidata", "/harvest/portal-provinsi/job/last").status_code == 200


@pytest.mark.parametrize("who", ["operator", "verifikator", "other_operator", "anonymous"])
def test_opd_roles_and_anonymous_cannot_manage_sources_on_the_harvest_pages(app, who):
    world = make_world()
    source = _source(world)
    job = _job(world, source)
    denied = (403, 302) if who == "anonymous" else (403,)
    for url in ("/harvest", f"/harvest/{source['name']}", f"/harvest/about/{source['name']}"):
        assert _page(app, world, who, url).status_code == 200, (who, url)
    for url in ("/harvest/new", f"/harvest/admin/{source['name']}",
                f"/harvest/edit/{source['name']}", f"/harvest/{source['name']}/job",
                f"/harvest/{source['name']}/job/{job['id']}",
                f"/harvest/{source['name']}/job/{job['id']}/abort"):
        r = _page(app, world, who, url, follow_redirects=False)
        assert r.status_code in denied, (who, url, r.status_code)
    for url in (f"/harvest/refresh/{source['id']}", f"/harvest/clear/{source['id']}"):
        r = app.post(url, headers=_headers(world, who), follow_redirects=False)
        assert r.status_code in denied, (who, url, r.status_code)
    from ckanext.harvest.model import HarvestJob
    assert [j.status for j in HarvestJob.filter(source_id=source["id"]).all()] == ["New"]
