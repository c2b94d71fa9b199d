"""Input schemas of the data input actions (`validator_args`, as verifikasi's) and the
parsers of their structured fields.

The schemas cover the plain fields. `columns`, `rows` and `values` are lists of dicts (or
dicts) of any shape: navl's flattening turns a list of dicts into flat keys and fails on
a list mixing dicts and other values, so those are parsed by the functions at the end of
this module, which name each wrong column or row.

Checks that need the input package (a period that fits its frequency, the columns a
survey link may ask) stay in the actions. The actions validate after finding the objects
the request names (as before the schemas: a wrong id answers before a wrong field), so
`id` in a schema documents the parameter (the OpenAPI document) and never fails there.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

from ckanext.satudata.localtime import local_to_utc
from ckanext.satudata.ms_var import TIPE_DATA
from ckanext.satudata.tabular.structure import (
    COLUMN_ID,
    FREQUENCIES,
    RESERVED_IDS,
    Column,
    Structure,
)
from ckanext.satudata.tabular.values import DECIMAL_SEPARATORS

IMPORT_MODES = ("all_or_nothing", "valid_only")
DECISIONS = ("accept", "reject")


# --- validators ---------------------------------------------------------------------------

def if_given(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any) -> None:
    """Skip the field when it is not in the request at all (None is given, and checked)."""
    if data.get(key) is tk.missing:
        data.pop(key, None)
        raise tk.StopOnError


def input_title(value: Any) -> str:
    """A title: the text without surrounding spaces, never empty (None counts as empty)."""
    title = str(value or "").strip()
    if not title:
        raise tk.Invalid(tk._("Missing value"))
    return title


def input_frequency(value: Any) -> str:
    value = value or "tahunan"
    if value not in FREQUENCIES:
        raise tk.Invalid(tk._("The frequency must be one of {choices}").format(
            choices=", ".join(FREQUENCIES)))
    return value


def whole_number(default: int, minimum: int, maximum: int = 10**9) -> Any:
    """A whole number from `minimum` to `maximum`, `default` when absent or empty."""
    def validator(value: Any) -> int:
        if value is tk.missing or value is None or value == "":
            return default
        try:
            number = int(str(value).strip())
            if minimum <= number <= maximum:
                return number
        except ValueError:
            pass
        raise tk.Invalid(tk._("Must be a whole number from {minimum} to {maximum}").format(
            minimum=minimum, maximum=maximum))
    return validator


def decimal_separator(value: Any) -> str | None:
    """The decimal separator declared for a file ("," or "."), None to read it from the data."""
    value = value or None
    if value not in (None, *DECIMAL_SEPARATORS):
        raise tk.Invalid(tk._('The decimal separator must be "," or "."'))
    return value


def import_mode(value: Any) -> str:
    value = value or "all_or_nothing"
    if value not in IMPORT_MODES:
        raise tk.Invalid(tk._("The mode must be all_or_nothing or valid_only"))
    return value


def local_datetime(value: Any) -> dt.datetime | None:
    """A date-time given to an action as the naive UTC time stored.

    A naive value (the web form's `datetime-local`, "2026-12-20T23:59", or a date, which
    means 23:59 of that day) is local time (WIB); an ISO string or datetime with an offset
    ("2026-12-20T23:59:00+07:00", "...Z") keeps its offset. Both are converted to UTC.
    """
    if value is tk.missing or value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return local_to_utc(value)
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
        return local_to_utc(day.replace(hour=23, minute=59))
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise tk.Invalid(tk._("Not a date; use DD/MM/YYYY")) from None
    return local_to_utc(parsed)


def expiry(value: Any) -> dt.datetime | None:
    """A `local_datetime` not in the past, None for none."""
    expires = local_datetime(value)
    if expires and expires < dt.datetime.utcnow():
        raise tk.Invalid(tk._("The expiry lies in the past"))
    return expires


def submission_limit(value: Any) -> int | None:
    """At most this many submissions (a whole number of at least 1), None for no limit."""
    if value is tk.missing or value in (None, ""):
        return None
    try:
        number = int(value)
        if number < 1:
            raise ValueError
    except (TypeError, ValueError):
        raise tk.Invalid(tk._("Must be a whole number of at least 1")) from None
    return number


def review_decision(value: Any) -> str:
    if value not in DECISIONS:
        raise tk.Invalid(tk._("The decision must be accept or reject"))
    return value


def submitted_values(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise tk.Invalid(tk._("No values given"))
    return value


# --- schemas ------------------------------------------------------------------------------

@validator_args
def package_create() -> Schema:
    return {"title": [input_title], "frequency": [input_frequency]}


@validator_args
def package_update(not_empty: Validator) -> Schema:
    return {"id": [not_empty], "title": [if_given, input_title]}


@validator_args
def rows_list() -> Schema:
    return {"offset": [whole_number(0, minimum=0)],
            "limit": [whole_number(100, minimum=1)]}


@validator_args
def import_check(not_empty: Validator) -> Schema:
    return {"id": [not_empty], "decimal_separator": [decimal_separator]}


@validator_args
def import_apply() -> Schema:
    return {"mode": [import_mode]}


@validator_args
def survey_link_create(not_empty: Validator) -> Schema:
    return {"id": [not_empty], "expires": [expiry],
            "max_submissions": [submission_limit]}


@validator_args
def survey_submit() -> Schema:
    return {"values": [submitted_values]}


@validator_args
def submission_review() -> Schema:
    return {"decision": [review_decision]}


def validate(data_dict: dict[str, Any], schema: Schema, context: Any,
             ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The fields of `schema` found in `data_dict`, validated, and their errors.

    Only the schema's fields go through navl: the others (`columns`, `rows`, an upload)
    are parsed by the functions below or used as they are.
    """
    given = {key: value for key, value in data_dict.items() if key in schema}
    return tk.navl_validate(given, schema, context)


# --- structured fields --------------------------------------------------------------------

def domain(value: Any, label: str) -> list[dict[str, str]]:
    """The allowed values of a column: a list of {kode, nilai} or lines `kode=nilai`."""
    if isinstance(value, list):
        items = value
    else:
        items = []
        for line in str(value or "").splitlines():
            if not line.strip():
                continue
            kode, sep, nilai = line.partition("=")
            items.append({"kode": kode.strip(), "nilai": (nilai if sep else kode).strip()})
    for item in items:
        if not isinstance(item, dict) or not str(item.get("kode", "")).strip():
            raise tk.ValidationError({"columns": [tk._(
                'Column "{label}": every allowed value needs a code').format(label=label)]})
    return [{"kode": str(i["kode"]).strip(), "nilai": str(i.get("nilai") or i["kode"]).strip()}
            for i in items]


def _column(number: int, raw: Any, seen: set[str], errors: list[str]) -> Column | None:
    """Column `number` of a definition, or None with its problems added to `errors`."""
    if not isinstance(raw, dict):
        errors.append(tk._("Column {n}: not a column definition").format(n=number))
        return None
    column_id = str(raw.get("id") or "").strip()
    label = str(raw.get("label") or "").strip() or column_id
    tipe = str(raw.get("tipe_data") or "CHARACTER").strip().upper()
    if not COLUMN_ID.match(column_id) or column_id in RESERVED_IDS:
        errors.append(tk._(
            'Column {n}: the name "{id}" must start with a letter and hold only lowercase '
            'letters, digits and _ (and cannot be "periode")').format(n=number, id=column_id))
    elif column_id in seen:
        errors.append(tk._('Column {n}: the name "{id}" is used twice').format(
            n=number, id=column_id))
    seen.add(column_id)
    if tipe not in TIPE_DATA:
        errors.append(tk._("Column {n}: the data type must be one of {choices}").format(
            n=number, choices=", ".join(TIPE_DATA)))
        return None
    try:
        allowed = domain(raw.get("value_domain"), label)
    except tk.ValidationError as err:
        errors += err.error_dict["columns"]
        return None
    return Column.from_dict({
        "id": column_id, "label": label, "tipe_data": tipe,
        "satuan": str(raw.get("satuan") or "").strip(), "value_domain": allowed,
        "required": tk.asbool(raw.get("required")) or tk.asbool(raw.get("key")),
        "key": tk.asbool(raw.get("key"))})


def structure(columns: Any) -> Structure:
    """The columns of an input package: [{id, label, tipe_data, satuan, value_domain,
    required, key}]; every wrong column is named in one ValidationError."""
    if not isinstance(columns, list) or not columns:
        raise tk.ValidationError({"columns": [tk._("Define at least one column")]})
    errors: list[str] = []
    parsed: list[Column] = []
    seen: set[str] = set()
    for number, raw in enumerate(columns, start=1):
        column = _column(number, raw, seen, errors)
        if column is not None:
            parsed.append(column)
    if errors:
        raise tk.ValidationError({"columns": errors})
    return Structure(columns=tuple(parsed))


def rows(value: Any) -> list[Any]:
    """The rows to save: a list (each row is checked against the structure later)."""
    found = value or []
    if not isinstance(found, list):
        raise tk.ValidationError({"rows": [tk._("rows must be a list")]})
    return found


def survey_columns(value: Any, default: list[str]) -> list[str]:
    """The column ids a survey link asks: a list or comma-separated text (default all)."""
    columns = value or default
    if isinstance(columns, str):
        columns = [c.strip() for c in columns.split(",") if c.strip()]
    return columns


def submission_ids(value: Any) -> list[Any]:
    ids = value or []
    return [ids] if isinstance(ids, str) else list(ids)
