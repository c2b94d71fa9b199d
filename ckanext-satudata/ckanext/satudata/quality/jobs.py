"""Scoring in the background: after each dataset change (RQ job) and nightly (all).

`on_action` (core's `action_succeeded`, sent after the action committed) and
`on_published` (verifikasi's `published`) queue `score_datasets` for the dataset
changed; the request never scores. `ckan satudata quality scan` (the periodic
scheduler's nightly job `quality-scan`) scores every dataset in batches.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from ckanext.satudata.quality import checks, tickets
from ckanext.satudata.quality.model import QualityScore

__all__ = ["enqueue", "on_action", "on_published", "scan", "score_datasets"]

log = logging.getLogger(__name__)

BATCH = 500
#: Actions after which the dataset they touched is scored again.
_PACKAGE_ACTIONS = frozenset({"package_create", "package_update", "package_patch",
                              "package_delete", "package_revise", "package_owner_org_update"})
_RESOURCE_ACTIONS = frozenset({"resource_create", "resource_update", "resource_patch",
                               "resource_delete", "datastore_create", "datastore_delete"})


def enqueue(package_ids: list[str]) -> None:
    """Queue a scoring of these datasets. Never raises: the change it follows is
    committed already, and the nightly scan catches up with a scoring that was lost."""
    if not package_ids:
        return
    rq_kwargs: dict[str, Any] = {"timeout": 600}
    try:
        if len(package_ids) == 1:
            # One waiting scoring per dataset is enough: it reads the dataset when it runs
            # (package_patch signals twice, through package_update too).
            job_id = f"{tk.config.get('ckan.site_id')}:satudata_quality:{package_ids[0]}"
            status = _status(job_id)
            if status == JobStatus.QUEUED:
                return
            if status != JobStatus.STARTED:  # a running one keeps its id to its end
                rq_kwargs["job_id"] = job_id
        tk.enqueue_job(score_datasets, [package_ids],
                       title=f"satudata_quality: score {len(package_ids)} dataset(s)",
                       queue="default", rq_kwargs=rq_kwargs)
    except Exception:
        log.exception("quality: could not queue the scoring of %s", package_ids)


def _status(job_id: str) -> JobStatus | None:
    try:
        return Job.fetch(job_id, connection=connect_to_redis()).get_status(refresh=False)
    except NoSuchJobError:
        return None


def _package_of(action_name: str, data_dict: dict[str, Any], result: Any) -> str | None:
    if action_name in _PACKAGE_ACTIONS:
        if isinstance(result, dict) and result.get("id") and "resources" in result:
            return result["id"]
        key = data_dict.get("id") or data_dict.get("name")
        pkg = model.Package.get(key) if key else None
        return pkg.id if pkg else None
    resource_id = (data_dict.get("resource_id") or data_dict.get("id")
                   or (result.get("resource_id") if isinstance(result, dict) else None))
    if action_name in ("resource_create",) and isinstance(result, dict):
        return result.get("package_id")
    resource = model.Resource.get(resource_id) if resource_id else None
    return resource.package_id if resource else None


def on_action(action_name: str, **kwargs: Any) -> None:
    """Receiver of core's `action_succeeded`: a dataset changed, score it again."""
    if action_name not in _PACKAGE_ACTIONS and action_name not in _RESOURCE_ACTIONS:
        return
    try:
        package_id = _package_of(action_name, kwargs.get("data_dict") or {},
                                 kwargs.get("result"))
    except Exception:  # never fail the action that succeeded
        log.exception("quality: no dataset for %s", action_name)
        return
    if package_id:
        enqueue([package_id])


def on_published(package_id: str, **_: Any) -> None:
    """Receiver of verifikasi's `published` signal (after the commit)."""
    enqueue([package_id])


def score_datasets(package_ids: list[str], notify: bool = True) -> dict[str, int]:
    """The job: score these datasets, store the scores and update their tickets."""
    facts = checks.load(package_ids)
    results = [checks.evaluate(f) for f in facts]
    found = {f.id for f in facts}
    return tickets.record(results, gone=[p for p in package_ids if p not in found],
                          notify=notify)


def scan(batch: int = BATCH, notify: bool = True) -> dict[str, int]:
    """Score every dataset (type `dataset`) in batches; datasets scored before and
    gone since lose their open tickets."""
    ids = checks.dataset_ids()
    known = set(model.Session.execute(sa.select(QualityScore.package_id)).scalars())
    regions = checks.valid_regions()
    totals = {"scored": 0, "opened": 0, "closed": 0}
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        results = [checks.evaluate(f) for f in checks.load(chunk, regions)]
        for key, value in tickets.record(results, notify=notify).items():
            totals[key] += value
        model.Session.remove()
    gone = sorted(known - set(ids))
    if gone:
        for key, value in tickets.record([], gone=gone, notify=False).items():
            totals[key] += value
    return totals
