"""Input schemas of the personal data gate's actions (`validator_args`)."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator


@validator_args
def exception_create(not_empty: Validator, unicode_safe: Validator,
                     strip_value: Validator) -> Schema:
    return {"package_id": [not_empty, unicode_safe],
            "resource_id": [not_empty, unicode_safe],
            "column": [not_empty, unicode_safe],
            "reason": [not_empty, unicode_safe, strip_value, not_empty]}


@validator_args
def by_id(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def by_package(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"package_id": [not_empty, unicode_safe]}
