"""Demo content for development portals: OPDs, users per role, datasets with DataStore tables.

Everything goes through CKAN actions. Objects that already exist are left as they
are, so running the seed again is safe and keeps whatever users changed.
"""
from __future__ import annotations

import random
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata import config, wilayah

WALIDATA_ORG = "diskominfo"

ORGANIZATIONS: list[dict[str, str]] = [
    {"name": WALIDATA_ORG, "title": "Dinas Komunikasi dan Informatika",
     "description": "Walidata Kabupaten Pasuruan: pengelola Portal Satu Data."},
    {"name": "dinkes", "title": "Dinas Kesehatan",
     "description": "Produsen data bidang kesehatan."},
    {"name": "disdik", "title": "Dinas Pendidikan",
     "description": "Produsen data bidang pendidikan."},
    {"name": "disnakkeswan", "title": "Dinas Peternakan dan Kesehatan Hewan",
     "description": "Produsen data bidang peternakan."},
    {"name": "dispertan", "title": "Dinas Pertanian",
     "description": "Produsen data bidang pertanian."},
]

# Role -> CKAN organization capacity until ckanext-verifikasi stores the roles.
OPD_ROLES = {"operator": "editor", "verifikator": "editor", "surveyor": "member"}


def _column(name: str, label: str, type_: str) -> dict[str, Any]:
    return {"id": name, "type": type_, "info": {"label": label}}


def _per_kecamatan(seed: int, columns: list[tuple[str, str, int, int]]) -> tuple[list, list]:
    """A table with one row per kecamatan and integer columns drawn in [low, high]."""
    rng = random.Random(seed)
    fields = [
        _column("kode_kecamatan", "Kode Kecamatan (Kemendagri)", "text"),
        _column("kecamatan", "Kecamatan", "text"),
    ] + [_column(name, label, "int") for name, label, _, _ in columns]
    records = [
        {"kode_kecamatan": k.kode_kemendagri, "kecamatan": k.nama,
         **{name: rng.randint(low, high) for name, _, low, high in columns}}
        for k in wilayah.kecamatan()
    ]
    return fields, records


DATASETS: list[dict[str, Any]] = [
    {
        "name": "populasi-ternak-per-kecamatan-2025",
        "title": "Populasi Peternakan per Kecamatan Tahun 2025",
        "owner_org": "disnakkeswan",
        "notes": "Jumlah populasi ternak (ekor) menurut jenis ternak dan kecamatan "
                 "di Kabupaten Pasuruan.",
        "kategori": "DATA_DASAR", "tags": ["ternak", "sapi perah", "kecamatan"],
        "table": ("Populasi ternak 2025", lambda: _per_kecamatan(1, [
            ("sapi_perah", "Sapi Perah (ekor)", 500, 15000),
            ("sapi_potong", "Sapi Potong (ekor)", 800, 9000),
            ("kambing", "Kambing (ekor)", 1000, 12000),
            ("ayam_ras", "Ayam Ras Petelur (ekor)", 5000, 250000),
        ])),
    },
    {
        "name": "produksi-susu-sapi-perah-2025",
        "title": "Produksi Susu Sapi Perah per Kecamatan Tahun 2025",
        "owner_org": "disnakkeswan",
        "notes": "Produksi susu segar sapi perah (liter) per kecamatan.",
        "kategori": "DATA_DASAR", "tags": ["susu", "ternak"],
        "table": ("Produksi susu 2025", lambda: _per_kecamatan(2, [
            ("produksi_liter", "Produksi Susu (liter)", 10000, 9000000),
        ])),
    },
    {
        "name": "fasilitas-kesehatan-per-kecamatan-2025",
        "title": "Jumlah Fasilitas Kesehatan per Kecamatan Tahun 2025",
        "owner_org": "dinkes",
        "notes": "Jumlah puskesmas, puskesmas pembantu dan rumah sakit per kecamatan.",
        "kategori": "DATA_KEWILAYAHAN", "tags": ["kesehatan", "puskesmas"],
        "table": ("Fasilitas kesehatan 2025", lambda: _per_kecamatan(3, [
            ("puskesmas", "Puskesmas (unit)", 1, 3),
            ("puskesmas_pembantu", "Puskesmas Pembantu (unit)", 2, 9),
            ("rumah_sakit", "Rumah Sakit (unit)", 0, 2),
        ])),
    },
    {
        "name": "jumlah-murid-sd-smp-2025",
        "title": "Jumlah Murid SD dan SMP per Kecamatan Tahun Ajaran 2025/2026",
        "owner_org": "disdik",
        "notes": "Jumlah peserta didik jenjang SD dan SMP menurut kecamatan.",
        "kategori": "DATA_DASAR", "tags": ["pendidikan", "murid"],
        "table": ("Murid SD dan SMP 2025", lambda: _per_kecamatan(4, [
            ("murid_sd", "Murid SD (orang)", 2000, 12000),
            ("murid_smp", "Murid SMP (orang)", 800, 6000),
        ])),
    },
    {
        "name": "produksi-padi-per-kecamatan-2025",
        "title": "Luas Panen dan Produksi Padi per Kecamatan Tahun 2025",
        "owner_org": "dispertan",
        "notes": "Luas panen (hektare) dan produksi padi (ton gabah kering giling).",
        "kategori": "DATA_DASAR", "tags": ["padi", "pertanian"],
        "table": ("Produksi padi 2025", lambda: _per_kecamatan(5, [
            ("luas_panen_ha", "Luas Panen (ha)", 100, 6000),
            ("produksi_ton", "Produksi (ton GKG)", 500, 40000),
        ])),
    },
]


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _exists(action: str, id_: str) -> bool:
    try:
        tk.get_action(action)(_context(), {"id": id_})
    except tk.ObjectNotFound:
        return False
    return True


def _ensure(action_show: str, action_create: str, data: dict[str, Any]) -> bool:
    if _exists(action_show, data["name"]):
        return False
    tk.get_action(action_create)(_context(), data)
    return True


def _ensure_user(name: str, fullname: str) -> None:
    if _exists("user_show", name):
        return
    tk.get_action("user_create")(_context(), {
        "name": name, "fullname": fullname,
        "email": f"{name}@satudata.pasuruankab.go.id",
        "password": config.demo_password(),
    })


def _member(org: str, user: str, capacity: str) -> None:
    tk.get_action("organization_member_create")(
        _context(), {"id": org, "username": user, "role": capacity})


def _dataset(spec: dict[str, Any]) -> None:
    if _exists("package_show", spec["name"]):
        return
    resource_name, make_table = spec["table"]
    fields, records = make_table()
    data = {k: v for k, v in spec.items() if k not in ("table", "tags")}
    data.update({
        "license_id": "cc-by",
        "klasifikasi_akses": "terbuka",
        "tags": [{"name": t} for t in spec["tags"]],
    })
    pkg = tk.get_action("package_create")(_context(), data)
    tk.get_action("datastore_create")(_context(), {
        "resource": {"package_id": pkg["id"], "name": resource_name, "format": "CSV"},
        "fields": fields,
        "records": records,
        "primary_key": ["kode_kecamatan"],
    })


def seed() -> dict[str, int]:
    """Create the demo content that is missing; return how much demo content exists."""
    for org in ORGANIZATIONS:
        _ensure("organization_show", "organization_create", dict(org))
    _ensure_user("walidata", "Walidata Diskominfo")
    for org in ORGANIZATIONS:
        _member(org["name"], "walidata", "admin")
    users = 1
    for org in ORGANIZATIONS[1:]:
        for role, capacity in OPD_ROLES.items():
            name = f"{role}-{org['name']}"
            _ensure_user(name, f"{role.capitalize()} {org['title']}")
            _member(org["name"], name, capacity)
            users += 1
    for spec in DATASETS:
        _dataset(spec)
    return {"organizations": len(ORGANIZATIONS), "users": users, "datasets": len(DATASETS)}
