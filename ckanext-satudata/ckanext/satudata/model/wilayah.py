"""Table `satudata_wilayah`: reference codes of the regency, its kecamatan and desa/kelurahan."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from ckanext.satudata.model.base import BaseModel

__all__ = ["JENIS", "KodeWilayah"]

JENIS = ("kabupaten", "kecamatan", "desa", "kelurahan")


class KodeWilayah(BaseModel):
    """One region, keyed by its Kemendagri code (e.g. 35.14.01.2001)."""

    __tablename__ = "satudata_wilayah"
    __table_args__ = (
        sa.UniqueConstraint("kode_bps", name="satudata_wilayah_kode_bps_key"),
        sa.CheckConstraint(sa.column("jenis").in_(JENIS), name="satudata_wilayah_jenis_check"),
        sa.Index("satudata_wilayah_induk_idx", "induk"),
    )

    kode_kemendagri: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True)
    kode_bps: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    nama: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    jenis: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: Kemendagri code of the parent region (None for the regency).
    induk: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)

    def __repr__(self) -> str:
        return f"<KodeWilayah {self.kode_kemendagri} {self.jenis} {self.nama!r}>"
