"""Table `satudata_wilayah_batas`: the boundary of one kecamatan or desa/kelurahan."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from ckanext.satudata.model.base import BaseModel

__all__ = ["TINGKAT", "WilayahBatas"]

#: Levels of a boundary: a kecamatan, or a desa/kelurahan.
TINGKAT = ("kecamatan", "desa")


class WilayahBatas(BaseModel):
    """A region's boundary, keyed by its Kemendagri code (e.g. 35.14.01)."""

    __tablename__ = "satudata_wilayah_batas"
    __table_args__ = (
        sa.CheckConstraint(sa.column("tingkat").in_(TINGKAT),
                           name="satudata_wilayah_batas_tingkat_check"),
        sa.Index("satudata_wilayah_batas_tingkat_idx", "tingkat"),
    )

    kode_kemendagri: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True)
    tingkat: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: The geometry as imported (GeoJSON Polygon or MultiPolygon, 2D).
    geojson: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: The geometry simplified for display (Douglas-Peucker, see batas.simplify).
    geojson_simplified: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    source_file: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    imported_at: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False)

    def __repr__(self) -> str:
        return f"<WilayahBatas {self.kode_kemendagri} {self.tingkat}>"
