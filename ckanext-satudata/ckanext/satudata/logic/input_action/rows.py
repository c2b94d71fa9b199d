"""Rows of an input package: read one period, and add, change and delete rows in it."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.satudata.inputdata import publishing, worktable
from ckanext.satudata.logic.input_action import schema
from ckanext.satudata.logic.input_action.common import column_id, input_of, period_of, raise_if
from ckanext.satudata.tabular import validate
from ckanext.satudata.tabular.structure import Period, Structure


class RowsInvalid(tk.ValidationError):
    """Rows that failed validation; `cells` holds (row index, column id, message) for forms."""

    def __init__(self, messages: list[str], cells: list[tuple[int, str | None, str]]):
        super().__init__({"rows": messages})
        self.cells = cells


@tk.side_effect_free
def satudata_input_rows_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Rows of one period, as text. Args: id, period, offset (0), limit (100, at most 1000)."""
    tk.check_access("satudata_input_rows_list", context, data_dict)
    input_pkg = input_of(data_dict)
    period = period_of(input_pkg, data_dict.get("period"))
    data, errors = schema.validate(data_dict, schema.rows_list(), context)
    raise_if(errors)
    offset, limit = data["offset"], min(1000, data["limit"])
    structure = Structure.from_dict(input_pkg.structure)
    with worktable.transaction() as conn:
        rows = worktable.read_rows(conn, input_pkg.id, structure, period.code(),
                                   offset=offset, limit=limit)
        total = worktable.period_counts(conn, input_pkg.id).get(period.code(), 0)
    return {"period": period.code(), "total": total, "offset": offset, "rows": rows}


def _row_label(index: int, row: dict[str, Any]) -> str:
    if row.get("_row"):
        return tk._("Row {n} (no. {id})").format(n=index + 1, id=row["_row"])
    return tk._("Row {n}").format(n=index + 1)


def check_rows(structure: Structure, period: Period, rows: list[dict[str, Any]],
               existing_keys: dict[tuple, int], removed: set[int]):
    """Validate rows given as {_row?, values}; every problem is collected."""
    messages: list[str] = []
    cells: list[tuple[int, str | None, str]] = []
    normalised: list[tuple[int | None, list[str | None]]] = []
    keys = {k: r for k, r in existing_keys.items() if r not in removed}
    key_index = [i + 1 for i, c in enumerate(structure.columns) if c.key]
    for index, row in enumerate(rows):
        values = row.get("values") if isinstance(row, dict) else None
        if not isinstance(values, dict):
            messages.append(_row_label(index, {}) + ": " + tk._("no values given"))
            cells.append((index, None, tk._("no values given")))
            continue
        row_id = tk.asint(row["_row"]) if row.get("_row") else None
        out, errors = validate.validate_row(structure, values, period=period)
        for error in errors:
            messages.append(f"{_row_label(index, row)}, {error.column}: {error.message}")
            cells.append((index, column_id(structure, error.column), error.message))
        if errors:
            continue
        if key_index:
            key = tuple(out[i] for i in key_index)
            other = keys.get(key)
            if other is not None and other != row_id:
                message = tk._("the key {key} is already used in this period").format(
                    key=", ".join(str(k) for k in key))
                messages.append(f"{_row_label(index, row)}: {message}")
                cells.append((index, structure.key_ids[0], message))
                continue
            keys[key] = row_id if row_id is not None else -1 - index
        normalised.append((row_id, out))
    if messages:
        raise RowsInvalid(messages, cells)
    return normalised


def satudata_input_rows_save(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add, change and delete rows of one period: all of it, or nothing when any row is wrong.

    Args:
        id: the input package. period: its code (2025, 2025-T1, 2025-07 …).
        rows: [{"_row": id of an existing row (omit for a new row), "values": {column: value}}].
        delete: ids of rows to delete.
    """
    tk.check_access("satudata_input_rows_save", context, data_dict)
    input_pkg = input_of(data_dict)
    publishing.writable_or_raise(input_pkg.package_id)
    period = period_of(input_pkg, data_dict.get("period"))
    structure = Structure.from_dict(input_pkg.structure)
    removed = {tk.asint(r) for r in data_dict.get("delete") or []}
    rows = schema.rows(data_dict.get("rows"))
    with worktable.transaction() as conn:
        existing = worktable.keys_of_period(conn, input_pkg.id, structure, period.code())
        checked = check_rows(structure, period, rows, existing, removed)
        deleted = worktable.delete_rows(conn, input_pkg.id, period.code(), sorted(removed))
        new_rows = [out for row_id, out in checked if row_id is None]
        for row_id, out in checked:
            if row_id is not None and not worktable.update_row(
                    conn, input_pkg.id, structure, row_id, out):
                raise tk.ValidationError({"rows": [tk._(
                    "Row no. {id} no longer exists; reload the page").format(id=row_id)]})
        added = worktable.insert_rows(conn, input_pkg.id, structure, new_rows)
    published = publishing.after_rows_changed(input_pkg, [period.code()])
    return {"added": added, "updated": len(checked) - len(new_rows), "deleted": deleted,
            "published": published}
