"""Built-in region codes of Kabupaten Pasuruan."""
from __future__ import annotations

from ckanext.satudata import wilayah


def test_regency_and_24_kecamatan_with_both_codes():
    regency = [w for w in wilayah.builtin() if w.jenis == "kabupaten"]
    assert regency == [wilayah.Wilayah("35.14", "3514", "Kabupaten Pasuruan", "kabupaten")]
    kecamatan = wilayah.kecamatan()
    assert len(kecamatan) == 24
    assert all(k.kode_kemendagri.startswith("35.14.") for k in kecamatan)
    assert all(k.kode_bps.startswith("3514") and len(k.kode_bps) == 7 for k in kecamatan)
    assert len({k.kode_bps for k in kecamatan}) == 24


def test_bps_order_is_not_derived_from_kemendagri_order():
    by_name = {k.nama: k for k in wilayah.kecamatan()}
    # Tosari is 35.14.24 (Kemendagri) but 3514040 (BPS).
    assert by_name["Tosari"].kode_kemendagri == "35.14.24"
    assert by_name["Tosari"].kode_bps == "3514040"
