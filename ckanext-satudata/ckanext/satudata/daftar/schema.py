"""Input schemas of the Daftar Data actions (`validator_args`, as verifikasi's)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory

from ckanext.satudata.daftar import periods as P

YEAR_MIN, YEAR_MAX = 2000, 2100
IMPORT_MODES = ("dry_run", "all_or_nothing", "valid_only")
DECISIONS = ("approve", "reject")


def daftar_year(value: Any) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise tk.Invalid(tk._("Not a year: {value}").format(value=value)) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise tk.Invalid(tk._("The year must be between {first} and {last}").format(
            first=YEAR_MIN, last=YEAR_MAX))
    return year


def daftar_date(value: Any) -> dt.date:
    """A calendar date: a date, or text YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Not a date in the form YYYY-MM-DD: {value}").format(
            value=value)) from None


def daftar_status(value: Any) -> str:
    if value not in (*P.STATUSES, "belum_tersedia"):
        raise tk.Invalid(tk._("Unknown status: {value}").format(value=value))
    return value


def daftar_import_mode(value: Any) -> str:
    if value not in IMPORT_MODES:
        raise tk.Invalid(tk._("The mode must be dry_run, all_or_nothing or valid_only"))
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


@validator_args
def _periods(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator
             ) -> Schema:
    return {"period": [not_empty, unicode_safe, _strip],
            "planned": [ignore_missing, daftar_date],
            "revised": [ignore_missing, daftar_date],
            "revised_reason": [ignore_missing, unicode_safe, _strip],
            "__extras": [ignore_missing]}


@validator_args
def create(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
           default: ValidatorFactory, boolean_validator: Validator) -> Schema:
    return {"year": [not_empty, daftar_year],
            "organization": [not_empty, unicode_safe, _strip],
            "title": [not_empty, unicode_safe, _strip],
            "kategori": [not_empty, unicode_safe, _strip],
            "sektor": [not_empty, unicode_safe, _strip],
            "prioritas": [default(False), boolean_validator],
            "frequency": [not_empty, unicode_safe, _strip],
            "pembina": [ignore_missing, unicode_safe, _strip],
            "package_id": [ignore_missing, unicode_safe, _strip],
            "reason": [ignore_missing, unicode_safe],
            "periods": _periods()}


@validator_args
def update(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
           boolean_validator: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe],
            "year": [ignore_missing, daftar_year],
            "organization": [ignore_missing, unicode_safe, _strip],
            "title": [ignore_missing, not_empty, unicode_safe, _strip],
            "kategori": [ignore_missing, unicode_safe, _strip],
            "sektor": [ignore_missing, unicode_safe, _strip],
            "prioritas": [ignore_missing, boolean_validator],
            "frequency": [ignore_missing, unicode_safe, _strip],
            "pembina": [ignore_missing, unicode_safe, _strip],
            # Empty unlinks the dataset.
            "package_id": [ignore_missing, unicode_safe, _strip],
            "reason": [ignore_missing, unicode_safe],
            "periods": _periods()}


@validator_args
def by_id(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "reason": [ignore_missing, unicode_safe]}


@validator_args
def listing(ignore_missing: Validator, unicode_safe: Validator, boolean_validator: Validator,
            default: ValidatorFactory, natural_number_validator: Validator,
            limit_to_configured_maximum: ValidatorFactory) -> Schema:
    return {"year": [ignore_missing, daftar_year],
            "organization": [ignore_missing, unicode_safe],
            "prioritas": [ignore_missing, boolean_validator],
            "status": [ignore_missing, daftar_status],
            "limit": [default(1000), natural_number_validator,
                      limit_to_configured_maximum("ckan.search.rows_max", 1000)],
            "offset": [default(0), natural_number_validator]}


@validator_args
def agree(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {"year": [not_empty, daftar_year], "note": [ignore_missing, unicode_safe]}


@validator_args
def import_(not_empty: Validator, ignore_missing: Validator, default: ValidatorFactory,
            unicode_safe: Validator) -> Schema:
    return {"year": [not_empty, daftar_year],
            "mode": [default("dry_run"), daftar_import_mode],
            "sheet": [ignore_missing, unicode_safe],
            "reason": [ignore_missing, unicode_safe],
            "upload": [not_empty]}


def daftar_decision(value: Any) -> str:
    if value not in DECISIONS:
        raise tk.Invalid(tk._("The decision must be approve or reject"))
    return value


def _required(message: str) -> Validator:
    """Like not_empty, with a message saying what to give."""
    def validator(key: Any, data: Any, errors: Any, context: Any) -> None:
        value = data.get(key)
        if value is None or value is tk.missing or not str(value).strip():
            errors[key].append(tk._(message))
            raise tk.StopOnError
    return validator


@validator_args
def revision_propose(unicode_safe: Validator) -> Schema:
    return {"period_id": [_required("Name the period to revise"), unicode_safe],
            "revised": [_required("Give the revised release date"), daftar_date],
            "reason": [_required("Give the reason for the revised date"), unicode_safe,
                       _strip]}


@validator_args
def revision_decide(unicode_safe: Validator, ignore_missing: Validator) -> Schema:
    return {"id": [_required("Name the revision to decide on"), unicode_safe],
            "decision": [_required("Choose approve or reject"), daftar_decision],
            "note": [ignore_missing, unicode_safe, _strip]}
