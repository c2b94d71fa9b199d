"""Conversions between SDI values and their DCAT form that need no graph: reporting
periods, telephone URIs, region labels, GeoJSON extents, distribution formats."""
from __future__ import annotations

import calendar
import json
import re
from typing import Any

from ckanext.dcat.profiles.base import GSP
from ckanext.dcat.utils import catalog_uri
from geomet import wkt
from rdflib import Literal

from ckanext.satudata import wilayah
from ckanext.satudata.dcat.vocabulary import FILE_TYPE, FILE_TYPES, IANA_MEDIA_TYPES


def reporting_period(data: dict[str, Any]) -> tuple[str, str] | None:
    """(first day, last day) as ISO dates of the year, quarter or month a dataset covers."""
    try:
        year = int(data.get("tahun_kegiatan") or 0)
    except (TypeError, ValueError):
        return None
    if not 1000 <= year <= 9999:
        return None
    first_month, last_month = 1, 12
    quarter = data.get("periode_triwulan")
    if quarter in ("I", "II", "III", "IV"):
        first_month = ("I", "II", "III", "IV").index(quarter) * 3 + 1
        last_month = first_month + 2
    month = str(data.get("periode_bulan") or "")
    if month.isdigit() and 1 <= int(month) <= 12:
        first_month = last_month = int(month)
    last_day = calendar.monthrange(year, last_month)[1]
    return f"{year}-{first_month:02d}-01", f"{year}-{last_month:02d}-{last_day:02d}"


def tel_uri(phone: str | None) -> str | None:
    """An RFC 3966 tel: URI; Indonesian numbers written nationally get +62."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    if not digits.lstrip("+"):
        return None
    if digits.startswith("+"):
        return f"tel:{digits}"
    if digits.startswith("62"):
        return f"tel:+{digits}"
    if digits.startswith("0"):
        return f"tel:+62{digits[1:]}"
    return f"tel:{digits}"


def region_label(region: wilayah.Wilayah) -> str:
    """The name a region is known by: the regency itself, or "Kecamatan <name>"."""
    return region.nama if region.jenis == "kabupaten" else f"Kecamatan {region.nama}"


def geojson_of(value: Any) -> dict[str, Any] | None:
    """A GeoJSON geometry given as a dict or as JSON text, or None."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) and "type" in parsed else None
    return None


def plain_format(resource_dict: dict[str, Any]) -> None:
    """The CKAN format label and media type of a distribution read back (our output
    gives both as IRIs: an EU file type, an IANA media type)."""
    fmt = resource_dict.get("format")
    if isinstance(fmt, str) and fmt.startswith(FILE_TYPE):
        code = fmt[len(FILE_TYPE):]
        labels = {v: k for k, v in reversed(list(FILE_TYPES.items()))}
        resource_dict["format"] = labels.get(code, code)
    mimetype = resource_dict.get("mimetype")
    if isinstance(mimetype, str) and mimetype.startswith(IANA_MEDIA_TYPES):
        resource_dict["mimetype"] = mimetype[len(IANA_MEDIA_TYPES):]


def bounds(geojson: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a GeoJSON geometry, or None."""
    points: list[tuple[float, float]] = []

    def walk(value: Any) -> None:
        if (isinstance(value, (list, tuple)) and len(value) >= 2
                and all(isinstance(v, (int, float)) for v in value[:2])):
            points.append((float(value[0]), float(value[1])))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(geojson.get("coordinates"))
    for part in geojson.get("geometries") or []:
        walk(part.get("coordinates") if isinstance(part, dict) else None)
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def geojson_text(literal: Literal) -> str | None:
    """GeoJSON text of a GeoJSON or WKT literal, or None."""
    if literal.datatype == GSP.wktLiteral:
        try:
            return json.dumps(wkt.loads(str(literal)))
        except (TypeError, ValueError):
            return None
    return json.dumps(geojson_of(str(literal))) if geojson_of(str(literal)) else None


def catalog_base() -> str:
    """The catalogue URI without a trailing slash (base of region and theme URIs)."""
    return catalog_uri().rstrip("/")
