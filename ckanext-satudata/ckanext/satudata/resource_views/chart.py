"""The chart view of a DataStore table: which columns, which rows, as the page embeds them.

The table is read with `datastore_search` as the person looking at the page (their own
rights: a table they may not read is not read, and the view says so), at most
`ROW_LIMIT` rows in the table's order. The page gets every text and number column of
those rows as JSON, so the viewer can switch the category column, the value columns
and bar/line in the browser (assets/js/resource-chart.js) without another request; a
table of the numbers drawn is rendered beside the chart.

Defaults, when the view's saved configuration names none (or names a column the table
no longer has): the first text column that is not a code (so `kecamatan`, not
`kode_kecamatan`) as categories, the first number column that is not a code or a year
as values, as a bar chart.
"""
from __future__ import annotations

import decimal
import re
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

__all__ = ["CHART_TYPES", "ROW_LIMIT", "ChartData", "choose_defaults", "config_schema",
           "load", "value_fields_list"]

#: Rows put into the page at most (the table's first rows, in its order).
ROW_LIMIT = 500
CHART_TYPES = ("bar", "line")

_NUMBER_TYPES = frozenset({"int", "int2", "int4", "int8", "integer", "bigint", "smallint",
                           "numeric", "decimal", "float", "float4", "float8", "real",
                           "double precision"})
_TEXT_TYPES = frozenset({"text", "varchar", "char", "bpchar", "character varying", "citext"})
#: Column names that hold codes or years rather than names or amounts.
_CODE = re.compile(r"^(kode|kd|id|no|nomor|code)(_|$)|(_|^)(kode|kd|id|code)$|^(tahun|year)$",
                   re.IGNORECASE)


@dataclass
class ChartData:
    """What the chart view shows: an error key, or the columns and rows to draw."""

    error: str | None = None
    fields: list[dict[str, str]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    total: int = 0
    category: str | None = None
    values: list[str] = field(default_factory=list)
    chart_type: str = "bar"

    def payload(self) -> dict[str, Any]:
        """The JSON the page embeds for the chart module."""
        return {"fields": self.fields, "rows": self.rows, "total": self.total,
                "limit": ROW_LIMIT, "category": self.category, "values": self.values,
                "type": self.chart_type}

    def table(self) -> dict[str, Any]:
        """The chosen columns as header and rows, for the table beside the chart."""
        index = {f["id"]: i for i, f in enumerate(self.fields)}
        labels = {f["id"]: f["label"] for f in self.fields}
        columns = ([self.category] if self.category else []) + self.values
        return {"header": [labels[c] for c in columns],
                "rows": [[row[index[c]] for c in columns] for row in self.rows]}


def value_fields_list(value: Any) -> list[str]:
    """Validator: the value columns of the form (a list, or one comma-separated text)."""
    if value in (None, "", tk.missing):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def config_schema() -> dict[str, list[Any]]:
    """The saved configuration of a chart view (the view form)."""
    ignore_missing = tk.get_validator("ignore_missing")
    unicode_safe = tk.get_validator("unicode_safe")
    default = tk.get_validator("default")
    one_of = tk.get_validator("one_of")
    return {"category_field": [ignore_missing, unicode_safe],
            "value_fields": [ignore_missing, value_fields_list],
            "chart_type": [default("bar"), one_of(list(CHART_TYPES))]}


def _kind(field_type: str) -> str | None:
    field_type = (field_type or "").lower()
    if field_type in _NUMBER_TYPES:
        return "number"
    if field_type in _TEXT_TYPES:
        return "text"
    return None


def _label(field_dict: dict[str, Any]) -> str:
    info = field_dict.get("info") or {}
    label = info.get("label") if isinstance(info, dict) else None
    return str(label).strip() if label and str(label).strip() else field_dict["id"]


def _cell(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind == "text":
        return str(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def choose_defaults(fields: list[dict[str, str]]) -> tuple[str | None, list[str]]:
    """The category column and value columns of a new chart (see the module's docstring)."""
    texts = [f["id"] for f in fields if f["kind"] == "text"]
    numbers = [f["id"] for f in fields if f["kind"] == "number"]
    category = next((t for t in texts if not _CODE.search(t)), texts[0] if texts else None)
    value = next((n for n in numbers if not _CODE.search(n)), numbers[0] if numbers else None)
    return category, [value] if value else []


def _configured(config: dict[str, Any], fields: list[dict[str, str]]
                ) -> tuple[str | None, list[str], str]:
    kinds = {f["id"]: f["kind"] for f in fields}
    category, values = choose_defaults(fields)
    saved_category = config.get("category_field")
    if saved_category in kinds:
        category = saved_category
    saved_values = [v for v in value_fields_list(config.get("value_fields"))
                    if kinds.get(v) == "number"]
    if saved_values:
        values = saved_values
    saved_type = config.get("chart_type")
    chart_type = saved_type if isinstance(saved_type, str) and saved_type in CHART_TYPES \
        else "bar"
    return category, values, chart_type


def load(resource_id: str, config: dict[str, Any], user: str | None) -> ChartData:
    """Read the table as `user` (None: anonymous) and choose what the chart shows.

    Errors (a key the template turns into an Indonesian message): `not_authorized`,
    `not_found` (no table), `no_numbers` (no number column to draw).
    """
    context: Context = {"user": user or "", "ignore_auth": False}
    try:
        result = tk.get_action("datastore_search")(
            context, {"resource_id": resource_id, "limit": ROW_LIMIT, "sort": "_id",
                      "include_total": True})
    except tk.NotAuthorized:
        return ChartData(error="not_authorized")
    except (tk.ObjectNotFound, tk.ValidationError):
        return ChartData(error="not_found")
    fields = [{"id": f["id"], "label": _label(f), "kind": kind}
              for f in result.get("fields", [])
              if f["id"] != "_id" and (kind := _kind(f.get("type", "")))]
    if not any(f["kind"] == "number" for f in fields):
        return ChartData(error="no_numbers", fields=fields)
    rows = [[_cell(record.get(f["id"]), f["kind"]) for f in fields]
            for record in result.get("records", [])]
    category, values, chart_type = _configured(config, fields)
    return ChartData(fields=fields, rows=rows, total=int(result.get("total") or len(rows)),
                     category=category, values=values, chart_type=chart_type)
