"""The columns of a load: valid ids from the header, their types and converters.

Column types, in order of precedence:
1. the MS-Var `tipe_data` in the live table's data dictionary (declared);
2. a data-dictionary `type_override` (as xloader supports);
3. otherwise inferred by tabular.values.infer_types from the first rows (the sample).

A value that does not fit a declared type fails the load with an error naming
the row and column (the live table stays as it was). A value that does not fit
an inferred type never fails and is never mangled: the load starts again with
that column as text (loader.run), and the status says so.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ckanext.satudata.loader import shadow
from ckanext.satudata.loader.errors import message
from ckanext.satudata.tabular.batch import batch_converter
from ckanext.satudata.tabular.structure import DATASTORE_TYPES
from ckanext.satudata.tabular.values import (
    DECIMAL_SEPARATORS,
    column_decimal,
    converter,
    decide_decimal,
    display,
    infer_types,
    readings,
)

_OVERRIDE_TIPE = {"text": "CHARACTER", "numeric": "DECIMAL", "int": "INTEGER", "int4": "INTEGER",
                  "int8": "INTEGER", "integer": "INTEGER", "bigint": "INTEGER", "date": "DATE",
                  "bool": "BOOLEAN", "boolean": "BOOLEAN"}


@dataclass
class Column:
    id: str
    tipe_data: str  # CHARACTER ... or "TIMESTAMP" for an xloader timestamp override
    datastore_type: str
    source: str  # declared | override | inferred | text_fallback | ambiguous_number
    convert: Callable[[Any], str | None]
    # Converts a whole column slice (same results as `convert`, C-level for common shapes).
    batch: Callable[[Any], list[str | None]] | None = None
    decimal: str | None = None  # the decimal separator its numbers are read with
    # Sample position of a number like 15.085 that made an otherwise numeric column text.
    ambiguous_at: int | None = None

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "type": self.datastore_type, "tipe_data": self.tipe_data,
                "source": self.source}


def column_ids(header: list[Any]) -> list[str]:
    """Valid, unique DataStore column ids from a header row (nothing dropped, nothing merged)."""
    ids: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(header, 1):
        text = display(cell).replace('"', "").replace("\x00", "").strip().lstrip("_").strip()
        text = text[:63].strip() or f"kolom_{index}"
        candidate, n = text, 2
        while candidate in seen:
            suffix = f"_{n}"
            candidate, n = text[:63 - len(suffix)] + suffix, n + 1
        seen.add(candidate)
        ids.append(candidate)
    return ids


def _timestamp(value: Any) -> str | None:
    text = display(value).strip()
    return text or None


def plan_columns(ids: list[str], sample: list[list[Any]], old: shadow.OldTable | None,
                 forced_text: set[int], decimal_separator: str | None = None) -> list[Column]:
    """The columns' types and converters from the data dictionary and a sample.

    A number like 15.085 is 15085 or 15.085: the decimal separator declared for
    the file decides, else the column's other numbers, else a declared INTEGER
    type (values.decide_decimal). Still undecided, a declared column fails on it
    (LoadFailed) and a guessed one is loaded as text, values as written, with a
    notice asking for the separator: the loader never guesses a magnitude.
    """
    old_types = {f["id"]: f["type"] for f in (old.fields if old else [])}
    shown = [column_decimal(r[index] if index < len(r) else None for r in sample)
             for index in range(len(ids))]
    guessed = infer_types(sample, len(ids),
                          [decide_decimal(d, declared=decimal_separator) for d, _a in shown])
    columns = []
    for index, column_id in enumerate(ids):
        info = old.info(column_id) if old and column_id in old_types else {}
        declared = str(info.get("tipe_data") or "").upper()
        override = str(info.get("type_override") or "").lower()
        if declared in DATASTORE_TYPES:
            tipe, source = declared, "declared"
        elif override in _OVERRIDE_TIPE:
            tipe, source = _OVERRIDE_TIPE[override], "override"
        elif override.startswith("timestamp"):
            columns.append(Column(column_id, "TIMESTAMP", "timestamp", "override", _timestamp))
            continue
        elif index in forced_text:
            tipe, source = "CHARACTER", "text_fallback"
        else:
            tipe, source = guessed[index], "inferred"
        decimal = decide_decimal(shown[index][0], declared=decimal_separator,
                                 tipe_data=tipe if source != "inferred" else None)
        ambiguous_at = None
        if source == "inferred" and tipe == "CHARACTER" and decimal is None and shown[index][1] \
                and infer_types([[r[index] if index < len(r) else None] for r in sample], 1,
                                [","]) != ["CHARACTER"]:
            ambiguous_at, source = shown[index][1][0], "ambiguous_number"
        convert = converter(tipe, decimal=decimal)
        batch = batch_converter(tipe, decimal=decimal)
        columns.append(Column(column_id, tipe, DATASTORE_TYPES[tipe], source, convert, batch,
                              decimal, ambiguous_at))
    return columns


def declared_separator(resource: dict[str, Any]) -> str | None:
    """The decimal separator an editor declared for the resource's file, if any."""
    value = resource.get("satudata_decimal_separator") or None
    return value if value in DECIMAL_SEPARATORS else None


def ambiguous_notice(column: str, row: int, value: Any) -> dict[str, Any]:
    """The notice of a column loaded as text because its numbers read two ways."""
    grouped, decimal = readings(value)
    return dict(message(
        'Column "{column}" was loaded as text, values as written: its numbers, such as '
        '"{value}" in row {row}, can be read as {grouped} or as {decimal}, and nothing in the '
        "file tells which. Choose the decimal separator of the file and load it again.",
        column=column, value=display(value)[:100], row=row, grouped=grouped,
        decimal=decimal), notice=True, column=column)
