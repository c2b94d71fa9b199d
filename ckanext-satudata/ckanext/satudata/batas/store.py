"""The stored boundaries as the map reads them: what exists (one query for the page) and
the simplified kecamatan boundaries as a GeoJSON FeatureCollection."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, NamedTuple

import sqlalchemy as sa
from ckan import model

from ckanext.satudata import wilayah
from ckanext.satudata.batas.model import WilayahBatas

__all__ = ["Stored", "kecamatan_collection", "stored"]


class Stored(NamedTuple):
    """How many boundaries of a level exist, and when the newest was imported."""

    regions: int
    imported_at: dt.datetime | None


def stored(tingkat: str = "kecamatan") -> Stored:
    regions, newest = model.Session.execute(
        sa.select(sa.func.count(), sa.func.max(WilayahBatas.imported_at))
        .where(WilayahBatas.tingkat == tingkat)).one()
    return Stored(int(regions), newest)


def kecamatan_collection() -> dict[str, Any]:
    """The simplified boundaries of the kecamatan (public information), each with
    properties `kode` (Kemendagri) and `nama`, in code order."""
    names = {k.kode_kemendagri: k.nama for k in wilayah.kecamatan()}
    rows = model.Session.execute(
        sa.select(WilayahBatas.kode_kemendagri, WilayahBatas.geojson_simplified)
        .where(WilayahBatas.tingkat == "kecamatan")
        .order_by(WilayahBatas.kode_kemendagri)).all()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kode": kode, "nama": names.get(kode, kode)},
         "geometry": json.loads(geometry)} for kode, geometry in rows]}
