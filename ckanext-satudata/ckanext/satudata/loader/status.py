"""Load progress in CKAN's task_status, in the record xloader_status reads.

One row per resource (entity_id = resource id, task_type "xloader", key
"xloader"). `state` keeps xloader's vocabulary (pending, running,
running_but_viewable, complete, error) so its helpers and templates still
work; `value` is our JSON progress:

    {"job_id", "stage", "rows_loaded", "rows_total", "sheets", "sheet", "attempt",
     "heartbeat", "started", "finished", "errors": [{"message", "row", "column",
     "value", "sheet"}], "notices", "columns", "file_hash", "reload_requested"}
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

log = logging.getLogger(__name__)

TASK_TYPE = KEY = "xloader"
STAGES = ("queued", "reading", "loading", "indexing", "complete", "error")
RUNNING_STAGES = ("reading", "loading", "indexing")
_STATE_OF_STAGE = {"queued": "pending", "reading": "running", "loading": "running",
                   "indexing": "running", "complete": "complete", "error": "error"}


def _(msgid: str) -> str:
    """CKAN's gettext where a request is active; the msgid itself in jobs and the CLI."""
    try:
        return tk._(msgid)
    except (RuntimeError, TypeError, KeyError, AttributeError):
        return msgid


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat()


def _table() -> sa.Table:
    return model.task_status_table  # type: ignore[attr-defined]


def read(resource_id: str) -> dict[str, Any] | None:
    """{"state", "value" (dict), "error", "last_updated"} or None."""
    t = _table()
    with model.meta.engine.connect() as conn:  # type: ignore[union-attr]
        row = conn.execute(sa.select(t.c.state, t.c.value, t.c.error, t.c.last_updated).where(
            t.c.entity_id == resource_id, t.c.task_type == TASK_TYPE, t.c.key == KEY)).first()
    if row is None:
        return None
    return {"state": row.state, "value": _loads(row.value), "error": row.error,
            "last_updated": row.last_updated}


def _loads(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def write(resource_id: str, *, replace: bool = False, only_job: str | None = None,
          **changes: Any) -> dict[str, Any] | None:
    """Merge `changes` into the resource's progress (or replace it) in its own transaction.

    `stage` also sets xloader's `state`; in stage "error" the value's `message` also
    goes to its `error` column (what xloader's page shows).
    With `only_job`, nothing is written unless the record still belongs to that job
    (a job that was given up on must not overwrite its successor). Returns the value.
    """
    t = _table()
    with model.meta.engine.begin() as conn:  # type: ignore[union-attr]
        row = conn.execute(sa.select(t.c.id, t.c.value).where(
            t.c.entity_id == resource_id, t.c.task_type == TASK_TYPE, t.c.key == KEY
        ).with_for_update()).first()
        value = {} if replace or row is None else _loads(row.value)
        if only_job is not None and row is not None and value.get("job_id") not in (None, only_job):
            return None
        value.update(changes)
        state = _STATE_OF_STAGE.get(value.get("stage", ""), "pending")
        if value.get("stage") == "indexing" and value.get("viewable"):
            state = "running_but_viewable"
        error = json.dumps({"message": value.get("message")}) \
            if value.get("stage") == "error" else "{}"
        fields = {"value": json.dumps(value, default=str), "state": state,
                  "error": error, "last_updated": dt.datetime.utcnow()}
        if row is None:
            conn.execute(sa.insert(t).values(
                id=str(uuid.uuid4()), entity_id=resource_id, entity_type="resource",
                task_type=TASK_TYPE, key=KEY, **fields))
        else:
            conn.execute(sa.update(t).where(t.c.id == row.id).values(**fields))
    return value


def heartbeat_age(value: dict[str, Any], at: dt.datetime | None = None) -> float | None:
    """Seconds since the job's last heartbeat (None without one)."""
    beat = value.get("heartbeat")
    if not beat:
        return None
    try:
        then = dt.datetime.fromisoformat(beat)
    except ValueError:
        return None
    return ((at or dt.datetime.utcnow()) - then).total_seconds()


def _rq_job_alive(job_id: str | None) -> bool:
    """Whether RQ still holds the job: in its queue, running, deferred or scheduled.

    A job whose queue entry is gone (a Redis restart without its data, a flushed
    queue) will never run, even if its hash survived; a dead horse leaves its job
    "started", which the heartbeat detects instead.
    """
    if not job_id:
        return False
    from ckan.lib.jobs import job_from_id

    try:
        job = job_from_id(job_id)
    except KeyError:
        return False
    state = job.get_status(refresh=True)
    if state == "queued":
        from rq import Queue

        queue = Queue(job.origin, connection=job.connection)
        return job.connection.lpos(queue.key, job.id) is not None
    return state in ("started", "deferred", "scheduled")


def is_stale(value: dict[str, Any], stale_seconds: int) -> bool:
    """A load that stopped without finishing: running stage with an old heartbeat,
    or queued for longer than that with its RQ job gone."""
    stage = value.get("stage")
    age = heartbeat_age(value)
    if age is None or age < stale_seconds:
        return False
    if stage in RUNNING_STAGES:
        return True
    return stage == "queued" and not _rq_job_alive(value.get("job_id"))


def N_(msgid: str) -> str:
    """Marks a msgid for extraction (scripts/i18n.sh); translated when shown."""
    return msgid


# Messages kept in the status (English msgids, translated when shown: logic.present).
STOPPED_MESSAGE = N_("The loading job stopped without finishing: no sign of life for "
                     "{seconds} seconds (the worker was stopped or restarted).")
REQUEUED_NOTE = N_("The previous loading job stopped without finishing; the load was queued "
                   "again.")
LOST_NOTE = N_("The queued load was lost from the job queue (the queue server restarted); "
               "it was queued again.")


def handle_stale(resource_id: str, value: dict[str, Any]) -> str | None:
    """Re-enqueue a stale load, or give up after the last attempt. Returns what was done.

    "requeued" (a new attempt, or a lost queued job queued again), "reindexing" (the
    table was swapped in: only its full-text column and indexes are finished),
    "failed" (the last attempt died), or None when another sweep took it first.
    """
    from ckanext.satudata.loader import config, jobs, recovery

    # Claim the dead record: the periodic sweep and a request's lazy check may race.
    dead_job = value.get("job_id")
    if write(resource_id, only_job=dead_job, job_id=f"swept-{uuid.uuid4()}") is None:
        return None
    attempt = int(value.get("attempt") or 1)
    stage = value.get("stage")
    if stage == "queued":
        # Never ran: not an attempt of its own.
        jobs.enqueue(resource_id, attempt=attempt, ignore_hash=True, note=LOST_NOTE)
        return "requeued"
    if value.get("reload_requested"):
        # Someone asked for a new load while this one was running: it starts afresh.
        jobs.enqueue(resource_id, ignore_hash=True, note=REQUEUED_NOTE)
        return "requeued"
    if attempt < config.max_attempts():
        if stage == "indexing" and value.get("viewable"):
            recovery.enqueue_finish_indexing(resource_id, attempt=attempt + 1)
            return "reindexing"
        jobs.enqueue(resource_id, attempt=attempt + 1, ignore_hash=True, note=REQUEUED_NOTE)
        return "requeued"
    reason = jobs.message(STOPPED_MESSAGE, seconds=config.stale_seconds())
    errors = [*list(value.get("errors") or []), reason]
    write(resource_id, stage="error", errors=errors, finished=now(),
          message=reason["message"])
    log.warning("load of %s (job %s) stopped without finishing; marked as failed",
                resource_id, dead_job)
    return "failed"


def check_stale(resource_id: str) -> str | None:
    """Deal with this resource's load if it is stale (xloader_status, xloader_submit)."""
    from ckanext.satudata.loader import config

    current = read(resource_id)
    if current is None or not is_stale(current["value"], config.stale_seconds()):
        return None
    return handle_stale(resource_id, current["value"])


def sweep_stale_loads() -> list[dict[str, str]]:
    """Find every stale load and re-enqueue or fail it (the CLI, run every minute)."""
    from ckanext.satudata.loader import config

    t = _table()
    with model.meta.engine.connect() as conn:  # type: ignore[union-attr]
        rows = conn.execute(sa.select(t.c.entity_id, t.c.value).where(
            t.c.task_type == TASK_TYPE, t.c.key == KEY,
            t.c.state.in_(("pending", "running", "running_but_viewable")))).all()
    done = []
    for row in rows:
        value = _loads(row.value)
        if "stage" in value and is_stale(value, config.stale_seconds()):
            action = handle_stale(row.entity_id, value)
            if action:
                done.append({"resource_id": row.entity_id, "action": action})
    return done
