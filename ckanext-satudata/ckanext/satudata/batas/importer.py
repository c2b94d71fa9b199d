"""Import official kecamatan/desa boundaries into `satudata_wilayah_batas`.

A GeoJSON FeatureCollection (`.geojson`, `.json`) or a zipped Shapefile (`.zip`
with one `.shp` and its `.shx` and `.dbf`; `.prj` and `.cpg` are read when there).
Each feature is matched to a region by the code in one of its properties
(`code_property`, default ``kode``): a Kemendagri code (35.14.01, 35.14.01.2001) or
a BPS code (3514010, 3514010001) of a kecamatan of Kabupaten Pasuruan (built in) or
of a desa/kelurahan of the region table (``ckan satudata wilayah import``). Only
Polygon and MultiPolygon geometries with longitude/latitude (WGS84) coordinates are
accepted; a third coordinate (height) is not kept.

Every feature is checked first and every problem is reported with the feature's
number (the first feature is 1); only a file without problems is written, in one
transaction, as an upsert: importing the same file again changes nothing, a changed
geometry is replaced, and boundaries not in the file are kept. Files over
`MAX_BYTES` are refused before they are read.
"""
from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import fileproblems, wilayah
from ckanext.satudata.batas.model import WilayahBatas
from ckanext.satudata.batas.simplify import simplify_geometry
from ckanext.satudata.model import KodeWilayah

__all__ = ["MAX_BYTES", "Boundary", "InvalidFile", "Problem", "Summary", "import_file",
           "read"]

#: Largest file accepted (bytes), and largest unpacked Shapefile of a ZIP.
MAX_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 4 * MAX_BYTES
DEFAULT_CODE_PROPERTY = "kode"

_KEC_KEMENDAGRI = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}")
_KEC_BPS = re.compile(r"[0-9]{7}")
_DESA_KEMENDAGRI = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")
_DESA_BPS = re.compile(r"[0-9]{10}")
_WGS84_NAMES = ("CRS84", "4326")


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated when rendered (Problem.render)."""
    return message


@dataclass(frozen=True)
class Problem:
    """One problem of one feature (numbered from 1), or of the whole file (None)."""

    feature: int | None
    msgid: str
    params: dict[str, object] = field(default_factory=dict)

    def render(self) -> str:
        message = tk._(self.msgid).format(**self.params)
        if self.feature is None:
            return message
        return tk._("Feature {number}: {message}").format(number=self.feature,
                                                          message=message)


@dataclass(frozen=True)
class Boundary:
    """A checked feature, as it is stored."""

    feature: int
    kode_kemendagri: str
    tingkat: str
    geometry: dict[str, Any]


@dataclass(frozen=True)
class Summary:
    read: int
    inserted: int
    updated: int
    unchanged: int

    def render(self) -> str:
        return tk._("Boundaries read: {read}, inserted: {inserted}, updated: {updated}, "
                    "unchanged: {unchanged}").format(
            read=self.read, inserted=self.inserted, updated=self.updated,
            unchanged=self.unchanged)


class InvalidFile(fileproblems.InvalidFile[Problem]):
    """The file has problems; nothing was written (those of the whole file first)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, lambda p: -1 if p.feature is None else p.feature)

    def render_summary(self) -> str:
        features = {p.feature for p in self.problems if p.feature is not None}
        return tk._("Nothing imported: {problems} problem(s) in {features} feature(s)").format(
            problems=len(self.problems), features=len(features))


def import_file(path: Path, code_property: str = DEFAULT_CODE_PROPERTY) -> Summary:
    """Check the whole file, then upsert its boundaries in one transaction.

    Raises:
        InvalidFile: with every problem found; the table is left as it was.
    """
    boundaries = read(path, code_property)
    return _upsert(boundaries, path.name)


def read(path: Path, code_property: str = DEFAULT_CODE_PROPERTY) -> list[Boundary]:
    """The checked boundaries of the file (the region table is only read).

    Raises:
        InvalidFile: with every problem found.
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InvalidFile([Problem(None, N_(
            "The file is {size} MB; boundary files over {limit} MB are refused. Simplify "
            "the geometries or split the file (e.g. one file per kecamatan) first."),
            {"size": _megabytes(size), "limit": MAX_BYTES // (1024 * 1024)})])
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        features, problems = _geojson_features(path.read_bytes())
    elif suffix == ".zip":
        features, problems = _shapefile_features(path)
    else:
        raise InvalidFile([Problem(None, N_(
            "Unknown file type {suffix}: give a GeoJSON file (.geojson, .json) or a "
            "zipped Shapefile (.zip)"), {"suffix": suffix or "-"})])
    if any(p.feature is None for p in problems):
        raise InvalidFile(problems)
    if not features and not problems:
        raise InvalidFile([Problem(None, N_("The file has no features"))])
    regions = _regions(features, code_property)
    boundaries: list[Boundary] = []
    first: dict[str, int] = {}
    for number, properties, geometry in features:
        feature_problems: list[Problem] = []
        region = _region(number, properties, code_property, regions, feature_problems)
        shape = _geometry(number, geometry, feature_problems)
        if region is not None and region.kode_kemendagri in first:
            feature_problems.append(Problem(number, N_(
                "{code} ({name}) appears again; it is already feature {first}. Join the "
                "parts of a region into one MultiPolygon"),
                {"code": region.kode_kemendagri, "name": region.nama,
                 "first": first[region.kode_kemendagri]}))
        elif region is not None:
            first[region.kode_kemendagri] = number
        problems += feature_problems
        if not feature_problems and region is not None and shape is not None:
            tingkat = "kecamatan" if region.jenis == "kecamatan" else "desa"
            boundaries.append(Boundary(number, region.kode_kemendagri, tingkat, shape))
    if problems:
        raise InvalidFile(problems)
    return boundaries


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


# --- reading the file: (feature number, properties, geometry) -------------------------

Feature = tuple[int, dict[str, Any], Any]


def _geojson_features(raw: bytes) -> tuple[list[Feature], list[Problem]]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return [], [Problem(None, N_("The file is not UTF-8 text"))]
    except ValueError as err:
        return [], [Problem(None, N_("The file is not valid JSON: {error}"),
                            {"error": str(err)})]
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return [], [Problem(None, N_("The file is not a GeoJSON FeatureCollection"))]
    crs = data.get("crs")
    if crs is not None:
        name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) \
            else str(crs)
        if not any(known in name.upper() for known in _WGS84_NAMES):
            return [], [Problem(None, N_(
                "The file's coordinate system is {crs}; convert it to WGS84 "
                "longitude/latitude (EPSG:4326) first"), {"crs": name or "?"})]
    items = data.get("features")
    if not isinstance(items, list):
        return [], [Problem(None, N_("The FeatureCollection has no list of features"))]
    features: list[Feature] = []
    problems: list[Problem] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("type") != "Feature":
            problems.append(Problem(number, N_("it is not a GeoJSON Feature")))
            continue
        properties = item.get("properties")
        if properties is None:
            properties = {}
        if not isinstance(properties, dict):
            problems.append(Problem(number, N_("its properties are not an object")))
            continue
        features.append((number, properties, item.get("geometry")))
    return features, problems


def _shapefile_features(path: Path) -> tuple[list[Feature], list[Problem]]:
    import shapefile

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return [], [Problem(None, N_("The file is not a valid ZIP archive"))]
    with archive:
        names = [n for n in archive.namelist()
                 if not n.startswith("__MACOSX/") and not n.endswith("/")]
        shps = sorted(n for n in names if n.lower().endswith(".shp"))
        if not shps:
            return [], [Problem(None, N_("The ZIP archive holds no .shp file"))]
        if len(shps) > 1:
            return [], [Problem(None, N_(
                "The ZIP archive holds more than one shapefile ({names}); give one per "
                "import"), {"names": ", ".join(shps)})]
        stem = shps[0][:-4]
        members = {n[len(stem):].lower(): n for n in names
                   if n[:-4] == stem and len(n) == len(stem) + 4}
        missing = [ext for ext in (".shx", ".dbf") if ext not in members]
        if missing:
            return [], [Problem(None, N_(
                "The shapefile {name} has no {files} beside it in the ZIP archive"),
                {"name": shps[0], "files": ", ".join(missing)})]
        unpacked = sum(archive.getinfo(n).file_size for n in members.values())
        if unpacked > MAX_UNPACKED_BYTES:
            return [], [Problem(None, N_(
                "Unpacked, the shapefile takes {size} MB; over {limit} MB is refused"),
                {"size": _megabytes(unpacked),
                 "limit": MAX_UNPACKED_BYTES // (1024 * 1024)})]
        if ".prj" in members:
            prj = archive.read(members[".prj"]).decode("latin-1")
            if "PROJCS" in prj.upper():
                name = re.search(r'PROJCS\["([^"]*)"', prj)
                return [], [Problem(None, N_(
                    "The file's coordinate system is {crs}; convert it to WGS84 "
                    "longitude/latitude (EPSG:4326) first"),
                    {"crs": name.group(1) if name else "PROJCS"})]
        encoding = "utf-8"
        if ".cpg" in members:
            declared = archive.read(members[".cpg"]).decode("ascii", "replace").strip()
            try:
                encoding = codecs.lookup(declared).name
            except LookupError:
                encoding = "utf-8"
        try:
            reader = shapefile.Reader(
                shp=io.BytesIO(archive.read(members[".shp"])),
                shx=io.BytesIO(archive.read(members[".shx"])),
                dbf=io.BytesIO(archive.read(members[".dbf"])),
                encoding=encoding, encodingErrors="replace")
            features: list[Feature] = []
            problems: list[Problem] = []
            for number, item in enumerate(reader.iterShapeRecords(), start=1):
                shape = item.shape
                if shape.shapeType == shapefile.NULL:
                    geometry: Any = None
                elif shape.shapeType in (shapefile.POLYGON, shapefile.POLYGONZ,
                                         shapefile.POLYGONM):
                    geometry = shape.__geo_interface__
                else:
                    geometry = {"type": shape.shapeTypeName}
                features.append((number, item.record.as_dict(), geometry))
        except Exception as err:  # noqa: BLE001 - any damage is reported, never a traceback
            return [], [Problem(None, N_("The shapefile cannot be read: {error}"),
                                {"error": str(err) or type(err).__name__})]
    return features, problems


# --- checking a feature --------------------------------------------------------------

def _code_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value is not None else ""


def _property(properties: dict[str, Any], name: str) -> tuple[bool, Any]:
    """(found, value) of a property, by its exact name or else case-insensitively."""
    if name in properties:
        return True, properties[name]
    matches = [k for k in properties if str(k).lower() == name.lower()]
    if len(matches) == 1:
        return True, properties[matches[0]]
    return False, None


def _regions(features: list[Feature], code_property: str) -> dict[str, wilayah.Wilayah]:
    """Every region a code of the file may name: the built-in kecamatan, and the desa
    and kelurahan of the region table that the file's desa codes name (one query)."""
    regions: dict[str, wilayah.Wilayah] = {}
    for w in wilayah.kecamatan():
        regions[w.kode_kemendagri] = w
        regions[w.kode_bps] = w
    codes = {_code_text(_property(p, code_property)[1]) for _n, p, _g in features}
    desa = [c for c in codes if _DESA_KEMENDAGRI.fullmatch(c) or _DESA_BPS.fullmatch(c)]
    if desa:
        stmt = sa.select(KodeWilayah.kode_kemendagri, KodeWilayah.kode_bps, KodeWilayah.nama,
                         KodeWilayah.jenis).where(
            KodeWilayah.jenis.in_(("desa", "kelurahan")),
            sa.or_(KodeWilayah.kode_kemendagri.in_(desa), KodeWilayah.kode_bps.in_(desa)))
        for kode, kode_bps, nama, jenis in model.Session.execute(stmt):
            w = wilayah.Wilayah(kode, kode_bps or "", nama, jenis)
            regions[kode] = w
            if kode_bps:
                regions[kode_bps] = w
    return regions


def _region(number: int, properties: dict[str, Any], code_property: str,
            regions: dict[str, wilayah.Wilayah],
            problems: list[Problem]) -> wilayah.Wilayah | None:
    found, value = _property(properties, code_property)
    if not found:
        problems.append(Problem(number, N_(
            "the property {property} with the region code is missing (properties: "
            "{properties}); name the right one with --code-property"),
            {"property": code_property,
             "properties": ", ".join(str(k) for k in properties) or "-"}))
        return None
    code = _code_text(value)
    if not code:
        problems.append(Problem(number, N_("the region code ({property}) is empty"),
                                {"property": code_property}))
        return None
    region = regions.get(code)
    if region is not None:
        return region
    if _KEC_KEMENDAGRI.fullmatch(code) or _KEC_BPS.fullmatch(code):
        problems.append(Problem(number, N_(
            "code {code} is not the code of a kecamatan of Kabupaten Pasuruan"),
            {"code": code}))
    elif _DESA_KEMENDAGRI.fullmatch(code) or _DESA_BPS.fullmatch(code):
        problems.append(Problem(number, N_(
            "code {code} is not a desa or kelurahan of the region table; import the "
            "desa list first (ckan satudata wilayah import)"), {"code": code}))
    else:
        problems.append(Problem(number, N_(
            "code {code} is neither a Kemendagri code (35.14.01, 35.14.01.2001) nor a BPS "
            "code (3514010, 3514010001)"), {"code": code}))
    return None


def _number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _geometry(number: int, geometry: Any, problems: list[Problem]) -> dict[str, Any] | None:
    """The geometry as stored (2D lists), or None and its problems."""
    if geometry is None:
        problems.append(Problem(number, N_("the feature has no geometry")))
        return None
    if not isinstance(geometry, dict):
        problems.append(Problem(number, N_("the geometry is not a GeoJSON object")))
        return None
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        problems.append(Problem(number, N_(
            "the geometry is a {type}; only Polygon and MultiPolygon are accepted"),
            {"type": kind or "?"}))
        return None
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, (list, tuple)) or not coordinates:
        problems.append(Problem(number, N_("the geometry has no coordinates")))
        return None
    polygons = [coordinates] if kind == "Polygon" else list(coordinates)
    before = len(problems)
    out: list[list[list[list[float]]]] = []
    for p, polygon in enumerate(polygons, start=1):
        if not isinstance(polygon, (list, tuple)) or not polygon:
            problems.append(Problem(number, N_("polygon {polygon} has no rings"),
                                    {"polygon": p}))
            continue
        rings = []
        for r, ring in enumerate(polygon, start=1):
            checked = _ring(number, p, r, ring, problems)
            if checked is not None:
                rings.append(checked)
        out.append(rings)
    if len(problems) > before:
        return None
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": out[0]}
    return {"type": "MultiPolygon", "coordinates": out}


def _ring(number: int, polygon: int, ring_number: int, ring: Any,
          problems: list[Problem]) -> list[list[float]] | None:
    where: dict[str, object] = {"polygon": polygon, "ring": ring_number}
    if not isinstance(ring, (list, tuple)) or len(ring) < 4:
        problems.append(Problem(number, N_(
            "ring {ring} of polygon {polygon} has fewer than 4 points"), where))
        return None
    points: list[list[float]] = []
    for i, position in enumerate(ring, start=1):
        if (not isinstance(position, (list, tuple)) or len(position) < 2
                or not all(_number(v) for v in position)):
            problems.append(Problem(number, N_(
                "point {point} of ring {ring} of polygon {polygon} is not a pair of "
                "numbers"), {**where, "point": i}))
            return None
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(Problem(number, N_(
                "point {point} of ring {ring} of polygon {polygon} ({lon}, {lat}) is outside "
                "WGS84 longitude/latitude (-180..180, -90..90); is the file projected?"),
                {**where, "point": i, "lon": position[0], "lat": position[1]}))
            return None
        points.append([lon, lat])
    if points[0] != points[-1]:
        problems.append(Problem(number, N_(
            "ring {ring} of polygon {polygon} is not closed: its first and last points "
            "differ"), where))
        return None
    return points


# --- writing ---------------------------------------------------------------------------

def _upsert(boundaries: list[Boundary], source_file: str) -> Summary:
    """Insert new boundaries and replace changed ones, in one transaction."""
    session = model.Session
    now = dt.datetime.utcnow()
    try:
        existing = {b.kode_kemendagri: b for b in session.execute(
            sa.select(WilayahBatas).where(WilayahBatas.kode_kemendagri.in_(
                [b.kode_kemendagri for b in boundaries]))).scalars()}
        inserted = updated = 0
        for b in boundaries:
            text = json.dumps(b.geometry, separators=(",", ":"))
            simplified = json.dumps(simplify_geometry(b.geometry), separators=(",", ":"))
            row = existing.get(b.kode_kemendagri)
            if row is None:
                session.add(WilayahBatas(kode_kemendagri=b.kode_kemendagri, tingkat=b.tingkat,
                                         geojson=text, geojson_simplified=simplified,
                                         source_file=source_file, imported_at=now))
                inserted += 1
                continue
            values = {"tingkat": b.tingkat, "geojson": text,
                      "geojson_simplified": simplified, "source_file": source_file}
            if any(getattr(row, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                row.imported_at = now
                updated += 1
        session.commit()
    except Exception:
        session.rollback()
        raise
    return Summary(len(boundaries), inserted, updated, len(boundaries) - inserted - updated)
