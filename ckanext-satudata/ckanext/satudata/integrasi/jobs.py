"""Scheduled pulls through the RQ worker.

`ckan satudata integrasi pull-due` (a periodic job, see periodic.py) queues a
`pull_input` job for every pull that is due and moves its next due time one interval on;
the worker fetches and imports the file (`sync.pull`). A pull that has not run for more
than two intervals is recorded as a missed run and alerted once.
"""
from __future__ import annotations

import datetime as dt
import logging

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from ckanext.satudata.integrasi import alerts, sync
from ckanext.satudata.integrasi.access import input_and_org
from ckanext.satudata.integrasi.model import SCHEDULES, Integrasi, IntegrasiPull, IntegrasiRun

log = logging.getLogger(__name__)

QUEUE = "default"
#: A pull longer than this is stopped by the worker (and recorded as failed by RQ).
TIMEOUT = 900


def pull_input(pull_id: str) -> str | None:
    """The worker's job: one pull, its run recorded. Returns the run's state."""
    run = sync.pull(pull_id, send_now=True)
    return run.state if run is not None else None


def _job_id(pull_id: str) -> str:
    return f"{tk.config.get('ckan.site_id')}:satudata_integrasi:pull:{pull_id}"


def _waiting(job_id: str) -> bool:
    """A pull of this package is queued or running already (one at a time)."""
    try:
        status = Job.fetch(job_id, connection=connect_to_redis()).get_status(refresh=False)
    except NoSuchJobError:
        return False
    return status in (JobStatus.QUEUED, JobStatus.STARTED)


def enqueue(pull_id: str) -> str:
    """Queue a pull for the worker; a pull already waiting or running is not queued twice
    (a stopped worker does not pile them up)."""
    job_id = _job_id(pull_id)
    if _waiting(job_id):
        return job_id
    job = tk.enqueue_job(pull_input, [pull_id], title=f"satudata_integrasi: pull {pull_id}",
                         queue=QUEUE, rq_kwargs={"timeout": TIMEOUT, "job_id": job_id})
    return job.id


def _usable(pull: IntegrasiPull) -> bool:
    """Enabled, and its integration (if any) still approved."""
    if not pull.enabled:
        return False
    if pull.integrasi_id:
        found = model.Session.get(Integrasi, pull.integrasi_id)
        return found is not None and found.status == "approved"
    return True


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Queue every due pull; returns the pull ids queued."""
    now = now or dt.datetime.utcnow()
    due = model.Session.scalars(sa.select(IntegrasiPull).where(
        IntegrasiPull.enabled.is_(True), IntegrasiPull.next_due <= now)
        .order_by(IntegrasiPull.next_due)).all()
    queued = []
    for pull in due:
        if not _usable(pull):
            continue
        interval = SCHEDULES[pull.schedule]
        # From the time it was due, not from now: a daily pull stays at its hour.
        pull.next_due = max(pull.next_due + interval, now - interval + dt.timedelta(minutes=1))
        model.Session.commit()
        enqueue(pull.id)
        queued.append(pull.id)
    return queued


def _close_stale_runs(now: dt.datetime) -> int:
    """Runs still `running` long after the job's time-out (the worker stopped during the
    run) end as failed, and are alerted."""
    stale = model.Session.scalars(sa.select(IntegrasiRun).where(
        IntegrasiRun.state == "running",
        IntegrasiRun.started < now - dt.timedelta(seconds=2 * TIMEOUT))).all()
    for run in stale:
        run.state, run.finished = "failed", now
        run.errors = [tk._("The sync did not finish (the background worker stopped)")]
        model.Session.commit()
        alerts.send(run, send_now=True)
    return len(stale)


def record_missed(now: dt.datetime | None = None) -> int:
    """A missed run (and an alert) for each usable pull whose last run is older than two
    intervals, once per gap; runs left `running` by a stopped worker end as failed.
    Returns how many runs were recorded as missed or failed."""
    now = now or dt.datetime.utcnow()
    count = _close_stale_runs(now)
    for pull in model.Session.scalars(sa.select(IntegrasiPull).where(
            IntegrasiPull.enabled.is_(True))).all():
        if not _usable(pull):
            continue
        interval = SCHEDULES[pull.schedule]
        since = pull.last_run or pull.created
        if now - since <= 2 * interval:
            continue
        already = model.Session.scalars(sa.select(IntegrasiRun.id).where(
            IntegrasiRun.input_id == pull.input_id, IntegrasiRun.mode == "pull",
            IntegrasiRun.state == "missed", IntegrasiRun.started >= since)).first()
        if already:
            continue
        try:
            inp, org = input_and_org(pull.input_id)
        except tk.ObjectNotFound:
            continue
        run = IntegrasiRun(integrasi_id=pull.integrasi_id, input_id=inp.id,
                           organization_id=org, mode="pull", period=pull.period,
                           state="missed", finished=now, errors=[tk._(
                               "No pull since {since}").format(since=since.isoformat())])
        model.Session.add(run)
        model.Session.commit()
        alerts.send(run, send_now=True)
        count += 1
    return count
