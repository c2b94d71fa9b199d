"""The load job (RQ): read a resource's file into its DataStore table, reporting in its status.

`enqueue` queues `load_resource` by this module's path (ckanext.satudata.loader.jobs.
load_resource); the load itself is loader.run, the file loader.source, what follows
the swap loader.afterswap.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata.loader import config, shadow, status
from ckanext.satudata.loader.afterswap import after_swap, site_context
from ckanext.satudata.loader.columns import declared_separator
from ckanext.satudata.loader.errors import LoadFailed, message, public_detail
from ckanext.satudata.loader.heartbeat import Heartbeat
from ckanext.satudata.loader.run import run_load
from ckanext.satudata.loader.source import file_of, md5
from ckanext.satudata.pii import paths as pii_paths
from ckanext.satudata.tabular.guard import FileRejected

log = logging.getLogger(__name__)

Progress = Callable[..., None]


def enqueue(resource_id: str, *, attempt: int = 1, ignore_hash: bool = False,
            note: str | None = None) -> str:
    """Queue a load of the resource; its status says "queued" before the worker can see it."""
    job_id = str(uuid.uuid4())
    notices = [dict(message(note), notice=True)] if note else []
    status.write(resource_id, job_id=job_id, stage="queued", attempt=attempt,
                 heartbeat=status.now(), queued=status.now(), rows_loaded=0, rows_total=None,
                 errors=[], notices=notices, reload_requested=False, started=None,
                 finished=None, message=None, viewable=False)
    tk.enqueue_job(load_resource, [resource_id], {"attempt": attempt, "ignore_hash": ignore_hash},
                   title=f"satudata_loader: resource {resource_id} attempt {attempt}",
                   queue="default",
                   rq_kwargs={"timeout": config.job_timeout(), "job_id": job_id})
    return job_id


def load_resource(resource_id: str, attempt: int = 1, ignore_hash: bool = False) -> None:
    """The RQ job. Never leaves the status in a running stage when it ends."""
    from rq import get_current_job

    job = get_current_job()
    job_id = job.id if job else f"direct-{uuid.uuid4()}"
    beat = Heartbeat(resource_id, job_id)
    beat.start()

    def progress(claim: bool = False, **fields: Any) -> None:
        # The first write claims the record; later ones stop if a successor took it over.
        status.write(resource_id, only_job=None if claim else job_id,
                     heartbeat=status.now(), **fields)

    cleanups: list[Callable[[], None]] = []
    try:
        with shadow.resource_lock(resource_id):
            progress(claim=True, job_id=job_id, stage="reading", attempt=attempt,
                     started=status.now())
            _load(resource_id, ignore_hash, progress, cleanups)
    except LoadFailed as exc:
        progress(stage="error", finished=status.now(), errors=exc.errors,
                 message=exc.errors[0]["message"] if exc.errors else None)
    except FileRejected as exc:
        errors = [dict(msgid=exc.message, params={}, message=exc.message, code=exc.code)]
        progress(stage="error", finished=status.now(), errors=errors, message=exc.message)
    except Exception as exc:
        log.exception("load of %s failed", resource_id)
        errors = [message("The load failed unexpectedly: {error}", error=public_detail(exc))]
        progress(stage="error", finished=status.now(), errors=errors,
                 message=errors[0]["message"])
    finally:
        beat.halt.set()
        for cleanup in cleanups:
            cleanup()
    current = (status.read(resource_id) or {}).get("value", {})
    if current.get("job_id") == job_id and current.get("reload_requested"):
        enqueue(resource_id, ignore_hash=True)


def _check_personal_data(resource_id: str, path: str, filename: str | None) -> None:
    """A linked file bound for a published dataset's live table passes the personal data
    gate before anything is loaded."""
    try:
        pii_paths.check_fetched_file(resource_id, path, filename)
    except tk.ValidationError as exc:
        texts = exc.error_dict.get("data_pribadi") or [str(exc)]
        raise LoadFailed([dict(msgid=str(text), params={}, message=str(text))
                          for text in texts]) from None


def _load(resource_id: str, ignore_hash: bool, progress: Progress,
          cleanups: list[Callable[[], None]]) -> None:
    """The job's steps under the resource's lock: the resource, its file, the load, after it."""
    try:
        resource = tk.get_action("resource_show")(site_context(), {"id": resource_id})
    except tk.ObjectNotFound:
        progress(stage="error", finished=status.now(), message="Resource not found",
                 errors=[message("Resource not found")])
        return
    if not config.handles(resource):
        # Became DataStore-managed after it was queued (datastore_create makes
        # the resource first and marks it afterwards): its table is the data.
        progress(stage="complete", finished=status.now())
        return
    path, filename, cleanup = file_of(resource)
    cleanups.append(cleanup)
    file_hash = md5(path)
    sheet = resource.get("satudata_sheet") or None
    separator = declared_separator(resource)
    if not ignore_hash and _unchanged(resource, file_hash, sheet, separator):
        progress(stage="complete", finished=status.now(), notices=[dict(message(
            "The file has not changed since the last load; nothing was reloaded."),
            notice=True)])
        return
    if resource.get("url_type") != "upload":  # uploads were checked when they were stored
        _check_personal_data(resource_id, path, filename)
    result = run_load(resource_id, path, filename, sheet=sheet, on_progress=progress,
                      decimal_separator=separator)
    after_swap(resource)
    progress(stage="complete", finished=status.now(), rows_loaded=result.rows,
             rows_total=result.rows, sheets=result.sheets, sheet=result.sheet,
             columns=result.columns, notices=result.notices, file_hash=file_hash,
             last_loaded_hash=file_hash, last_loaded_sheet=sheet,
             last_loaded_decimal=separator,
             timings={k: round(v, 3) for k, v in result.timings.items()},
             viewable=True)


def _unchanged(resource: dict[str, Any], file_hash: str, sheet: str | None,
               separator: str | None) -> bool:
    """Whether the last load read this very file, sheet and decimal separator."""
    previous = (status.read(resource["id"]) or {}).get("value", {})
    return bool(previous.get("last_loaded_hash") == file_hash
                and previous.get("last_loaded_sheet") == sheet
                and previous.get("last_loaded_decimal") == separator
                and resource.get("datastore_active"))
