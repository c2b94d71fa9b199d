"""Region reference codes of Kabupaten Pasuruan (Kemendagri and BPS)."""
from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from ckan import model

from ckanext.satudata.model import KodeWilayah

_BUILTIN = Path(__file__).resolve().parent / "data" / "wilayah_pasuruan.csv"


class Wilayah(NamedTuple):
    kode_kemendagri: str
    kode_bps: str
    nama: str
    jenis: str


@functools.lru_cache(maxsize=1)
def builtin() -> tuple[Wilayah, ...]:
    """The regency and its 24 kecamatan, as shipped with the extension."""
    with _BUILTIN.open(encoding="utf-8", newline="") as f:
        return tuple(
            Wilayah(row["kode_kemendagri"], row["kode_bps"], row["nama"], row["jenis"])
            for row in csv.DictReader(f)
        )


def kecamatan() -> tuple[Wilayah, ...]:
    return tuple(w for w in builtin() if w.jenis == "kecamatan")


def desa(kecamatan_kode: str) -> tuple[Wilayah, ...]:
    """The imported desa and kelurahan of one kecamatan, in code order (one query).

    Args:
        kecamatan_kode: Kemendagri code of the kecamatan, e.g. ``35.14.01``.

    Returns:
        Rows of table satudata_wilayah (``ckan satudata wilayah import``);
        ``kode_bps`` is ``""`` where the official file had none.
    """
    stmt = (
        sa.select(
            KodeWilayah.kode_kemendagri, KodeWilayah.kode_bps, KodeWilayah.nama, KodeWilayah.jenis
        )
        .where(
            KodeWilayah.induk == kecamatan_kode,
            KodeWilayah.jenis.in_(("desa", "kelurahan")),
        )
        .order_by(KodeWilayah.kode_kemendagri)
    )
    return tuple(
        Wilayah(kode, kode_bps or "", nama, jenis)
        for kode, kode_bps, nama, jenis in model.Session.execute(stmt)
    )
