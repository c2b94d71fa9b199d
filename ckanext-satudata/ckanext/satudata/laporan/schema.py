"""Input schemas of the report actions (`validator_args`)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.satudata.laporan import periods, store

FORMAT_CHOICES = ("all", *store.FORMATS)


def report_period(value: Any) -> str:
    try:
        return periods.parse(str(value)).key
    except ValueError:
        raise tk.Invalid(tk._("The period must be a month (2026-11), a quarter (2026-Q3) "
                              "or a year (2026)")) from None


def report_format(value: Any) -> str:
    if value not in FORMAT_CHOICES:
        raise tk.Invalid(tk._("The format must be pdf, xlsx or all"))
    return str(value)


def report_kind(value: Any) -> str:
    if value not in periods.KINDS:
        raise tk.Invalid(tk._("The kind must be monthly, quarterly or yearly"))
    return str(value)


@validator_args
def generate(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
             default: ValidatorFactory, boolean_validator: Validator) -> Schema:
    return {"period": [not_empty, unicode_safe, report_period],
            "format": [default("all"), report_format],
            "organization": [ignore_missing, unicode_safe],
            "mail": [default(False), boolean_validator]}


@validator_args
def report_list(ignore_missing: Validator, unicode_safe: Validator,
                default: ValidatorFactory, natural_number_validator: Validator,
                limit_to_configured_maximum: ValidatorFactory) -> Schema:
    return {"kind": [ignore_missing, report_kind],
            "period": [ignore_missing, unicode_safe, report_period],
            "organization": [ignore_missing, unicode_safe],
            "limit": [default(100), natural_number_validator,
                      limit_to_configured_maximum("ckan.search.rows_max", 1000)],
            "offset": [default(0), natural_number_validator]}


@validator_args
def show(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}
