"""Input schemas of the verifikasi actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory


@validator_args
def transition(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
               isodate: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "note": [ignore_missing, unicode_safe],
            "reason": [ignore_missing, unicode_safe], "deadline": [ignore_missing, isodate]}


@validator_args
def role(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
         one_of: ValidatorFactory, user_id_or_name_exists: Validator,
         group_id_or_name_exists: Validator) -> Schema:
    from ckanext.verifikasi.roles import ALL_ROLES

    return {"user": [not_empty, unicode_safe, user_id_or_name_exists],
            "role": [not_empty, one_of(list(ALL_ROLES))],
            "organization": [ignore_missing, unicode_safe, group_id_or_name_exists]}


@validator_args
def audit_list(ignore_missing: Validator, unicode_safe: Validator, default: ValidatorFactory,
               natural_number_validator: Validator,
               limit_to_configured_maximum: ValidatorFactory) -> Schema:
    # Pages of at most CKAN's `ckan.search.rows_max` (1000 unless configured).
    return {"object_id": [ignore_missing, unicode_safe], "actor": [ignore_missing, unicode_safe],
            "limit": [default(100), natural_number_validator,
                      limit_to_configured_maximum("ckan.search.rows_max", 1000)],
            "offset": [default(0), natural_number_validator]}


@validator_args
def notification_list(ignore_missing: Validator, boolean_validator: Validator) -> Schema:
    return {"mark_read": [ignore_missing, boolean_validator]}


@validator_args
def grant(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
          isodate: Validator, user_id_or_name_exists: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "user": [not_empty, unicode_safe,
                                                      user_id_or_name_exists],
            "expires": [not_empty, isodate], "reason": [ignore_missing, unicode_safe]}
