"""Malformed request input is a 4xx naming the field, never a 500.

* `int_arg`: a whole number from a page's query string (`?page=abc` is a 400).
* `refuse_nul_bytes`: a NUL character (byte 0) in any argument, form field, uploaded
  file's name or JSON value is refused before a view runs: PostgreSQL cannot store it,
  so it would otherwise end as a 500 wherever the value reaches the database (a
  resource's name or upload, an import's file name, ...). Pages answer 400; the action
  API answers 409 with a Validation Error naming the field, as an action would.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, jsonify, request

from ckanext.verifikasi import shared

__all__ = ["int_arg", "nul_guard", "nul_field"]

#: Registers `refuse_nul_bytes` for every request of the app (no routes of its own).
nul_guard = Blueprint("satudata_nul_guard", __name__)

_MAX_JSON_DEPTH = 50


def int_arg(name: str, default: int = 1, *, minimum: int = 1, maximum: int = 10**9,
            args: Any = None) -> int:
    """verifikasi's `int_arg` (one parser, one message), counting pages from 1."""
    result: int = shared.int_arg(name, default, minimum=minimum, maximum=maximum, args=args)
    return result


def _json_field(value: Any, path: str, depth: int = 0) -> str | None:
    if depth > _MAX_JSON_DEPTH:
        return None
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return path or "data"
        found = _json_field(item, str(key) if not path else f"{path}.{key}", depth + 1)
        if found:
            return found
    return None


def nul_field() -> tuple[str, bool] | None:
    """(field, is a file name) of the first value of the request holding a NUL, or None."""
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return key.replace("\x00", ""), False
    for key, storage in request.files.items(multi=True):
        if "\x00" in key or "\x00" in (storage.filename or ""):
            return key.replace("\x00", ""), True
    if request.path.startswith("/api/") and request.is_json:
        found = _json_field(request.get_json(silent=True), "")
        if found:
            return found.replace("\x00", ""), False
    return None


@nul_guard.before_app_request
def refuse_nul_bytes() -> Any:
    found = nul_field()
    if found is None:
        return None
    field, is_file = found
    if is_file:
        message = tk._('The name of the file in "{field}" contains a NUL character '
                       "(byte 0). Rename the file and upload it again.").format(field=field)
    else:
        message = tk._('The field "{field}" contains a NUL character (byte 0), which '
                       "cannot be stored. Remove it and send the form again.").format(
            field=field)
    if request.path.startswith("/api/"):
        response = jsonify({"success": False, "error": {
            "__type": "Validation Error", field: [message]}})
        response.status_code = 409
        return response
    return tk.abort(400, message)
