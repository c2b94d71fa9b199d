"""Input schemas of the two-factor actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator


@validator_args
def user_id(not_empty: Validator, unicode_safe: Validator) -> Schema:
    """The user acted on (id or name)."""
    return {"id": [not_empty, unicode_safe]}


@validator_args
def optional_user_id(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    """The user shown: the caller when left out."""
    return {"id": [ignore_missing, unicode_safe]}


@validator_args
def nothing() -> Schema:
    """No input: the action acts on the caller."""
    return {}


@validator_args
def code(not_empty: Validator, unicode_safe: Validator) -> Schema:
    """A code from the authenticator app (6 digits) or a recovery code."""
    return {"code": [not_empty, unicode_safe]}
