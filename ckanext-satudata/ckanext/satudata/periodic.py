"""The portal's periodic jobs: one schedule, run by `ckan satudata periodic`.

Both `make run` (scripts/lib/ckan.sh) and the production `harvest-scheduler`
service (docker/entrypoint.sh) run `ckan satudata periodic loop`, which runs the
jobs that are due once a minute. Each job is an existing `ckan` command, run in
the same process (one CKAN start-up instead of one per job). The start of each
job's last run is kept in Redis, so a restart neither repeats a job early nor
forgets one that is due; a job is claimed with a compare-and-set, so two
schedulers on the same Redis never run it twice in one interval.

The schedule (what ran in scripts/daily-jobs.sh, scripts/harvest-scheduler.sh and
the entrypoint before):

- `ckan satudata-loader sweep` every SATUDATA_SWEEP_INTERVAL seconds (60): dead
  DataStore loads must be noticed within ckanext.satudata.loader.stale_seconds;
- `ckan satudata harvest mark-stuck` (jobs stuck past
  ckanext.satudata.harvest.job_timeout_minutes closed with the reason), then
  `ckan harvester run`, every SATUDATA_HARVEST_INTERVAL seconds (300);
- hourly: `ckan verifikasi send-reminders` (idempotent per day),
  `ckan tracking update` from three days back, `ckan satudata
  discard-stale-imports`, `ckan satudata daftar remind` and `ckan satudata
  permohonan remind` (each reminder once) and
  `ckan verifikasi index-check --repair`;
- daily: `ckan satudata quality scan` (metadata quality scores and tickets).
- hourly: `ckan satudata integrasi pull-due` (scheduled pulls of input
  packages queued for the worker; missed ones alerted).
- hourly: `ckan satudata report --due` (the periodic reports of the month,
  quarter and year that ended, once each, e-mailed to the configured recipients).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import cast

import ckan.plugins.toolkit as tk
import redis
from ckan.lib.redis import connect_to_redis

__all__ = ["Job", "Outcome", "Runner", "run_due", "schedule", "last_runs", "due"]

log = logging.getLogger(__name__)

HOUR = 3600
DAY = 24 * HOUR

#: Runs one `ckan` command line (without `ckan -c INI`) and returns its exit code.
Runner = Callable[[Sequence[str]], int]


@dataclasses.dataclass(frozen=True)
class Job:
    name: str
    #: Seconds between two runs.
    every: int
    #: The `ckan` command line of a run at `now` (seconds since the epoch).
    command: Callable[[float], list[str]]


@dataclasses.dataclass(frozen=True)
class Outcome:
    job: Job
    command: list[str]
    exit_code: int


def _fixed(*args: str) -> Callable[[float], list[str]]:
    return lambda _now: list(args)


def _tracking_update(now: float) -> list[str]:
    # From three days back: without a date, a portal with no views yet would
    # recompute every day since 2011 on each run (5,800 days, ~40 s).
    start = dt.datetime.fromtimestamp(now, dt.timezone.utc).date() - dt.timedelta(days=3)
    return ["tracking", "update", start.isoformat()]


def _seconds(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"{name} must be a whole number of seconds above 0, not {raw!r}")
    return value


def schedule(environ: Mapping[str, str] = os.environ) -> tuple[Job, ...]:
    """Every periodic job and how often it runs (in this order when several are due)."""
    return (
        Job("loader-sweep", _seconds(environ, "SATUDATA_SWEEP_INTERVAL", 60),
            _fixed("satudata-loader", "sweep")),
        Job("harvest-stuck", _seconds(environ, "SATUDATA_HARVEST_INTERVAL", 300),
            _fixed("satudata", "harvest", "mark-stuck")),
        Job("harvest", _seconds(environ, "SATUDATA_HARVEST_INTERVAL", 300),
            _fixed("harvester", "run")),
        Job("reminders", HOUR, _fixed("verifikasi", "send-reminders")),
        Job("tracking", HOUR, _tracking_update),
        Job("discard-stale-imports", HOUR, _fixed("satudata", "discard-stale-imports")),
        # Daftar Data: release dates coming or missed (OPDs), late releases (walidata,
        # weekly); each reminder once.
        Job("daftar-reminders", HOUR, _fixed("satudata", "daftar", "remind")),
        # Permohonan Data: deadlines near or passed (walidata and the handling OPD);
        # each reminder once.
        Job("permohonan-reminders", HOUR, _fixed("satudata", "permohonan", "remind")),
        # Search index vs database (state, private flag, workflow, access class):
        # drift left by a failed index call is reported and repaired.
        Job("index-check", HOUR, _fixed("verifikasi", "index-check", "--repair")),
        # Metadata quality: every dataset scored again (checks that depend on time),
        # tickets opened and closed; changes are also scored at once by a job.
        # Periodic reports (/laporan): on the first day of a month, quarter or year,
        # the reports of the one that ended, e-mailed (each period once).
        Job("reports", HOUR, _fixed("satudata", "report", "--due")),
        Job("integrasi-pull", HOUR, _fixed("satudata", "integrasi", "pull-due")),
        Job("quality-scan", DAY, _fixed("satudata", "quality", "scan")),
    )


def _key(job: Job) -> str:
    return f"{tk.config.get('ckan.site_id')}:satudata:periodic:{job.name}"


def due(job: Job, last: float | None, now: float) -> bool:
    """Never run, its interval passed, or its last run lies beyond one interval in
    the future (the clock was set back)."""
    return last is None or now - last >= job.every or last - now > job.every


def last_runs(jobs: Iterable[Job], conn: redis.Redis | None = None) -> dict[str, float | None]:
    """When each job last started (seconds since the epoch), None if never."""
    jobs = list(jobs)
    conn = conn or connect_to_redis()
    # redis-py types replies as "maybe awaitable"; this client is synchronous.
    values = cast("list[bytes | None]", conn.mget([_key(job) for job in jobs]))
    return {job.name: float(value) if value is not None else None
            for job, value in zip(jobs, values, strict=True)}


def _claim(conn: redis.Redis, job: Job, now: float) -> bool:
    """Record `now` as the job's last run if it is due; False if it is not (or
    another scheduler claimed it first)."""
    key = _key(job)
    with conn.pipeline() as pipe:
        try:
            pipe.watch(key)
            value = cast("bytes | None", pipe.get(key))  # watching: answered at once
            if not due(job, float(value) if value is not None else None, now):
                return False
            pipe.multi()
            # Kept a while past its interval: a job dropped from the schedule
            # leaves no key behind for good.
            pipe.set(key, repr(now), ex=2 * job.every + HOUR)
            pipe.execute()
        except redis.WatchError:
            return False
    return True


def run_due(now: float, runner: Runner, jobs: Sequence[Job] | None = None,
            conn: redis.Redis | None = None) -> list[Outcome]:
    """Run each job that is due at `now` once, in schedule order."""
    conn = conn or connect_to_redis()
    outcomes = []
    for job in schedule() if jobs is None else jobs:
        if not _claim(conn, job, now):
            continue
        command = job.command(now)
        try:
            code = runner(command)
        except Exception:
            log.exception("periodic job %s (ckan %s) failed", job.name, " ".join(command))
            code = 1
        outcomes.append(Outcome(job, command, code))
    return outcomes
