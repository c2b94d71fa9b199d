"""Input schemas of the Permohonan Data actions (`validator_args`, as verifikasi's).

Every text has a size limit (spam and abuse), with an Indonesian error naming the field.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

KINDS = ("data", "akses", "pengaduan")
STATES = ("diterima", "diteruskan", "diproses", "selesai", "ditolak")
OPEN_STATES = ("diterima", "diteruskan", "diproses")
STEPS = ("forward", "process", "answer", "approve", "reject", "extend")
#: Largest texts accepted (characters).
LIMITS = {"description": 4000, "purpose": 2000, "name": 200, "email": 254,
          "institution": 200, "note": 8000}


def _max_length(limit: int) -> Validator:
    def validator(value: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            raise tk.Invalid(tk._("At most {n} characters").format(n=limit))
        return value
    return validator


def _one_of(choices: tuple[str, ...]) -> Validator:
    def validator(value: Any) -> Any:
        if value not in choices:
            raise tk.Invalid(tk._("Choose one of: {choices}").format(
                choices=", ".join(choices)))
        return value
    return validator


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


@validator_args
def create(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
           email_validator: Validator) -> Schema:
    return {
        "kind": [not_empty, unicode_safe, _one_of(KINDS)],
        "description": [not_empty, unicode_safe, _stripped, not_empty,
                        _max_length(LIMITS["description"])],
        "purpose": [ignore_missing, unicode_safe, _stripped, _max_length(LIMITS["purpose"])],
        "package_id": [ignore_missing, unicode_safe],
        "organization": [ignore_missing, unicode_safe],
        "name": [ignore_missing, unicode_safe, _stripped, _max_length(LIMITS["name"])],
        "email": [ignore_missing, unicode_safe, _stripped, _max_length(LIMITS["email"]),
                  email_validator],
        "institution": [ignore_missing, unicode_safe, _stripped,
                        _max_length(LIMITS["institution"])],
    }


@validator_args
def show(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "token": [ignore_missing, unicode_safe]}


@validator_args
def confirm(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "token": [not_empty, unicode_safe]}


@validator_args
def list_(ignore_missing: Validator, unicode_safe: Validator, boolean_validator: Validator,
          default: Any, natural_number_validator: Validator,
          limit_to_configured_maximum: Any) -> Schema:
    return {
        "state": [ignore_missing, unicode_safe, _one_of(STATES)],
        "kind": [ignore_missing, unicode_safe, _one_of(KINDS)],
        "overdue": [ignore_missing, boolean_validator],
        "limit": [default(100), natural_number_validator,
                  limit_to_configured_maximum("ckan.search.rows_max", 1000)],
        "offset": [default(0), natural_number_validator],
    }


@validator_args
def update(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
           isodate: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "action": [not_empty, unicode_safe, _one_of(STEPS)],
        "note": [ignore_missing, unicode_safe, _stripped, _max_length(LIMITS["note"])],
        "organization": [ignore_missing, unicode_safe],
        "expires": [ignore_missing, isodate],
    }


@validator_args
def statistics(ignore_missing: Validator, int_validator: Validator) -> Schema:
    return {"year": [ignore_missing, int_validator]}
