"""Template helpers of data input (registered by the satudata_input plugin)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.satudata.tabular.structure import Period

__all__ = ["satudata_frequency_label", "satudata_input_visible", "satudata_period_label",
           "satudata_tipe_data_label"]


def satudata_frequency_label(frequency: str) -> str:
    return {
        "tahunan": tk._("Yearly"), "semesteran": tk._("Half-yearly"),
        "triwulanan": tk._("Quarterly"), "bulanan": tk._("Monthly"),
    }.get(frequency, frequency)


def satudata_tipe_data_label(tipe_data: str) -> str:
    return {
        "CHARACTER": tk._("Text / code"), "INTEGER": tk._("Whole number"),
        "DECIMAL": tk._("Decimal number"), "DATE": tk._("Date"), "BOOLEAN": tk._("Yes/no"),
    }.get(tipe_data, tipe_data)


def satudata_period_label(code: str) -> str:
    try:
        return Period.parse(code).label()
    except ValueError:
        return code


def satudata_input_visible(package_id: str) -> bool:
    """Whether the dataset page shows the Data input tab (to the dataset's team)."""
    return tk.h.check_access("satudata_input_package_list", {"package_id": package_id})
