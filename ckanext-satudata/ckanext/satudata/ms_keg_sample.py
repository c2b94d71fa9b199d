"""A complete MS-Keg for a routine OPD compilation activity.

Used by the demo and by tests as the baseline of a dataset ready for
verification; callers override what differs (title, year, method...).
"""
from __future__ import annotations

from typing import Any


def _schedule(year: int, start: str, end: str) -> list[dict[str, str]]:
    return [{"mulai": f"{year}-{start}", "selesai": f"{year}-{end}"}]


def complete_ms_keg(title: str, year: int, opd_title: str, **overrides: Any) -> dict[str, Any]:
    """Every mandatory MS-Keg field of an annual administrative-records activity."""
    fields: dict[str, Any] = {
        "notes": f"{title}. Data dikompilasi dari laporan administrasi {opd_title}.",
        "sektor_kegiatan": "PERTANIAN_DAN_PERIKANAN",
        "tahun_kegiatan": year,
        "wilayah": ["35.14"],
        "sumber_data": f"Laporan administrasi {opd_title}",
        "judul_kegiatan": title,
        "jenis_statistik": "STATISTIK_SEKTORAL",
        "cara_pengumpulan_data": "KOMPILASI_PRODUK_ADMINISTRASI",
        "rekomendasi_bps": "false",
        "alamat_instansi": "Jl. Raya Raci Km. 9, Bangil, Kabupaten Pasuruan",
        "telepon_instansi": "(0343) 429496",
        "email_instansi": "satudata@pasuruankab.go.id",
        "unit_eselon1": opd_title,
        "unit_eselon2": "Bidang Data dan Statistik",
        "pj_nama": "Kepala Bidang Data dan Statistik",
        "pj_jabatan": "Kepala Bidang",
        "pj_alamat": "Jl. Raya Raci Km. 9, Bangil, Kabupaten Pasuruan",
        "pj_telepon": "(0343) 429496",
        "pj_email": "statistik@pasuruankab.go.id",
        "latar_belakang": f"Perencanaan pembangunan daerah membutuhkan data {title.lower()}.",
        "tujuan_kegiatan": "Menyediakan data sektoral yang akurat, mutakhir dan terpadu.",
        "jadwal_perencanaan": _schedule(year, "01-02", "01-31"),
        "jadwal_desain": _schedule(year, "02-01", "02-28"),
        "jadwal_pengumpulan": _schedule(year, "03-01", "09-30"),
        "jadwal_pengolahan": _schedule(year, "10-01", "10-31"),
        "jadwal_analisis": _schedule(year, "11-01", "11-15"),
        "jadwal_diseminasi": _schedule(year, "11-16", "12-15"),
        "jadwal_evaluasi": _schedule(year, "12-16", "12-31"),
        "variabel_dikumpulkan": [{
            "nama": "Jumlah", "konsep": "Jumlah menurut kecamatan",
            "definisi": "Banyaknya unit yang tercatat di setiap kecamatan",
            "referensi_waktu": f"31 Desember {year}",
        }],
        "kegiatan_dilakukan": "BERULANG",
        "frekuensi_penyelenggaraan": "TAHUNAN",
        "tipe_pengumpulan_data": "CROSS_SECTIONAL",
        "cakupan_wilayah": "SEBAGIAN_WILAYAH_INDONESIA",
        "metode_pengumpulan": ["pengumpulan_data_sekunder"],
        "sarana_pengumpulan": ["lainnya"],
        "sarana_pengumpulan_lainnya": "Aplikasi pelaporan OPD",
        "unit_pengumpulan": ["lainnya"],
        "unit_pengumpulan_lainnya": "Kecamatan",
        "uji_coba": "false",
        "pemeriksaan_kualitas": ["supervisi"],
        "penyesuaian_nonrespon": "false",
        "tahap_editing": "true",
        "tahap_coding": "false",
        "tahap_data_entry": "true",
        "tahap_validasi": "true",
        "metode_analisis": "DESKRIPTIF",
        "unit_analisis": ["lainnya"],
        "tingkat_penyajian": ["kabupaten_kota", "kecamatan"],
        "produk_tercetak": "false",
        "produk_digital": "true",
        "produk_mikrodata": "false",
        "rilis_digital": [{"tanggal": f"{year}-12-15"}],
    }
    fields.update(overrides)
    return fields


SURVEY_BLOCK_V: dict[str, Any] = {
    "cara_pengumpulan_data": "SURVEI",
    "jenis_rancangan_sampel": "MULTI_STAGE_PHASE",
    "metode_pemilihan_sampel": "SAMPEL_PROBABILITAS",
    "metode_sampling": "STRATIFIED_RANDOM_SAMPLING",
    "kerangka_sampel": "LIST_FRAME",
    "fraksi_sampel": "10 persen rumah tangga",
    "sampling_error": "RSE < 25 persen",
    "unit_sampel": "Rumah tangga",
    "unit_observasi": "Rumah tangga",
    "metode_pengumpulan": ["wawancara"],
    "sarana_pengumpulan": ["capi"],
    "petugas_pengumpulan": "MITRA_ATAU_TENAGA_KONTRAK",
    "pendidikan_petugas": "SMA_KE_BAWAH",
    "jumlah_supervisor": 6,
    "jumlah_enumerator": 48,
    "pelatihan_petugas": "true",
    "unit_pengumpulan": ["rumah_tangga"],
    "unit_analisis": ["rumah_tangga"],
}


def complete_ms_ind(title: str, activity: str, **overrides: Any) -> dict[str, Any]:
    """Every mandatory MS-Ind field of a simple (not composite) regency-level indicator.

    `activity` is the name or id of the dataset that produces the indicator.
    """
    fields: dict[str, Any] = {
        "type": "indikator", "ms_keg_id": activity, "konsep": title,
        "definisi": f"{title} Kabupaten Pasuruan", "interpretasi": "Makin tinggi makin baik",
        "metode_perhitungan": "Realisasi dibanding sasaran dikali 100",
        "ukuran": "Persentase", "satuan": "Persen",
        "klasifikasi_penyajian": [{"nama": "Wilayah", "sumber": "Kemendagri"}],
        "indikator_komposit": "false",
        "variabel_pembangun": [{"nama": title, "kegiatan_penghasil": activity,
                                "kode_kegiatan": "-"}],
        "level_estimasi": "kabupaten", "akses_umum": "true",
    }
    fields.update(overrides)
    return fields
