"""Region reference codes of Kabupaten Pasuruan (Kemendagri and BPS)."""
from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import NamedTuple

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
