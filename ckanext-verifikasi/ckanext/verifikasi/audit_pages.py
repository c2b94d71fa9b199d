"""The audit page's filters and CSV columns (the routes are in pages.py).

Filters come from the query string: `user` (name or id: done by or about them),
`organization` (OPD), `action` (code), `since`/`until` (local WIB days, both included),
plus the older `object_id` and `actor` (a user id). A filter that does not validate is
left out and named on the page; it never becomes a 500.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.verifikasi import audit
from ckanext.verifikasi.logic import schema

FILTERS = ("object_id", "actor", "user", "organization", "action", "since", "until")

#: CSV columns: the stored ones first (as before), then the readable ones.
CSV_COLUMNS = ("id", "created", "actor", "action", "object_type", "object_id",
               "remote_addr", "detail", "created_wib", "actor_name", "actor_title",
               "action_label", "object_title", "summary")


def field_labels() -> dict[str, str]:
    return {"user": tk._("User"), "organization": tk._("OPD"), "action": tk._("Action"),
            "since": tk._("From date"), "until": tk._("To date"),
            "object_id": tk._("Object"), "actor": tk._("Actor")}


def query(args: Any) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(filters for verifikasi_audit_list, the form's values, errors) from the request's
    query string."""
    form = {k: (args.get(k) or "").strip() for k in FILTERS}
    wanted = {k: v for k, v in form.items() if v}
    errors: list[str] = []
    if not wanted:
        return {}, form, errors
    data, found = tk.navl_validate(dict(wanted), {
        "object_id": [tk.get_validator("ignore_missing")],
        "actor": [tk.get_validator("ignore_missing")],
        **schema.audit_filters()},
        {"user": tk.current_user.name, "model": model, "session": model.Session})
    labels = field_labels()
    for key, messages in found.items():
        errors.append(f"{labels.get(key, key)}: {' '.join(str(m) for m in messages)}")
        wanted.pop(key, None)
    if wanted.get("action") and wanted["action"] not in audit.action_labels():
        errors.append(f"{labels['action']}: {tk._('Unknown action')}")
        wanted.pop("action")
    since, until = data.get("since"), data.get("until")
    if "since" in wanted and "until" in wanted and isinstance(since, dt.date) \
            and isinstance(until, dt.date) and until < since:
        errors.append(tk._("The end date is before the start date"))
        wanted.pop("until")
    return wanted, form, errors


def csv_row(entry: dict[str, Any]) -> list[Any]:
    import json

    from ckanext.verifikasi import localtime

    values = {**entry, "detail": json.dumps(entry["detail"], ensure_ascii=False),
              "created_wib": localtime.format_datetime(entry["created"]),
              "object_title": entry.get("object_title") or entry.get("dataset_title")}
    # Neutralise spreadsheet formulas in free text (=, +, -, @).
    return [f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v
            for v in (values.get(c) for c in CSV_COLUMNS)]
