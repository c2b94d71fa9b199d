"""Loads that stopped without finishing: found by their heartbeat, re-queued or failed.

Sits above status (the record), jobs (enqueueing a new attempt) and recovery (finishing
the indexing of a swapped-in table); nothing low-level imports it.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.satudata.loader import config, jobs, recovery, status
from ckanext.satudata.loader.errors import message

log = logging.getLogger(__name__)

# Messages kept in the status (English msgids, translated when shown: logic.present).
STOPPED_MESSAGE = status.N_("The loading job stopped without finishing: no sign of life for "
                            "{seconds} seconds (the worker was stopped or restarted).")
REQUEUED_NOTE = status.N_("The previous loading job stopped without finishing; the load was queued "
                          "again.")
LOST_NOTE = status.N_("The queued load was lost from the job queue (the queue server restarted); "
                      "it was queued again.")


def handle_stale(resource_id: str, value: dict[str, Any]) -> str | None:
    """Re-enqueue a stale load, or give up after the last attempt. Returns what was done.

    "requeued" (a new attempt, or a lost queued job queued again), "reindexing" (the
    table was swapped in: only its full-text column and indexes are finished),
    "failed" (the last attempt died), or None when another sweep took it first.
    """
    # Claim the dead record: the periodic sweep and a request's lazy check may race.
    dead_job = value.get("job_id")
    if status.write(resource_id, only_job=dead_job, job_id=f"swept-{uuid.uuid4()}") is None:
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
    reason = message(STOPPED_MESSAGE, seconds=config.stale_seconds())
    errors = [*list(value.get("errors") or []), reason]
    status.write(resource_id, stage="error", errors=errors, finished=status.now(),
          message=reason["message"])
    log.warning("load of %s (job %s) stopped without finishing; marked as failed",
                resource_id, dead_job)
    return "failed"


def check_stale(resource_id: str) -> str | None:
    """Deal with this resource's load if it is stale (xloader_status, xloader_submit)."""
    current = status.read(resource_id)
    if current is None or not status.is_stale(current["value"], config.stale_seconds()):
        return None
    return handle_stale(resource_id, current["value"])


def sweep_stale_loads() -> list[dict[str, str]]:
    """Find every stale load and re-enqueue or fail it (the CLI, run every minute)."""
    t = status.table()
    with model.meta.engine.connect() as conn:  # type: ignore[union-attr]
        rows = conn.execute(sa.select(t.c.entity_id, t.c.value).where(
            t.c.task_type == status.TASK_TYPE, t.c.key == status.KEY,
            t.c.state.in_(("pending", "running", "running_but_viewable")))).all()
    done = []
    for row in rows:
        value = status.loads(row.value)
        if "stage" in value and status.is_stale(value, config.stale_seconds()):
            action = handle_stale(row.entity_id, value)
            if action:
                done.append({"resource_id": row.entity_id, "action": action})
    return done
