"""Validators of the Satu Data schema (registered by blanket, prefixed satudata_)."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.satudata.localtime import today_wib

__all__ = [
    "satudata_activity", "satudata_email", "satudata_geojson", "satudata_ms_var_info",
    "satudata_number",
    "satudata_required", "satudata_year",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                   "MultiPolygon", "GeometryCollection"}


def satudata_year(value: Any) -> Any:
    """A plausible year of a statistical activity: 1945 to next year."""
    if value in (None, ""):
        return value
    if not 1945 <= int(value) <= today_wib().year + 1:
        raise tk.Invalid(tk._("Year must be between 1945 and {last}").format(
            last=today_wib().year + 1))
    return value


def satudata_email(value: Any) -> Any:
    if value in (None, ""):
        return value
    if not _EMAIL.match(str(value).strip()):
        raise tk.Invalid(tk._("Not a valid e-mail address"))
    return str(value).strip()


def satudata_geojson(value: Any) -> Any:
    """A GeoJSON geometry, stored as compact JSON text."""
    if value in (None, ""):
        return value
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
    except ValueError as err:
        raise tk.Invalid(tk._("Not valid GeoJSON: {error}").format(error=err)) from err
    if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY_TYPES:
        raise tk.Invalid(tk._("GeoJSON must be a geometry (Point, Polygon, MultiPolygon, ...)"))
    if geometry["type"] != "GeometryCollection" and "coordinates" not in geometry:
        raise tk.Invalid(tk._("GeoJSON geometry has no coordinates"))
    return json.dumps(geometry, separators=(",", ":"))


def satudata_required(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                      context: Context) -> None:
    """not_empty, except while the dataset is a draft (drafts may be incomplete)."""
    package = context.get("package")
    state = data.get(("state",)) or (package.state if package else None)
    if state == "draft":
        tk.get_validator("ignore_missing")(key, data, errors, context)
    else:
        tk.get_validator("not_empty")(key, data, errors, context)


def satudata_number(value: Any) -> Any:
    """A number, also written the Indonesian way (1.234.567 or 1.234,56); stored as text."""
    if value in (None, ""):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value).strip().replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1 or re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    try:
        float(text)
    except ValueError as err:
        raise tk.Invalid(tk._("Not a number: {value}").format(value=value)) from err
    return text


def satudata_activity(value: Any, context: Context) -> Any:
    """The activity (dataset of type `dataset`) an indicator belongs to; stores its id."""
    if value in (None, ""):
        return value
    model = context["model"]
    activity = model.Package.get(str(value))
    if activity is None or activity.state == "deleted" or activity.type != "dataset":
        raise tk.Invalid(tk._("No statistical activity with this name or id: {value}").format(
            value=value))
    return activity.id


def satudata_ms_var_info(value: Any) -> Any:
    """A DataStore column's data dictionary `info` with valid MS-Var values."""
    from ckanext.satudata import ms_var

    return ms_var.normalise_info(value)


def date_period(data: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    """The (start, end) dates of validated `start`/`end` (isodate) fields: both or
    neither, start not after end; None when neither is given."""
    start, end = data.get("start"), data.get("end")
    if start is None and end is None:
        return None
    if start is None or end is None:
        missing = "start" if start is None else "end"
        raise tk.ValidationError({missing: [tk._("Give both the start and the end of the "
                                                 "period")]})
    if start > end:
        raise tk.ValidationError({"end": [tk._("The end of the period is before its start")]})
    return start.date(), end.date()
