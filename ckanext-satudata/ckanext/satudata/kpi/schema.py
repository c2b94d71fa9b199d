"""Schema of satudata_kpi_show."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import Schema


def kpi_show_schema() -> Schema:
    ignore_missing = tk.get_validator("ignore_missing")
    int_validator = tk.get_validator("int_validator")
    unicode_safe = tk.get_validator("unicode_safe")
    return {
        "year": [ignore_missing, int_validator, _plausible_year],
        "organization": [ignore_missing, unicode_safe],
    }


def _plausible_year(value: object) -> object:
    # After int_validator, which reports a non-number itself and lets it through.
    if isinstance(value, int) and not 2000 <= value <= 2100:
        raise tk.Invalid(tk._("Year must be between 2000 and 2100"))
    return value
