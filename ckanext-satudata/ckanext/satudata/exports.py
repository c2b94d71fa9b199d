"""DataStore downloads that spreadsheets cannot turn into formulas.

Replaces core's `/datastore/dump/<resource_id>` for CSV and TSV (and adds
XLSX): text cells starting with =, +, -, @, tab or CR get a leading quote
(see tabular/export.py). JSON and XML go to core's dump unchanged: they are
machine formats no spreadsheet evaluates, and altering values there would
corrupt data for API users. Every row is read through `datastore_search`
with the caller's identity, so the access rules of verifikasi apply.
"""
from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.datastore.blueprint import dump as core_dump
from flask import Blueprint, Response

from ckanext.satudata import verification
from ckanext.satudata.tabular import export

satudata_export = Blueprint("satudata_export", __name__)

PAGE = 10000


def _user() -> str:
    return tk.current_user.name if tk.current_user.is_authenticated else ""


def _search(resource_id: str, **params: Any) -> dict[str, Any]:
    return tk.get_action("datastore_search")({"user": _user()}, {
        "resource_id": resource_id, "include_total": False, **params})


def _records(resource_id: str, params: dict[str, Any], limit: int | None) -> Iterator[dict]:
    offset = tk.asint(params.pop("offset", 0) or 0)
    remaining = limit
    while remaining is None or remaining > 0:
        size = PAGE if remaining is None else min(PAGE, remaining)
        page = _search(resource_id, offset=offset, limit=size, **params)["records"]
        yield from page
        if len(page) < size:
            return
        offset += size
        if remaining is not None:
            remaining -= size


def _params() -> tuple[dict[str, Any], int | None]:
    args = tk.request.args
    params: dict[str, Any] = {"sort": args.get("sort") or "_id"}
    for key in ("q", "plain", "language", "distinct"):
        if args.get(key):
            params[key] = args[key]
    if args.get("filters"):
        try:
            params["filters"] = json.loads(args["filters"])
        except ValueError:
            tk.abort(400, tk._("filters: not valid JSON"))
    if args.get("fields"):
        params["fields"] = [f.strip() for f in args["fields"].split(",") if f.strip()]
    if args.get("offset"):
        params["offset"] = args["offset"]
    limit = args.get("limit")
    return params, (tk.asint(limit) if limit not in (None, "") else None)


def _refused(resource_id: str) -> Any:
    """403 when the visitor may see the dataset but not its data (a terbatas table: a
    harvester records a refusal, not a broken link, and a person learns to ask for
    access); 404 when the dataset itself is hidden from them (a draft, rahasia), so a
    refusal never tells that it exists."""
    resource = model.Resource.get(resource_id)
    if resource is not None and resource.state == "active":
        try:
            tk.check_access("package_show", {"user": _user()}, {"id": resource.package_id})
        except tk.NotAuthorized:
            pass
        else:
            return tk.abort(403, tk._(
                "This data is restricted: you can request access to it on its dataset's "
                "page"))
    return tk.abort(404, tk._("DataStore resource not found"))


def dump(resource_id: str):
    fmt = (tk.request.args.get("format") or "csv").lower()
    try:
        fields = _search(resource_id, limit=0)["fields"]
    except tk.NotAuthorized:
        return _refused(resource_id)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("DataStore resource not found"))
    if fmt not in ("csv", "tsv", "xlsx"):
        response = core_dump(resource_id)
        verification.send_datastore_dump(resource_id, user=_user(), format=fmt)
        return response
    params, limit = _params()
    if params.get("fields"):
        fields = [f for f in fields if f["id"] in params["fields"]]
    records = _records(resource_id, dict(params), limit)
    # Spooled: small downloads stay in memory, big ones go to a temporary file.
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 2**20)  # noqa: SIM115 - stream() closes it
    if fmt == "xlsx":
        export.write_xlsx(fields, records, spool)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        bom = tk.asbool(tk.request.args.get("bom"))
        # SpooledTemporaryFile is a binary buffer, though typeshed does not say so.
        text = io.TextIOWrapper(cast(BinaryIO, spool), encoding="utf-8-sig" if bom else "utf-8",
                                newline="")
        export.write_csv(fields, records, text, delimiter="\t" if fmt == "tsv" else ",")
        text.flush()
        text.detach()
        mimetype = "text/csv" if fmt == "csv" else "text/tab-separated-values"
    spool.seek(0)
    verification.send_datastore_dump(resource_id, user=_user(), format=fmt)

    def stream() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(1 << 16):
                yield chunk

    return Response(stream(), mimetype=f"{mimetype}; charset=utf-8" if fmt != "xlsx"
                    else mimetype, headers={
                        "Content-Disposition": f'attachment; filename="{resource_id}.{fmt}"'})


# Registered before core's datastore blueprint, so this rule answers first.
satudata_export.add_url_rule("/datastore/dump/<resource_id>", "dump", dump)
