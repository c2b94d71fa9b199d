"""Input schemas of the account, OPD and site text actions (logic/account_action.py)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Context, Schema, Validator, ValidatorFactory


def max_length(limit: int) -> Validator:
    def check(value: Any, context: Context) -> Any:
        if isinstance(value, str) and len(value) > limit:
            raise tk.Invalid(tk._("At most {limit} characters").format(limit=limit))
        return value
    return check


def not_in_future(value: Any, context: Context) -> Any:
    """A date (after `isodate`) not after today (WIB)."""
    from ckanext.verifikasi import localtime

    day = value.date() if isinstance(value, dt.datetime) else value
    if isinstance(day, dt.date) and day > localtime.today():
        raise tk.Invalid(tk._("The date of the letter cannot be in the future"))
    return day


def organization_exists(value: Any, context: Context) -> Any:
    """An active OPD (organization), by id or name; its id."""
    from ckan import model

    org = model.Group.get(value) if isinstance(value, str) and value else None
    if org is None or not org.is_organization or org.state != "active":
        raise tk.Invalid(tk._("OPD not found"))
    return org.id


def email_not_used(value: Any, context: Context) -> Any:
    """An e-mail address no account has, whatever its state (core checks active ones)."""
    import sqlalchemy as sa
    from ckan import model

    if isinstance(value, str) and model.Session.execute(sa.select(model.User.name).where(
            sa.func.lower(model.User.email) == value.lower())).first():
        raise tk.Invalid(tk._("This e-mail address is already used by another account"))
    return value


def _role_choices() -> list[str]:
    from ckanext.verifikasi.roles import ALL_ROLES

    return list(ALL_ROLES)


@validator_args
def _letter(not_empty: Validator, unicode_safe: Validator, strip_value: Validator,
            isodate: Validator, ignore_missing: Validator, one_of: ValidatorFactory,
            ignore_empty: Validator) -> Schema:
    """The assignment letter and the role of an activation."""
    return {
        "role": [not_empty, unicode_safe, one_of(_role_choices())],
        "organization": [ignore_empty, unicode_safe, organization_exists],
        "letter_number": [not_empty, unicode_safe, strip_value, max_length(200)],
        "letter_date": [not_empty, isodate, not_in_future],
        # The PDF (a file upload) is checked by letters.prepare.
        "letter_upload": [ignore_missing],
    }


@validator_args
def account_create(not_empty: Validator, unicode_safe: Validator, strip_value: Validator,
                   name_validator: Validator, email_validator: Validator) -> Schema:
    return {
        "name": [not_empty, unicode_safe, strip_value, name_validator],
        "fullname": [not_empty, unicode_safe, strip_value, max_length(200)],
        "email": [not_empty, unicode_safe, strip_value, email_validator, email_not_used],
        **_letter(),
    }


@validator_args
def account_reactivate(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], **_letter()}


@validator_args
def account_deactivate(not_empty: Validator, unicode_safe: Validator,
                       ignore_missing: Validator, strip_value: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe],
            "reason": [ignore_missing, unicode_safe, strip_value, max_length(1000)]}


@validator_args
def account_id(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def account_list(ignore_empty: Validator, unicode_safe: Validator, one_of: ValidatorFactory,
                 default: ValidatorFactory, natural_number_validator: Validator,
                 limit_to_configured_maximum: ValidatorFactory) -> Schema:
    from ckanext.verifikasi.accounts import STATES

    return {
        "organization": [ignore_empty, unicode_safe, organization_exists],
        "role": [ignore_empty, unicode_safe, one_of(_role_choices())],
        "state": [ignore_empty, unicode_safe, one_of(list(STATES))],
        "q": [ignore_empty, unicode_safe, max_length(200)],
        "limit": [default(50), natural_number_validator,
                  limit_to_configured_maximum("ckan.search.rows_max", 1000)],
        "offset": [default(0), natural_number_validator],
    }


@validator_args
def opd_create(not_empty: Validator, unicode_safe: Validator, strip_value: Validator,
               name_validator: Validator, ignore_missing: Validator) -> Schema:
    return {"name": [not_empty, unicode_safe, strip_value, name_validator],
            "title": [not_empty, unicode_safe, strip_value, max_length(200)],
            "description": [ignore_missing, unicode_safe, max_length(5000)]}


@validator_args
def opd_update(not_empty: Validator, unicode_safe: Validator, strip_value: Validator,
               ignore_missing: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe],
            "title": [not_empty, unicode_safe, strip_value, max_length(200)],
            "description": [ignore_missing, unicode_safe, max_length(5000)]}
