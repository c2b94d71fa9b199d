"""Harvest jobs that never finish are closed, with the reason, so harvesting goes on.

ckanext-harvest marks a job *Finished* only when `harvest_jobs_run` sees all of its
objects done; a gather or fetch consumer that died leaves the job *New* or
*Running* for good, and `harvest_job_create` refuses every new job of the source
("a job waiting or running"). Its own `ckan.harvest.timeout` only looks at running
jobs and writes an English message.

Here a job waiting (`New`) or running longer than
`ckanext.satudata.harvest.job_timeout_minutes` since its last sign of life (the
last object imported, the end of gathering, the last object gathered, or its
creation) is marked `Finished` (ckanext-harvest has no other final status: a job
with gather errors is a failed one on its pages), its unfinished objects `ERROR`
(as `harvest_job_abort` does), and a gather error says why, in the portal's
language. Run by the periodic jobs (`ckan satudata harvest mark-stuck`) and by the
action `satudata_harvest_mark_stuck` (walidata, sysadmins).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.verifikasi import shared as verifikasi

__all__ = ["job_timeout_minutes", "mark_stuck", "stuck_jobs", "UNFINISHED"]

log = logging.getLogger(__name__)

UNFINISHED = ("New", "Running")
TIMEOUT_KEY = "ckanext.satudata.harvest.job_timeout_minutes"


def job_timeout_minutes() -> int:
    """Minutes without progress after which a waiting or running job is stuck."""
    return max(1, int(tk.config.get(TIMEOUT_KEY) or 120))


def _last_sign_of_life(job: Any) -> dt.datetime:
    return job.get_last_action_time() or job.created


def stuck_jobs(now: dt.datetime, timeout_minutes: int,
               source_id: str | None = None) -> list[Any]:
    """Jobs waiting or running with no progress for more than `timeout_minutes`."""
    from ckanext.harvest.model import HarvestJob

    limit = now - dt.timedelta(minutes=timeout_minutes)
    query = model.Session.query(HarvestJob).filter(HarvestJob.status.in_(UNFINISHED))
    if source_id:
        query = query.filter(HarvestJob.source_id == source_id)
    # `created` is never later than the last sign of life: a cheap first cut.
    candidates = query.filter(HarvestJob.created < limit).order_by(HarvestJob.created).all()
    return [job for job in candidates if _last_sign_of_life(job) < limit]


def _reason(job: Any, timeout_minutes: int, last: dt.datetime, now: dt.datetime) -> str:
    with verifikasi.default_language():
        waiting = job.status == "New"
        text = (tk._("The harvest job was stopped: it waited {minutes} minutes without being "
                     "started (limit {limit} minutes). Check that the gather consumer is "
                     "running, then harvest again.")
                if waiting else
                tk._("The harvest job was stopped: it made no progress for {minutes} minutes "
                     "(limit {limit} minutes). Check that the gather and fetch consumers are "
                     "running, then harvest again."))
        minutes = int((now - last).total_seconds() // 60)
        return str(text).format(minutes=minutes, limit=timeout_minutes)


def mark_stuck(now: dt.datetime | None = None, timeout_minutes: int | None = None,
               source_id: str | None = None) -> list[str]:
    """Close every stuck job (see the module docstring); the ids of the jobs closed."""
    from ckanext.harvest.model import HarvestGatherError, HarvestObject

    now = now or dt.datetime.utcnow()
    timeout = timeout_minutes or job_timeout_minutes()
    closed = []
    for job in stuck_jobs(now, timeout, source_id):
        last = _last_sign_of_life(job)
        message = _reason(job, timeout, last, now)
        unfinished = model.Session.query(HarvestObject).filter(
            HarvestObject.harvest_job_id == job.id,
            HarvestObject.state.notin_(("COMPLETE", "ERROR")))
        for obj in unfinished:
            obj.state = "ERROR"
            obj.report_status = "errored"
        job.status = "Finished"
        job.finished = now
        if job.gather_started is None:
            job.gather_started = job.created
        if job.gather_finished is None:
            job.gather_finished = now
        model.Session.add(HarvestGatherError(message=message, job=job))
        model.Session.commit()
        log.warning("harvest job %s of source %s marked finished: stuck since %s",
                    job.id, job.source_id, last.isoformat())
        closed.append(job.id)
    return closed
