"""Input schema of `satudata_statistics_show` (`validator_args`)."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator


@validator_args
def statistics_show(ignore_missing: Validator, isodate: Validator,
                    unicode_safe: Validator) -> Schema:
    return {"start": [ignore_missing, isodate], "end": [ignore_missing, isodate],
            "organization": [ignore_missing, unicode_safe]}
