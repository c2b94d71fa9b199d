"""Chained ckanext-harvest actions: clear errors instead of server errors.

* `harvest_job_create` on a source with a job waiting or running, or on an inactive
  source, answers a ValidationError (HTTP 409) with a message for the user; the
  exception still is ckanext-harvest's own (`HarvestJobExists`,
  `HarvestSourceInactiveError`), so its scheduler and views, which catch those,
  keep working.
* Saving a harvest source (core's package_create/update of a dataset of type
  `harvest`, which the harvest actions, the harvest forms and the API all go
  through) checks the portal's part of its configuration (see `harvest_source`):
  every mistake named by its key, nothing stored.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic.schema import validator_args
from ckan.types import Action, Context, DataDict, Schema, Validator
from ckanext.harvest.logic import HarvestJobExists, HarvestSourceInactiveError

from ckanext.satudata import harvest_jobs, harvest_source

__all__ = ["harvest_job_create", "harvest_source_create", "harvest_source_patch",
           "harvest_source_update", "package_create", "package_update",
           "satudata_harvest_mark_stuck"]


class JobExists(HarvestJobExists, tk.ValidationError):
    """A job of the source is waiting or running (ckanext-harvest's error, as a 409)."""

    def __init__(self) -> None:
        tk.ValidationError.__init__(self, {"source_id": [tk._(
            "This harvest source already has a job waiting or running; a new harvest "
            "can start when it has finished")]})


class SourceInactive(HarvestSourceInactiveError, tk.ValidationError):
    """The source is inactive (ckanext-harvest's error, as a 409)."""

    def __init__(self) -> None:
        tk.ValidationError.__init__(self, {"source_id": [tk._(
            "This harvest source is inactive; activate it before harvesting")]})


@tk.chained_action
def harvest_job_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Create a harvest job for a source (and run it), as ckanext-harvest does.

    Args:
        source_id: the harvest source.
        run: put the job on the gather queue (default true).

    Returns:
        the job. A source with a job waiting or running, or an inactive source, gives
        a ValidationError naming `source_id`.
    """
    try:
        return next_action(context, data_dict)
    except (JobExists, SourceInactive):
        raise
    except HarvestJobExists:
        raise JobExists() from None
    except HarvestSourceInactiveError:
        raise SourceInactive() from None


def _check_source_config(data_dict: DataDict, source_type: str | None) -> None:
    if "config" not in data_dict:
        return
    errors = harvest_source.config_errors(data_dict.get("config"), source_type)
    if errors:
        raise tk.ValidationError({"config": errors})


def _as_checked(next_action: Action, context: Context, data_dict: DataDict,
                auth: str) -> Any:
    """Run core's action on a harvest source once `auth` let the caller in.

    The walidata holds no organization capacity, which core's owner_org validator asks
    for even after the auth function agreed: the check made here is the one that
    counts, so core's own repeats are skipped for this call."""
    tk.check_access(auth, context, data_dict)
    if context.get("ignore_auth"):
        return next_action(context, data_dict)
    context["ignore_auth"] = True
    try:
        return next_action(context, data_dict)
    finally:
        context.pop("ignore_auth", None)


def _checked_first(auth: str, next_action: Action, context: Context,
                   data_dict: DataDict) -> Any:
    """ckanext-harvest's source actions check access only deep inside core's package
    actions, after other plugins' chained package actions ran for a caller that may be
    anonymous: the source's own auth function is asked first (403, never 500)."""
    tk.check_access(auth, context, data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def harvest_source_create(next_action: Action, context: Context, data_dict: DataDict
                          ) -> Any:
    """Create a harvest source (ckanext-harvest's action; the walidata or a sysadmin)."""
    return _checked_first("harvest_source_create", next_action, context, data_dict)


@tk.chained_action
def harvest_source_update(next_action: Action, context: Context, data_dict: DataDict
                          ) -> Any:
    """Update a harvest source (ckanext-harvest's action; the walidata or a sysadmin)."""
    return _checked_first("harvest_source_update", next_action, context, data_dict)


@tk.chained_action
def harvest_source_patch(next_action: Action, context: Context, data_dict: DataDict
                         ) -> Any:
    """Patch a harvest source (ckanext-harvest's action; the walidata or a sysadmin)."""
    return _checked_first("harvest_source_patch", next_action, context, data_dict)


def _keep_active(data_dict: DataDict, source_id: str | None, before: bool | None) -> None:
    """ckanext-harvest ignores `active` given to the source actions and re-activates a
    source on every update that carries `state: active` (as every patch does): the
    value asked for is stored, otherwise the source keeps what it had."""
    from ckanext.harvest.model import HarvestSource
    source = HarvestSource.get(source_id) if source_id else None
    if source is None:
        return
    if "active" in data_dict:
        wanted = tk.asbool(data_dict["active"])
    elif before is not None:
        wanted = before
    else:
        return
    if data_dict.get("state") == "deleted":
        wanted = False
    if source.active != wanted:
        source.active = wanted
        source.save()


def _active_before(package_id: str | None) -> bool | None:
    from ckanext.harvest.model import HarvestSource
    source = HarvestSource.get(package_id) if package_id else None
    return None if source is None else bool(source.active)


@tk.chained_action
def package_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """A harvest source's configuration is checked before anything is stored."""
    if data_dict.get("type") != harvest_source.SOURCE_TYPE:
        return next_action(context, data_dict)
    _check_source_config(data_dict, data_dict.get("source_type"))
    result = _as_checked(next_action, context, data_dict, "package_create")
    _keep_active(data_dict, result.get("id") if isinstance(result, dict) else None, None)
    return result


@tk.chained_action
def package_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """A harvest source's configuration is checked before anything is stored."""
    pkg = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if pkg is None or pkg.type != harvest_source.SOURCE_TYPE:
        return next_action(context, data_dict)
    _check_source_config(data_dict, data_dict.get("source_type"))
    before = _active_before(pkg.id)
    result = _as_checked(next_action, context, data_dict, "package_update")
    _keep_active(data_dict, pkg.id, before)
    return result


@validator_args
def _mark_stuck_schema(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {"source_id": [ignore_missing, unicode_safe]}


@tk.validate_action_data(_mark_stuck_schema)
def satudata_harvest_mark_stuck(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Close the harvest jobs waiting or running without progress for longer than
    `ckanext.satudata.harvest.job_timeout_minutes` (see `harvest_jobs`).

    Args:
        source_id: only this harvest source's jobs (id or name; optional).

    Returns:
        `{"jobs": [ids of the jobs closed], "timeout_minutes": the limit applied}`.
    """
    tk.check_access("satudata_harvest_mark_stuck", context, data_dict)
    source_id = None
    if data_dict.get("source_id"):
        pkg = model.Package.get(data_dict["source_id"])
        if pkg is None or pkg.type != harvest_source.SOURCE_TYPE:
            raise tk.ObjectNotFound(tk._("Harvest source not found"))
        source_id = pkg.id
    timeout = harvest_jobs.job_timeout_minutes()
    return {"jobs": harvest_jobs.mark_stuck(timeout_minutes=timeout, source_id=source_id),
            "timeout_minutes": timeout}
