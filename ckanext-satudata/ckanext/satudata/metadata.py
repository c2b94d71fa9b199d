"""SDI metadata completeness: what a dataset needs before it goes to verification.

The rules live in the scheming schema (`sdi_required`, `sdi_required_if`);
this module reads them, so the form, the check and the INDAH export cannot
disagree about which field is mandatory.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from flask import has_request_context

DATASET_TYPE = "dataset"


def dataset_fields(dataset_type: str = DATASET_TYPE) -> list[dict[str, Any]]:
    schema = tk.h.scheming_get_dataset_schema(dataset_type)
    return schema["dataset_fields"] if schema else []


def language() -> str:
    """The request's language, or the site default outside a request (CLI, jobs)."""
    return tk.h.lang() if has_request_context() else tk.config["ckan.locale_default"]


def text(value: Any) -> str:
    """A schema text ({"id": ..., "en": ...} or plain) in the current language."""
    return tk.h.scheming_language_text(value, prefer_lang=language())


def choice_labels(field_name: str, dataset_type: str = DATASET_TYPE) -> dict[str, str]:
    """The labels of a choice field's values, in the current language."""
    for field in dataset_fields(dataset_type):
        if field["field_name"] == field_name:
            return {c["value"]: text(c["label"]) for c in field.get("choices", [])}
    return {}


def label(field: dict[str, Any]) -> str:
    """The field's label in the current language."""
    return text(field.get("label", field["field_name"]))


def values_of(value: Any) -> list[str]:
    """A stored value as a list of strings (multiple choices arrive as JSON or lists)."""
    if value in (None, "", [], {}):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value.startswith("["):
        try:
            return [str(v) for v in json.loads(value)]
        except ValueError:
            pass
    return [str(value)]


def condition_met(condition: dict[str, list[str]] | None, data: dict[str, Any]) -> bool:
    """True when every field named in `condition` holds one of its listed values."""
    if not condition:
        return True
    return all(_holds(values_of(data.get(field)), wanted) for field, wanted in condition.items())


def _holds(values: list[str], wanted: list[Any]) -> bool:
    # "__filled__" stands for any value at all.
    return bool(values) if "__filled__" in wanted else bool(set(values) & {str(v) for v in wanted})


def is_required(field: dict[str, Any], data: dict[str, Any]) -> bool:
    if field.get("required") or field.get("sdi_required"):
        return True
    return "sdi_required_if" in field and condition_met(field["sdi_required_if"], data)


def _is_empty(field: dict[str, Any], value: Any) -> bool:
    if "repeating_subfields" in field:
        rows = value if isinstance(value, list) else []
        return not any(any(v not in (None, "") for v in row.values()) for row in rows)
    return not values_of(value)


def _subfield_problems(field: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Incomplete rows of a repeating block, and date ranges that end before they start."""
    problems = []
    names = [s["field_name"] for s in field["repeating_subfields"]]
    for index, row in enumerate(rows, start=1):
        blank = [n for n in names if row.get(n) in (None, "")]
        if blank and len(blank) < len(names):
            problems.append(_problem(field, "incomplete", tk._(
                "Row {row} is incomplete: {fields}").format(
                row=index,
                fields=", ".join(text(s["label"])
                                 for s in field["repeating_subfields"]
                                 if s["field_name"] in blank))))
        start, end = row.get("mulai"), row.get("selesai")
        if start and end and str(end) < str(start):
            problems.append(_problem(field, "inconsistent", tk._(
                "Row {row}: the end date is before the start date").format(row=index)))
    return problems


def _problem(field: dict[str, Any], kind: str, message: str) -> dict[str, Any]:
    return {"field": field["field_name"], "label": label(field), "kind": kind,
            "message": message}


def check(data: dict[str, Any], dataset_type: str = DATASET_TYPE) -> list[dict[str, Any]]:
    """Every missing or inconsistent mandatory field of a dataset, in form order.

    Each problem is {field, label, kind ("missing" | "incomplete" | "inconsistent"),
    message}; labels and messages are in the current language.
    """
    problems: list[dict[str, Any]] = []
    for field in dataset_fields(dataset_type):
        name = field["field_name"]
        value = data.get(name)
        if is_required(field, data) and _is_empty(field, value):
            problems.append(_problem(field, "missing", tk._("{label} is required").format(
                label=label(field))))
            continue
        if "repeating_subfields" in field and isinstance(value, list):
            problems.extend(_subfield_problems(field, value))
    problems.extend(_cross_field_problems(data))
    return problems


def _cross_field_problems(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Consistency rules that span fields."""
    fields = {f["field_name"]: f for f in dataset_fields()}
    problems = []
    if data.get("periode_bulan") and data.get("periode_triwulan") and "periode_bulan" in fields:
        month = int(data["periode_bulan"])
        quarter = ["I", "II", "III", "IV"][(month - 1) // 3]
        if data["periode_triwulan"] != quarter:
            problems.append(_problem(fields["periode_bulan"], "inconsistent", tk._(
                "Month {month} does not fall in quarter {quarter}").format(
                month=data["periode_bulan"], quarter=data["periode_triwulan"])))
    if (data.get("kegiatan_dilakukan") == "HANYA_SEKALI" and data.get("frekuensi_penyelenggaraan")
            and "frekuensi_penyelenggaraan" in fields):
        problems.append(_problem(fields["frekuensi_penyelenggaraan"], "inconsistent", tk._(
            "A frequency is only given for activities that are repeated")))
    return problems
