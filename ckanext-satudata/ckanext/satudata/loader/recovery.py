"""Finishing a load whose job died after the swap, while indexing.

With `index_after_swap` the new table is live before its `_full_text` column
and indexes are built; a job killed then leaves full-text `q` searches missing
rows. Loading the whole file again would keep them missing until the new
table's own indexing ends, so the sweep queues this job instead: it fills the
`_full_text` cells still empty (the batches the dead job committed stay),
builds the missing indexes and does the after-load steps the dead job skipped.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckanext.datastore.backend import postgres as ds

from ckanext.satudata.loader import config, jobs, shadow, status
from ckanext.satudata.loader.afterswap import after_swap
from ckanext.satudata.loader.errors import message, public_detail
from ckanext.satudata.loader.heartbeat import Heartbeat

log = logging.getLogger(__name__)

RESUMED_NOTE = status.N_("The loading job stopped while indexing the new table; the "
                         "full-text index was finished by a new job.")


def enqueue_finish_indexing(resource_id: str, *, attempt: int) -> str:
    """Queue finish_indexing for the resource (its status says "queued" first)."""
    job_id = str(uuid.uuid4())
    value = (status.read(resource_id) or {}).get("value", {})
    notices = [*list(value.get("notices") or []), dict(message(RESUMED_NOTE), notice=True)]
    status.write(resource_id, job_id=job_id, stage="queued", attempt=attempt,
                 heartbeat=status.now(), queued=status.now(), notices=notices,
                 reload_requested=False, finished=None, message=None, indexing_only=True)
    tk.enqueue_job(finish_indexing, [resource_id], {"attempt": attempt},
                   title=f"satudata_loader: finish indexing {resource_id} attempt {attempt}",
                   queue="default",
                   rq_kwargs={"timeout": config.job_timeout(), "job_id": job_id})
    return job_id


def finish_indexing(resource_id: str, attempt: int = 2) -> None:
    """The RQ job: `_full_text` and indexes of the live table, then the after-load steps."""
    from rq import get_current_job

    job = get_current_job()
    job_id = job.id if job else f"direct-{uuid.uuid4()}"
    beat = Heartbeat(resource_id, job_id)
    beat.start()

    def progress(**fields: Any) -> None:
        status.write(resource_id, only_job=job_id, heartbeat=status.now(), **fields)

    try:
        with shadow.resource_lock(resource_id):
            progress(stage="indexing", viewable=True, attempt=attempt, started=status.now())
            with shadow.engine().connect() as conn:
                fields = [shadow.Field(f["id"], f["type"])
                          for f in ds._get_fields(conn, resource_id)]  # noqa: SLF001
                rows = conn.execute(sa.text(
                    f"SELECT count(*) FROM {ds.identifier(resource_id)}")).scalar()
            shadow.fill_full_text_live(resource_id, fields, on_batch=lambda done, _total:
                                       progress(rows_indexed=done))
            shadow.create_indexes_live(resource_id)
            after_swap(tk.get_action("resource_show")(
                {"ignore_auth": True}, {"id": resource_id}))
            progress(stage="complete", finished=status.now(), rows_loaded=rows,
                     rows_total=rows, indexing_only=False)
    except Exception as exc:
        log.exception("finishing the index of %s failed", resource_id)
        errors = [message("The load failed unexpectedly: {error}", error=public_detail(exc))]
        progress(stage="error", finished=status.now(), errors=errors,
                 message=errors[0]["message"], indexing_only=False)
    finally:
        beat.halt.set()
    current = (status.read(resource_id) or {}).get("value", {})
    if current.get("job_id") == job_id and current.get("reload_requested"):
        jobs.enqueue(resource_id, ignore_hash=True)
