"""The metadata quality scorer: explicit checks, each with a severity and an MQA dimension.

Severities (issue 13): `kritis`, `tinggi`, `sedang`. Dimensions follow data.europa.eu's
Metadata Quality Assessment: findability, accessibility, interoperability,
reusability, contextuality.

Datasets are scored in batches: `load` reads everything the checks need for any
number of datasets in a fixed number of queries (packages, extras, tags, resources,
publication state, the DataStore columns, the valid region codes), never one per
dataset, resource or column; `evaluate` is then pure Python.

Checks that would download resources (a resource that does not download), compare the
data with its period, or need the release calendar (release overdue, frequency against
updates) are not here yet.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import metadata, ms_var, verification, wilayah
from ckanext.satudata.model import KodeWilayah

SEVERITIES = ("kritis", "tinggi", "sedang")
#: Weight of a check of each severity in the score.
WEIGHTS = {"kritis": 3, "tinggi": 2, "sedang": 1}
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability",
              "contextuality")
ACCESS_CLASSES = ("terbuka", "terbatas", "rahasia")
#: Shorter descriptions are flagged (characters, without surrounding blanks).
MIN_DESCRIPTION = 100
#: Licence ids that say nothing about reuse.
NO_LICENCE = ("", "notspecified")


@dataclasses.dataclass
class Facts:
    """What the checks read of one dataset (from `load`)."""

    id: str
    name: str
    title: str
    organization_id: str | None
    data: dict[str, Any]
    published: bool
    tags: int
    #: (resource name or id, column) -> the column's data-dictionary info.
    columns: dict[tuple[str, str], dict[str, Any]]
    valid_regions: frozenset[str]


@dataclasses.dataclass(frozen=True)
class Check:
    id: str
    severity: str
    dimension: str
    #: English msgid of what the check asks for (translated when shown).
    title: str
    #: None when the check passes, else a short detail of what is wrong.
    test: Callable[[Facts], str | None]
    #: Whether the check says anything about this dataset (else it is left out).
    applies: Callable[[Facts], bool] = lambda facts: True


#: Mandatory fields with a check of their own (not counted twice by `sdi_wajib`).
_OWN_CHECK = frozenset({"license_id", "klasifikasi_akses"})


def _mandatory(facts: Facts) -> str | None:
    problems = metadata.check(facts.data)
    names: list[str] = []
    for p in problems:
        if p["field"] not in _OWN_CHECK and p["label"] not in names:
            names.append(p["label"])
    return ", ".join(names) or None


def _licence(facts: Facts) -> str | None:
    return None if (facts.data.get("license_id") or "") not in NO_LICENCE else "license_id"


def _access_class(facts: Facts) -> str | None:
    value = facts.data.get("klasifikasi_akses") or ""
    return None if value in ACCESS_CLASSES else f"klasifikasi_akses={value!r}"


def _ms_var(facts: Facts) -> str | None:
    lacking = [f"{resource}: {column}" for (resource, column), info in facts.columns.items()
               if ms_var.missing(info)]
    return ", ".join(sorted(lacking)) or None


def _regions(facts: Facts) -> str | None:
    codes = metadata.values_of(facts.data.get("wilayah"))
    bad = [c for c in codes if c not in facts.valid_regions]
    return ", ".join(bad) or None


def _description(facts: Facts) -> str | None:
    length = len((facts.data.get("notes") or "").strip())
    return None if length >= MIN_DESCRIPTION else str(length)


def _tags(facts: Facts) -> str | None:
    return None if facts.tags else "0"


def _contact(facts: Facts) -> str | None:
    if (facts.data.get("email_instansi") or "").strip() or (
            facts.data.get("pj_email") or "").strip():
        return None
    return "email_instansi, pj_email"


CHECKS: tuple[Check, ...] = (
    Check("sdi_wajib", "kritis", "contextuality",
          "Mandatory SDI/MS-Keg fields filled in on a published dataset", _mandatory,
          applies=lambda f: f.published),
    Check("lisensi", "kritis", "reusability", "A licence is given", _licence),
    Check("klasifikasi_akses", "kritis", "accessibility", "An access class is given",
          _access_class),
    Check("ms_var", "tinggi", "interoperability",
          "MS-Var filled in for every DataStore column", _ms_var,
          applies=lambda f: bool(f.columns)),
    Check("kode_wilayah", "tinggi", "interoperability", "Region codes are valid", _regions,
          applies=lambda f: bool(metadata.values_of(f.data.get("wilayah")))),
    Check("deskripsi", "sedang", "findability",
          "The description has at least 100 characters", _description),
    Check("kata_kunci", "sedang", "findability", "At least one tag", _tags),
    Check("email_kontak", "sedang", "contextuality", "A contact e-mail address", _contact),
)
BY_ID = {c.id: c for c in CHECKS}


@dataclasses.dataclass
class Result:
    package_id: str
    organization_id: str | None
    published: bool
    score: int
    dimensions: dict[str, int]
    #: {check id: detail} of the failing checks.
    failing: dict[str, str]


def _percent(passed: int, total: int) -> int:
    return round(100 * passed / total) if total else 100


def evaluate(facts: Facts) -> Result:
    """Score one dataset (no queries)."""
    failing: dict[str, str] = {}
    weights = {d: [0, 0] for d in (*DIMENSIONS, "all")}
    for check in CHECKS:
        if not check.applies(facts):
            continue
        detail = check.test(facts)
        weight = WEIGHTS[check.severity]
        for key in (check.dimension, "all"):
            weights[key][1] += weight
            if detail is None:
                weights[key][0] += weight
        if detail is not None:
            failing[check.id] = detail
    return Result(facts.id, facts.organization_id, facts.published,
                  _percent(*weights["all"]),
                  {d: _percent(*weights[d]) for d in DIMENSIONS}, failing)


# Loading, in batches

def _repeating_fields() -> frozenset[str]:
    return frozenset(f["field_name"] for f in metadata.dataset_fields()
                     if "repeating_subfields" in f)


def _extra_value(key: str, value: str, repeating: frozenset[str]) -> Any:
    if key in repeating and value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def valid_regions() -> frozenset[str]:
    """Kemendagri codes of the regency, its kecamatan and the imported desa (one query)."""
    codes = {w.kode_kemendagri for w in wilayah.builtin()}
    codes.update(model.Session.execute(sa.select(KodeWilayah.kode_kemendagri)).scalars())
    return frozenset(codes)


def _datastore_columns(resource_ids: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """{resource id: {column: info}} of these DataStore tables (one query)."""
    if not resource_ids:
        return {}
    from ckanext.datastore.backend.postgres import get_read_engine

    stmt = sa.text(
        "SELECT pc.relname, pa.attname, pd.description "
        "FROM pg_class pc JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
        "JOIN pg_attribute pa ON pa.attrelid = pc.oid "
        "LEFT JOIN pg_description pd ON pd.objoid = pc.oid AND pd.objsubid = pa.attnum "
        "WHERE pn.nspname = 'public' AND pc.relkind = 'r' AND pc.relname = ANY(:ids) "
        "AND pa.attnum > 0 AND NOT pa.attisdropped "
        "AND pa.attname NOT IN ('_id', '_full_text')")
    out: dict[str, dict[str, dict[str, Any]]] = {}
    with get_read_engine().connect() as conn:
        for table, column, description in conn.execute(stmt, {"ids": resource_ids}):
            info: Any = {}
            if description:
                try:
                    info = json.loads(description).get("_info") or {}
                except (ValueError, AttributeError):
                    info = {}
            out.setdefault(table, {})[column] = info if isinstance(info, dict) else {}
    return out


def dataset_ids(organization_id: str | None = None) -> list[str]:
    """Ids of every active dataset of type `dataset` (optionally of one OPD)."""
    stmt = sa.select(model.Package.id).where(model.Package.state == "active",
                                             model.Package.type == metadata.DATASET_TYPE)
    if organization_id:
        stmt = stmt.where(model.Package.owner_org == organization_id)
    return list(model.Session.execute(stmt.order_by(model.Package.id)).scalars())


def load(package_ids: Iterable[str], regions: frozenset[str] | None = None) -> list[Facts]:
    """The facts of these datasets (active ones of type `dataset`; others are left out)."""
    ids = list(dict.fromkeys(package_ids))
    if not ids:
        return []
    P = model.Package
    packages = model.Session.execute(
        sa.select(P.id, P.name, P.title, P.owner_org, P.notes, P.license_id)
        .where(P.id.in_(ids), P.state == "active", P.type == metadata.DATASET_TYPE)).all()
    ids = [row.id for row in packages]
    if not ids:
        return []
    repeating = _repeating_fields()
    extras: dict[str, dict[str, Any]] = {}
    E = model.PackageExtra
    for package_id, key, value in model.Session.execute(
            sa.select(E.package_id, E.key, E.value).where(E.package_id.in_(ids),
                                                          E.state == "active")):
        extras.setdefault(package_id, {})[key] = _extra_value(key, value or "", repeating)
    T = model.PackageTag
    tags = dict(model.Session.execute(
        sa.select(T.package_id, sa.func.count()).where(T.package_id.in_(ids),
                                                       T.state == "active")
        .group_by(T.package_id)).all())
    R = model.Resource
    resources: dict[str, list[tuple[str, str]]] = {}
    for resource_id, package_id, name, extras_json in model.Session.execute(
            sa.select(R.id, R.package_id, R.name, R.extras).where(R.package_id.in_(ids),
                                                                   R.state == "active")):
        resource_extras = extras_json if isinstance(extras_json, dict) else json.loads(
            extras_json or "{}")
        if resource_extras.get("datastore_active"):
            resources.setdefault(package_id, []).append((resource_id, name or resource_id))
    columns = _datastore_columns([r for rs in resources.values() for r, _ in rs])
    published = verification.publication_dates(ids)
    regions = regions if regions is not None else valid_regions()
    out = []
    for row in packages:
        data = {**extras.get(row.id, {}), "title": row.title, "name": row.name,
                "notes": row.notes, "license_id": row.license_id, "owner_org": row.owner_org}
        cols = {(name, column): info for resource_id, name in resources.get(row.id, [])
                for column, info in columns.get(resource_id, {}).items()}
        out.append(Facts(row.id, row.name, row.title, row.owner_org, data,
                         row.id in published, tags.get(row.id, 0), cols, regions))
    return out


def check_title(check_id: str) -> str:
    """The check's title in the current language."""
    check = BY_ID.get(check_id)
    return tk._(check.title) if check else check_id
