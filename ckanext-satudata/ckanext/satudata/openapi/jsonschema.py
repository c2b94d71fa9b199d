"""A CKAN navl schema as JSON Schema: types, enums and defaults read from the validators
(required = `not_empty` / `not_missing` without a default)."""
from __future__ import annotations

import json
from typing import Any

from .introspect import closure

__all__ = ["object_schema"]

_REQUIRED = {"not_empty", "not_missing"}
_OPTIONAL = {"ignore_missing", "ignore_empty", "default", "ignore", "empty_if_not_sysadmin"}
_TYPES: dict[str, dict[str, Any]] = {
    "int_validator": {"type": "integer"},
    "convert_int": {"type": "integer"},
    "natural_number_validator": {"type": "integer", "minimum": 0},
    "is_positive_integer": {"type": "integer", "minimum": 1},
    "limit_to_configured_maximum": {"type": "integer", "minimum": 0},
    "boolean_validator": {"type": "boolean"},
    "float_validator": {"type": "number"},
    "isodate": {"type": "string", "examples": ["2026-01-31"]},
    "email_validator": {"type": "string", "format": "email"},
    "url_validator": {"type": "string", "format": "uri"},
    "uuid_validator": {"type": "string", "format": "uuid"},
    "list_of_strings": {"type": "array", "items": {"type": "string"}},
    "convert_to_list_if_string": {"type": "array", "items": {"type": "string"}},
    "json_object": {"type": "object"},
    "dict_only": {"type": "object"},
    "unicode_safe": {"type": "string"},
    "unicode_only": {"type": "string"},
    "name_validator": {"type": "string"},
    "remove_whitespace": {"type": "string"},
}


def _validator_name(validator: Any) -> str:
    qualname = getattr(validator, "__qualname__", "") or getattr(validator, "__name__", "")
    return qualname.split(".<locals>")[0].rsplit(".", 1)[-1]


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _field(validators: Any, depth: int) -> tuple[bool, dict[str, Any]] | None:
    """(required, JSON Schema) of one schema entry; None for an entry the action ignores."""
    if isinstance(validators, dict):  # a nested schema: a list of such objects
        return False, {"type": "array", "items": object_schema(validators, depth + 1)}
    if not isinstance(validators, (list, tuple)):
        return False, {}
    functions = [v for v in validators if callable(v)]
    names = [_validator_name(v) for v in functions]
    if not names or names == ["ignore"] or "empty" in names:
        return None
    schema: dict[str, Any] = {}
    for validator, name in zip(functions, names, strict=True):
        if name in _TYPES and "type" not in schema:
            schema.update(_TYPES[name])
        cells = closure(validator)
        if name == "one_of" and _jsonable(list(cells.get("list_of_value", ()))):
            schema["enum"] = list(cells.get("list_of_value", ()))
        elif name == "default" and cells.get("default_value") is not None \
                and _jsonable(cells.get("default_value")):
            schema["default"] = cells.get("default_value")
    required = bool(_REQUIRED & set(names)) and not (_OPTIONAL & set(names))
    return required, schema


def object_schema(schema: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    if depth > 3:
        return {"type": "object"}
    properties: dict[str, Any] = {}
    required = []
    for key, validators in schema.items():
        if key.startswith("__"):
            continue
        entry = _field(validators, depth)
        if entry is None:
            continue
        properties[key] = entry[1]
        if entry[0]:
            required.append(key)
    found: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        found["required"] = required
    return found
