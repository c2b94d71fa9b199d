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


def table() -> sa.Table:
    return model.task_status_table  # type: ignore[attr-defined]


def read(resource_id: str) -> dict[str, Any] | None:
    """{"state", "value" (dict), "error", "last_updated"} or None."""
    t = table()
    with model.meta.engine.connect() as conn:  # type: ignore[union-attr]
        row = conn.execute(sa.select(t.c.state, t.c.value, t.c.error, t.c.last_updated).where(
            t.c.entity_id == resource_id, t.c.task_type == TASK_TYPE, t.c.key == KEY)).first()
    if row is None:
        return None
    return {"state": row.state, "value": loads(row.value), "error": row.error,
            "last_updated": row.last_updated}


def loads(text: str | None) -> dict[str, Any]:
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
    t = table()
    with model.meta.engine.begin() as conn:  # type: ignore[union-attr]
        row = conn.execute(sa.select(t.c.id, t.c.value).where(
            t.c.entity_id == resource_id, t.c.task_type == TASK_TYPE, t.c.key == KEY
        ).with_for_update()).first()
        value = {} if replace or row is None else loads(row.value)
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
