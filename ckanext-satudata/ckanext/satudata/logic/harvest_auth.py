"""Who manages harvest sources: the walidata (and sysadmins), nobody else.

ckanext-harvest forwards its checks to core's package_create/update/delete on the
source (a dataset of type `harvest`), i.e. to CKAN organization capacities. Here:

* the walidata, who holds no organization capacity, may create, update, delete, run,
  abort and follow every harvest source and its jobs (recognised as ckanext-verifikasi
  does, through `ckanext.verifikasi.shared`);
* an OPD's operator (a CKAN editor of the OPD) may NOT create or change a harvest
  source: harvested datasets are written by the site user, so a source of their own
  would be a way around the workflow; sources are managed by the walidata;
* reading a source (harvest_source_show) stays core's package_show, to which
  verifikasi adds the owning OPD's roles and the walidata for private sources.

Every decision is taken from the source (looked up from the id of the object acted
on), never from a parameter the caller picks.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.verifikasi import shared as verifikasi

__all__ = [
    "harvest_job_abort", "harvest_job_create", "harvest_job_list", "harvest_job_show",
    "harvest_send_job_to_gather_queue", "harvest_source_clear", "harvest_source_create",
    "harvest_source_delete", "harvest_source_patch", "harvest_source_reindex",
    "harvest_source_update",
    "package_create", "package_delete", "package_update", "satudata_harvest_mark_stuck",
]

SOURCE_TYPE = "harvest"  # ckanext-harvest's DATASET_TYPE_NAME


def _walidata(context: Context) -> bool:
    return verifikasi.is_walidata(context.get("user"))


def _refused() -> AuthResult:
    return {"success": False,
            "msg": tk._("Only the walidata may manage harvest sources")}


def _walidata_or_next(next_auth: AuthFunction, context: Context,
                      data_dict: DataDict) -> AuthResult:
    if _walidata(context):
        return {"success": True}
    return next_auth(context, data_dict)  # type: ignore[return-value]


def _is_source(context: Context, data_dict: DataDict) -> bool:
    pkg = context.get("package") or model.Package.get(
        (data_dict or {}).get("id") or (data_dict or {}).get("name") or "")
    return bool(pkg is not None and pkg.type == SOURCE_TYPE)


def _sources_only(next_auth: AuthFunction, context: Context, data_dict: DataDict,
                  is_source: bool) -> AuthResult:
    """Core's check on a dataset; on a harvest source: the walidata, sysadmins."""
    if not is_source:
        return next_auth(context, data_dict)  # type: ignore[return-value]
    if _walidata(context):
        return {"success": True}
    return _refused()


def _source_form() -> bool:
    """The request is core's "new dataset" form of the harvest source type (/harvest/new),
    whose view asks package_create without saying which type: the type of its URL."""
    from flask import has_request_context, request

    return bool(has_request_context() and request.view_args
                and request.view_args.get("package_type") == SOURCE_TYPE)


@tk.chained_auth_function
def package_create(next_auth: AuthFunction, context: Context, data_dict: DataDict
                   ) -> AuthResult:
    dataset_type = (data_dict or {}).get("type")
    is_source = dataset_type == SOURCE_TYPE or (not dataset_type and _source_form())
    return _sources_only(next_auth, context, data_dict, is_source)


@tk.chained_auth_function
def package_update(next_auth: AuthFunction, context: Context, data_dict: DataDict
                   ) -> AuthResult:
    return _sources_only(next_auth, context, data_dict, _is_source(context, data_dict))


@tk.chained_auth_function
def package_delete(next_auth: AuthFunction, context: Context, data_dict: DataDict
                   ) -> AuthResult:
    return _sources_only(next_auth, context, data_dict, _is_source(context, data_dict))


# Each forwards to package_* of the source in ckanext-harvest; the walidata is let in
# here directly (that check would ask for an organization capacity).
def _define(name: str) -> Any:
    def auth(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
        return _walidata_or_next(next_auth, context, data_dict)
    auth.__name__ = auth.__qualname__ = name
    auth.__doc__ = f"{name}: the walidata, or whoever ckanext-harvest lets in."
    return tk.chained_auth_function(auth)


harvest_source_create = _define("harvest_source_create")
harvest_source_update = _define("harvest_source_update")
harvest_source_delete = _define("harvest_source_delete")
harvest_source_clear = _define("harvest_source_clear")
harvest_source_reindex = _define("harvest_source_reindex")
harvest_job_create = _define("harvest_job_create")
harvest_send_job_to_gather_queue = _define("harvest_send_job_to_gather_queue")
harvest_job_abort = _define("harvest_job_abort")
harvest_job_show = _define("harvest_job_show")
harvest_job_list = _define("harvest_job_list")

harvest_source_patch = _define("harvest_source_patch")


def satudata_harvest_mark_stuck(context: Context, data_dict: DataDict) -> AuthResult:
    """Closing stuck harvest jobs: the walidata (and sysadmins, who pass every check)."""
    if _walidata(context):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the walidata may stop harvest jobs")}
