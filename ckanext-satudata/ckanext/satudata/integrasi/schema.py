"""Schemas of the integration actions (one per action)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from ckanext.satudata.integrasi.model import FORMATS, SCHEDULES

#: Longest free text of a request field.
TEXT_MAX = 5000
#: Most rows in one push (a bigger batch: several pushes of the same period upsert).
PUSH_MAX_ROWS = 5000


def _v(name: str) -> Any:
    return tk.get_validator(name)


def _text(max_length: int = TEXT_MAX) -> list[Any]:
    return [_v("not_empty"), _v("unicode_safe"), _v("strip_value"), _v("not_empty"),
            _length(max_length)]


def _length(limit: int) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            raise tk.Invalid(tk._("At most {n} characters").format(n=limit))
        return value
    return check


def _one_of(choices: Any) -> Any:
    allowed = tuple(choices)

    def check(value: Any) -> Any:
        if value not in allowed:
            raise tk.Invalid(tk._("Choose one of: {choices}").format(
                choices=", ".join(allowed)))
        return value
    return check


def _list_of_rows(value: Any) -> Any:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise tk.Invalid(tk._(
            "rows must be a list of objects, one per row, of column names and values"))
    if not value:
        raise tk.Invalid(tk._("Give at least one row"))
    if len(value) > PUSH_MAX_ROWS:
        raise tk.Invalid(tk._("At most {n} rows in one push").format(n=PUSH_MAX_ROWS))
    return value


def _http_url(value: Any) -> Any:
    from ckanext.satudata import safe_fetch

    try:
        safe_fetch.check_url(str(value))
    except safe_fetch.FetchError as err:
        raise tk.Invalid(tk._("Give an http or https URL")) from err
    return value


def _organization(value: Any) -> Any:
    """An active OPD, given by id or name, as its id."""
    from ckan import model

    org = model.Group.get(str(value))
    if org is None or not org.is_organization or org.state != "active":
        raise tk.Invalid(tk._("Unknown OPD"))
    return org.id


def create() -> Schema:
    return {"organization_id": [_v("not_empty"), _v("unicode_safe"), _organization],
            "system_name": _text(200), "contact": _text(500),
            "api_description": _text(), "data_structure": _text(),
            "upload": [_v("ignore_missing")]}


def by_id() -> Schema:
    return {"id": [_v("not_empty"), _v("unicode_safe")]}


def decide() -> Schema:
    return {"id": [_v("not_empty"), _v("unicode_safe")],
            "decision": [_v("not_empty"), _one_of(("approve", "reject"))],
            "note": [_v("ignore_missing"), _v("unicode_safe"), _length(TEXT_MAX)]}


def revoke() -> Schema:
    return {"id": [_v("not_empty"), _v("unicode_safe")], "reason": _text()}


def document_add() -> Schema:
    return {"id": [_v("not_empty"), _v("unicode_safe")], "upload": [_v("not_missing")]}


def document_show() -> Schema:
    return {"id": [_v("not_empty"), _v("unicode_safe")],
            "document_id": [_v("not_empty"), _v("unicode_safe")]}


def listing() -> Schema:
    return {"organization_id": [_v("ignore_missing"), _v("unicode_safe")]}


def pull_set() -> Schema:
    return {"input_id": [_v("not_empty"), _v("unicode_safe")],
            "integration_id": [_v("ignore_missing"), _v("unicode_safe")],
            "url": [_v("not_empty"), _v("unicode_safe"), _length(2000), _http_url],
            "format": [_v("not_empty"), _one_of(FORMATS)],
            "schedule": [_v("not_empty"), _one_of(SCHEDULES)],
            "period": [_v("not_empty"), _v("unicode_safe")],
            "enabled": [_v("default")(True), _v("boolean_validator")]}


def by_input() -> Schema:
    return {"input_id": [_v("not_empty"), _v("unicode_safe")]}


def push() -> Schema:
    """The fields besides `rows`: CKAN's validation would read a list of objects as
    nested fields, so `rows` is checked by `push_rows`."""
    return {"input_id": [_v("not_empty"), _v("unicode_safe")],
            "period": [_v("not_empty"), _v("unicode_safe")]}


def push_rows(value: Any) -> list[Any]:
    """`rows` of a push: a list of objects {column: value}, at most PUSH_MAX_ROWS."""
    try:
        return _list_of_rows(value)
    except tk.Invalid as err:
        raise tk.ValidationError({"rows": [err.error]}) from err


def kpi() -> Schema:
    return {}
