"""Input schemas of the verifikasi actions."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator, ValidatorFactory


@validator_args
def transition(not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
               isodate: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "note": [ignore_missing, unicode_safe],
            "reason": [ignore_missing, unicode_safe], "deadline": [ignore_missing, isodate]}


def _max_chars(limit: int) -> Validator:
    def validator(value: Any) -> Any:
        if isinstance(value, str) and len(value) > limit:
            raise tk.Invalid(tk._("At most {limit} characters ({length} given)").format(
                limit=limit, length=len(value)))
        return value
    return validator


@validator_args
def comment(not_empty: Validator, unicode_safe: Validator, strip_value: Validator) -> Schema:
    from ckanext.verifikasi.comments import MAX_LENGTH

    return {"id": [not_empty, unicode_safe],
            "text": [not_empty, unicode_safe, strip_value, not_empty, _max_chars(MAX_LENGTH)]}


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
            **audit_filters(),
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


@validator_args
def audit_filters(ignore_missing: Validator, unicode_safe: Validator, isodate: Validator,
                  user_id_or_name_exists: Validator,
                  group_id_or_name_exists: Validator) -> Schema:
    """The audit log's filters: `user` (id or name; done by or about them), `organization`
    (an OPD, id or name), `action` (a code), `since`/`until` (local dates, both included)."""
    return {"user": [ignore_missing, unicode_safe, user_id_or_name_exists],
            "organization": [ignore_missing, unicode_safe, group_id_or_name_exists],
            "action": [ignore_missing, unicode_safe],
            "since": [ignore_missing, isodate], "until": [ignore_missing, isodate]}


@validator_args
def grant_list(ignore_missing: Validator, unicode_safe: Validator, one_of: ValidatorFactory,
               user_id_or_name_exists: Validator, package_id_or_name_exists: Validator,
               default: ValidatorFactory, natural_number_validator: Validator,
               limit_to_configured_maximum: ValidatorFactory) -> Schema:
    return {"grant_id": [ignore_missing, natural_number_validator],
            "id": [ignore_missing, unicode_safe, package_id_or_name_exists],
            "user": [ignore_missing, unicode_safe, user_id_or_name_exists],
            "status": [ignore_missing, one_of(["active", "expired", "revoked"])],
            "limit": [default(100), natural_number_validator,
                      limit_to_configured_maximum("ckan.search.rows_max", 1000)],
            "offset": [default(0), natural_number_validator]}


@validator_args
def grant_extend(not_empty: Validator, natural_number_validator: Validator,
                 isodate: Validator) -> Schema:
    return {"grant_id": [not_empty, natural_number_validator],
            "expires": [not_empty, isodate]}
