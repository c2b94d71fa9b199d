"""The demo's Daftar Data for 2025 and 2026 (called by `ckanext.satudata.demo.seed`).

Everything goes through the actions, and every actual release date comes from a real
publication through verifikasi's workflow (operator submits, verifikator and walidata
approve) after the dataset was linked, so the release calendar tells the truth about
the demo: data published after its (revised) date is *rilis terlambat*, before it
*rilis tepat waktu*; entries without a dataset are *belum tersedia* and late once their
date passed. An entry that exists is left as it is, so seeding again changes nothing.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata.ms_keg_sample import complete_ms_keg

REASON = "Daftar Data yang disepakati Forum Satu Data (data demo)"

#: (year, OPD, title, kategori, sektor, prioritas, frequency, planned dates by period,
#:  dataset: None, an existing demo dataset, or "new" (a dataset of that year, created
#:  as a draft by the OPD's operator), publish through the workflow after linking).
ENTRIES: tuple[tuple[Any, ...], ...] = (
    (2025, "dinkes", "Cakupan Imunisasi Dasar Lengkap per Kecamatan", "DATA_DASAR",
     "KESEHATAN", True, "tahunan", {"Y": "2025-03-31"}, "imunisasi-dasar-2025", True),
    (2025, "disdik", "Jumlah Murid SD dan SMP per Kecamatan", "DATA_DASAR",
     "PENDIDIKAN_DAN_PELATIHAN", True, "tahunan", {"Y": "2025-08-29"}, "murid-sd-smp-2025",
     True),
    (2025, "dispendukcapil", "Jumlah Penduduk menurut Jenis Kelamin per Kecamatan",
     "DATA_DASAR", "DEMOGRAFI_DAN_KEPENDUDUKAN", True, "semesteran",
     {"S1": "2025-07-31", "S2": "2025-12-31"}, "penduduk-2025", True),
    (2025, "dinkes", "Jumlah Balita Stunting per Desa", "DATA_DASAR", "KESEHATAN", True,
     "bulanan", {f"{m:02d}": f"2025-{m:02d}-25" for m in range(1, 13)}, None, False),
    (2025, "dishub", "Panjang Jalan Kabupaten per Kecamatan", "DATA_KEWILAYAHAN",
     "TRANSPORTASI", False, "tahunan", {"Y": "2025-10-31"}, None, False),
    (2026, "dinkes", "Cakupan Imunisasi Dasar Lengkap per Kecamatan", "DATA_DASAR",
     "KESEHATAN", True, "tahunan", {"Y": "2026-12-28"}, "new", True),
    (2026, "disdik", "Jumlah Murid SD dan SMP per Kecamatan", "DATA_DASAR",
     "PENDIDIKAN_DAN_PELATIHAN", True, "tahunan", {"Y": "2026-09-30"}, "new", True),
    (2026, "dispendukcapil", "Jumlah Penduduk menurut Jenis Kelamin per Kecamatan",
     "DATA_DASAR", "DEMOGRAFI_DAN_KEPENDUDUKAN", True, "semesteran",
     {"S1": "2026-07-31", "S2": "2026-12-31"}, "new", True),
    (2026, "diskopum", "Jumlah Usaha Mikro Terdaftar", "DATA_DASAR", "INDUSTRI_DAN_JASA",
     True, "bulanan",
     {f"{m:02d}": (f"2026-{m + 1:02d}-15" if m < 12 else "2026-12-31") for m in range(1, 13)},
     None, False),
    (2026, "dlh", "Titik Pantau Kualitas Air Sungai", "DATA_KEWILAYAHAN", "LINGKUNGAN", False,
     "triwulanan", {"Q1": "2026-04-30", "Q2": "2026-07-31", "Q3": "2026-10-30",
                    "Q4": "2026-12-30"}, None, False),
    (2026, "bpbd", "Peta Kawasan Rawan Bencana Kabupaten Pasuruan", "DATA_GEOSPASIAL",
     "LINGKUNGAN", True, "tahunan", {"Y": "2026-12-15"}, "peta-rawan-bencana", False),
)
#: Walidata's revised dates (year, OPD, title, period, date, reason): applied at once.
REVISIONS = (
    (2025, "dinkes", "Cakupan Imunisasi Dasar Lengkap per Kecamatan", "Y", "2026-12-31",
     "Menunggu hasil validasi data imunisasi dengan Kementerian Kesehatan (keputusan Forum "
     "Satu Data)"),
)
#: Proposals of an OPD operator waiting for walidata (year, OPD, title, period, date, reason).
PROPOSALS = (
    (2026, "diskopum", "Jumlah Usaha Mikro Terdaftar", "12", "2027-01-20",
     "Rekap akhir tahun dari kecamatan baru lengkap pertengahan Januari"),
)


def _site() -> dict[str, Any]:
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": user["name"], "ignore_auth": True}


def _dataset(name: str) -> dict[str, Any] | None:
    try:
        return tk.get_action("package_show")(_site(), {"id": name})
    except tk.ObjectNotFound:
        return None


def _new_dataset(org: str, title: str, year: int, sektor: str, kategori: str
                 ) -> dict[str, Any]:
    """A complete draft of the OPD's operator (the MS-Keg filled in)."""
    slug = "daftar-" + "-".join(title.lower().split()[:4]) + f"-{year}"
    found = _dataset(slug)
    if found is not None:
        return found
    org_title = tk.get_action("organization_show")(_site(), {"id": org})["title"]
    full = f"{title} Tahun {year}"
    return tk.get_action("package_create")({"user": f"operator-{org}"}, {
        "name": slug, "title": full, "owner_org": org, "kategori": kategori,
        "klasifikasi_akses": "terbuka", "license_id": "cc-by",
        **complete_ms_keg(full, year, org_title, sektor_kegiatan=sektor)})


def _publish(dataset: dict[str, Any], org: str) -> None:
    """Through both stages; a published dataset gets an update first (its operator edits
    it), whose publication covers the next period of the entry."""
    state = tk.get_action("verifikasi_status_show")(_site(), {"id": dataset["id"]})["state"]
    if state == "published":
        tk.get_action("package_patch")({"user": f"operator-{org}"}, {
            "id": dataset["id"], "notes": (dataset.get("notes") or "").rstrip()
            + "\n\nDiperbarui sesuai Daftar Data."})
    tk.get_action("verifikasi_submit")({"user": f"operator-{org}"}, {"id": dataset["id"]})
    tk.get_action("verifikasi_approve")({"user": f"verifikator-{org}"}, {"id": dataset["id"]})
    tk.get_action("verifikasi_approve")({"user": "walidata"}, {"id": dataset["id"]})


def _existing(year: int) -> dict[tuple[str, str], dict[str, Any]]:
    found = tk.get_action("satudata_daftar_data_list")(_site(), {"year": year})["results"]
    return {(e["organization"], e["title"].lower()): e for e in found}


def seed() -> int:
    """Create the missing demo entries (and publish their datasets); how many exist."""
    try:
        tk.get_action("satudata_daftar_data_create")
        tk.get_action("verifikasi_submit")
    except KeyError:
        return 0
    existing = {year: _existing(year) for year in (2025, 2026)}
    for (year, org, title, kategori, sektor, prioritas, frequency, planned, dataset,
         publish) in ENTRIES:
        if (org, title.lower()) in existing[year]:
            continue
        pkg = None
        if dataset == "new":
            pkg = _new_dataset(org, title, year, sektor, kategori)
        elif dataset:
            pkg = _dataset(dataset)
        entry = tk.get_action("satudata_daftar_data_create")({"user": "walidata"}, {
            "year": year, "organization": org, "title": title, "kategori": kategori,
            "sektor": sektor, "prioritas": prioritas, "frequency": frequency,
            "package_id": pkg["id"] if pkg else None, "reason": REASON,
            "periods": [{"period": p, "planned": d} for p, d in planned.items()]})
        existing[year][(org, title.lower())] = entry
        if pkg is not None and publish:
            for revision in REVISIONS:
                if revision[:3] == (year, org, title):
                    _revise(entry, revision, "walidata")
            _publish(pkg, org)
        for proposal in PROPOSALS:
            if proposal[:3] == (year, org, title):
                _revise(entry, proposal, f"operator-{org}")
    for year in (2025, 2026):
        tk.get_action("satudata_daftar_data_agree")({"user": "walidata"}, {
            "year": year, "note": "Berita acara Forum Satu Data (data demo)"})
    return sum(len(found) for found in existing.values())


def _revise(entry: dict[str, Any], revision: tuple[Any, ...], user: str) -> None:
    period = next(p for p in entry["periods"] if p["period"] == revision[3])
    tk.get_action("satudata_daftar_revision_propose")({"user": user}, {
        "period_id": period["id"], "revised": revision[4], "reason": revision[5]})

