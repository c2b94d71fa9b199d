"""Input schemas of the metadata quality actions (`validator_args`)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.satudata.quality import checks

STATES = ("open", "closed", "all")


def quality_severity(value: Any) -> str:
    if value not in checks.SEVERITIES:
        raise tk.Invalid(tk._("The severity must be kritis, tinggi or sedang"))
    return value


def quality_state(value: Any) -> str:
    if value not in STATES:
        raise tk.Invalid(tk._("The state must be open, closed or all"))
    return value


def quality_check(value: Any) -> str:
    if value not in checks.BY_ID:
        raise tk.Invalid(tk._("Unknown check: {value}").format(value=value))
    return value


@validator_args
def show(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def ticket_list(ignore_missing: Validator, unicode_safe: Validator, default: ValidatorFactory,
                natural_number_validator: Validator,
                limit_to_configured_maximum: ValidatorFactory) -> Schema:
    return {"organization": [ignore_missing, unicode_safe],
            "package_id": [ignore_missing, unicode_safe],
            "severity": [ignore_missing, quality_severity],
            "check": [ignore_missing, quality_check],
            "state": [default("open"), quality_state],
            "limit": [default(1000), natural_number_validator,
                      limit_to_configured_maximum("ckan.search.rows_max", 1000)],
            "offset": [default(0), natural_number_validator]}


@validator_args
def ticket_close(not_empty: Validator, unicode_safe: Validator, strip_value: Validator
                 ) -> Schema:
    return {"id": [not_empty, unicode_safe],
            "reason": [not_empty, unicode_safe, strip_value, not_empty]}
