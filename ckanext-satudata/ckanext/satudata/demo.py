"""Demo content for development portals: Pasuruan OPDs, users for every role,
statistical activities with complete MS-Keg and DataStore tables carrying MS-Var,
geospatial datasets, indicators with yearly targets, and a few incomplete drafts.

Everything goes through CKAN actions. Objects that already exist are left as they
are, so running the seed again is safe and keeps whatever users changed.
"""
from __future__ import annotations

import io
import json
import random
from typing import Any, NamedTuple

import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage

from ckanext.satudata import config, wilayah
from ckanext.satudata.daftar import demo as daftar_demo
from ckanext.satudata.ms_keg_sample import SURVEY_BLOCK_V, complete_ms_ind, complete_ms_keg

WALIDATA_ORG = "diskominfo"
YEARS = (2023, 2024, 2025)

ORGANIZATIONS: list[dict[str, str]] = [
    {"name": WALIDATA_ORG, "title": "Dinas Komunikasi dan Informatika",
     "description": "Walidata Kabupaten Pasuruan: pengelola Portal Satu Data."},
    {"name": "dinkes", "title": "Dinas Kesehatan",
     "description": "Produsen data kesehatan."},
    {"name": "disdik", "title": "Dinas Pendidikan", "description": "Produsen data pendidikan."},
    {"name": "disnakkeswan", "title": "Dinas Peternakan dan Kesehatan Hewan",
     "description": "Produsen data peternakan."},
    {"name": "dispertan", "title": "Dinas Pertanian", "description": "Produsen data pertanian."},
    {"name": "dispendukcapil", "title": "Dinas Kependudukan dan Pencatatan Sipil",
     "description": "Produsen data kependudukan."},
    {"name": "dcktr", "title": "Dinas Cipta Karya dan Tata Ruang",
     "description": "Pembina data geospasial; produsen data tata ruang."},
    {"name": "bapelitbangda", "title": "Badan Perencanaan, Penelitian dan Pengembangan Daerah",
     "description": "Ketua Forum Satu Data; produsen data perencanaan."},
    {"name": "dinsos", "title": "Dinas Sosial",
     "description": "Produsen data kesejahteraan sosial."},
    {"name": "dishub", "title": "Dinas Perhubungan", "description": "Produsen data transportasi."},
    {"name": "dlh", "title": "Dinas Lingkungan Hidup", "description": "Produsen data lingkungan."},
    {"name": "diskopum", "title": "Dinas Koperasi dan Usaha Mikro",
     "description": "Produsen data koperasi dan UMKM."},
    {"name": "disparbud", "title": "Dinas Pariwisata dan Kebudayaan",
     "description": "Produsen data pariwisata."},
    {"name": "bpbd", "title": "Badan Penanggulangan Bencana Daerah",
     "description": "Produsen data kebencanaan."},
]

# Portal roles per OPD, with the CKAN capacity used when ckanext-verifikasi is not enabled.
OPD_ROLES = {"operator": "editor", "verifikator": "member", "surveyor": "member"}


class Column(NamedTuple):
    id: str
    label: str
    satuan: str
    konsep: str
    low: int
    high: int


class Table(NamedTuple):
    slug: str
    title: str
    org: str
    kategori: str
    sektor: str
    tags: tuple[str, ...]
    columns: tuple[Column, ...]
    survey: bool = False


def C(id_: str, label: str, satuan: str, konsep: str, low: int, high: int) -> Column:
    return Column(id_, label, satuan, konsep, low, high)


TABLES: tuple[Table, ...] = (
    Table("populasi-ternak", "Populasi Peternakan per Kecamatan", "disnakkeswan", "DATA_DASAR",
          "PERTANIAN_DAN_PERIKANAN", ("ternak", "sapi perah"), (
              C("sapi_perah", "Sapi Perah", "Ekor", "Populasi ternak", 500, 15000),
              C("sapi_potong", "Sapi Potong", "Ekor", "Populasi ternak", 800, 9000),
              C("kambing", "Kambing", "Ekor", "Populasi ternak", 1000, 12000))),
    Table("produksi-susu", "Produksi Susu Sapi Perah per Kecamatan", "disnakkeswan",
          "DATA_DASAR", "PERTANIAN_DAN_PERIKANAN", ("susu", "ternak"), (
              C("produksi_susu", "Produksi Susu Segar", "Liter", "Produksi peternakan",
                10000, 9000000),)),
    Table("produksi-telur-daging", "Produksi Telur dan Daging per Kecamatan", "disnakkeswan",
          "DATA_DASAR", "PERTANIAN_DAN_PERIKANAN", ("telur", "daging"), (
              C("telur", "Produksi Telur", "Kg", "Produksi peternakan", 1000, 900000),
              C("daging", "Produksi Daging", "Kg", "Produksi peternakan", 500, 400000))),
    Table("produksi-padi", "Luas Panen dan Produksi Padi per Kecamatan", "dispertan",
          "DATA_DASAR", "PERTANIAN_DAN_PERIKANAN", ("padi", "pertanian"), (
              C("luas_panen", "Luas Panen", "Hektare", "Luas panen", 100, 6000),
              C("produksi_padi", "Produksi Padi", "Ton GKG", "Produksi tanaman pangan",
                500, 40000))),
    Table("fasilitas-kesehatan", "Jumlah Fasilitas Kesehatan per Kecamatan", "dinkes",
          "DATA_KEWILAYAHAN", "KESEHATAN", ("kesehatan", "puskesmas"), (
              C("puskesmas", "Puskesmas", "Unit", "Fasilitas kesehatan", 1, 3),
              C("puskesmas_pembantu", "Puskesmas Pembantu", "Unit", "Fasilitas kesehatan", 2, 9))),
    Table("imunisasi-dasar", "Cakupan Imunisasi Dasar Lengkap per Kecamatan", "dinkes",
          "DATA_DASAR", "KESEHATAN", ("imunisasi", "bayi"), (
              C("bayi_sasaran", "Bayi Sasaran", "Orang", "Sasaran imunisasi", 300, 2500),
              C("bayi_idl", "Bayi Imunisasi Dasar Lengkap", "Orang", "Imunisasi", 250, 2400))),
    Table("murid-sd-smp", "Jumlah Murid SD dan SMP per Kecamatan", "disdik", "DATA_DASAR",
          "PENDIDIKAN_DAN_PELATIHAN", ("pendidikan", "murid"), (
              C("murid_sd", "Murid SD", "Orang", "Peserta didik", 2000, 12000),
              C("murid_smp", "Murid SMP", "Orang", "Peserta didik", 800, 6000))),
    Table("penduduk", "Jumlah Penduduk menurut Jenis Kelamin per Kecamatan", "dispendukcapil",
          "DATA_DASAR", "DEMOGRAFI_DAN_KEPENDUDUKAN", ("penduduk", "kependudukan"), (
              C("laki_laki", "Penduduk Laki-laki", "Orang", "Penduduk", 15000, 70000),
              C("perempuan", "Penduduk Perempuan", "Orang", "Penduduk", 15000, 70000))),
    Table("penerima-bansos", "Keluarga Penerima Bantuan Sosial per Kecamatan", "dinsos",
          "DATA_MIKRO", "PERLINDUNGAN_SOSIAL_DAN_KESEJAHTERAAN", ("bansos", "sosial"), (
              C("kpm_pkh", "Keluarga Penerima PKH", "Keluarga", "Penerima bantuan", 300, 4000),),
          survey=True),
    Table("umkm", "Jumlah Usaha Mikro per Kecamatan", "diskopum", "DATA_DASAR",
          "INDUSTRI_DAN_JASA", ("umkm", "usaha mikro"), (
              C("usaha_mikro", "Usaha Mikro", "Unit usaha", "Usaha mikro", 500, 9000),)),
    Table("kunjungan-wisata", "Kunjungan Wisatawan per Kecamatan", "disparbud", "DATA_DASAR",
          "INDUSTRI_DAN_JASA", ("wisata", "bromo"), (
              C("wisatawan_nusantara", "Wisatawan Nusantara", "Orang", "Kunjungan wisata",
                0, 900000),)),
    Table("kejadian-bencana", "Kejadian Bencana per Kecamatan", "bpbd", "DATA_KEWILAYAHAN",
          "LINGKUNGAN", ("bencana", "banjir"), (
              C("banjir", "Kejadian Banjir", "Kejadian", "Kejadian bencana", 0, 12),
              C("longsor", "Kejadian Tanah Longsor", "Kejadian", "Kejadian bencana", 0, 8))),
    Table("panjang-jalan", "Panjang Jalan Kabupaten per Kecamatan", "dishub", "DATA_KEWILAYAHAN",
          "TRANSPORTASI", ("jalan", "transportasi"), (
              C("jalan_baik", "Jalan Kondisi Baik", "Km", "Kondisi jalan", 5, 120),
              C("jalan_rusak", "Jalan Kondisi Rusak", "Km", "Kondisi jalan", 0, 40))),
    Table("kualitas-air", "Titik Pantau Kualitas Air Sungai per Kecamatan", "dlh",
          "DATA_KEWILAYAHAN", "LINGKUNGAN", ("air", "sungai"), (
              C("titik_pantau", "Titik Pantau", "Titik", "Pemantauan lingkungan", 0, 6),)),
)

# Geospatial activities: extents inside Kabupaten Pasuruan (lon 112.6-113.1, lat -8.0 to -7.5).
GEOSPATIAL: tuple[tuple[str, str, str, str, tuple[float, float, float, float]], ...] = (
    ("peta-rawan-bencana", "Peta Kawasan Rawan Bencana Kabupaten Pasuruan", "bpbd", "LINGKUNGAN",
     (112.60, -7.98, 113.05, -7.55)),
    ("peta-rencana-tata-ruang", "Peta Rencana Tata Ruang Wilayah Kabupaten Pasuruan", "dcktr",
     "PERWILAYAHAN_DAN_PERKOTAAN", (112.60, -7.98, 113.05, -7.55)),
    ("peta-kawasan-bromo-tengger", "Peta Kawasan Wisata Bromo Tengger (Tosari)", "disparbud",
     "PERWILAYAHAN_DAN_PERKOTAAN", (112.85, -7.95, 112.95, -7.85)),
    ("peta-jaringan-irigasi", "Peta Jaringan Irigasi Kabupaten Pasuruan", "dispertan",
     "PERTANIAN_DAN_PERIKANAN", (112.65, -7.75, 113.00, -7.58)),
)

INDICATORS: tuple[tuple[str, str, str, str, str, str, tuple[tuple[int, str, str], ...]], ...] = (
    ("apm-sd", "Angka Partisipasi Murni SD", "disdik", "murid-sd-smp-2025", "Persentase", "Persen",
     ((2021, "96,5", "95,9"), (2022, "97", "96,4"), (2023, "97,5", "97,1"), (2024, "98", "97,8"),
      (2025, "98,5", "98,2"))),
    ("cakupan-idl", "Cakupan Imunisasi Dasar Lengkap", "dinkes", "imunisasi-dasar-2025",
     "Persentase", "Persen",
     ((2021, "93", "90,2"), (2022, "94", "93,5"), (2023, "95", "95,4"), (2024, "95", "96,1"),
      (2025, "96", "95,8"))),
    ("produksi-susu-per-kapita", "Produksi Susu Segar", "disnakkeswan", "produksi-susu-2025",
     "Jumlah", "Juta liter",
     ((2021, "120", "118,4"), (2022, "125", "127,9"), (2023, "130", "131,2"),
      (2024, "135", "133,0"), (2025, "140", "141,6"))),
    ("rasio-jalan-baik", "Persentase Jalan Kabupaten Kondisi Baik", "dishub", "panjang-jalan-2025",
     "Persentase", "Persen",
     ((2021, "70", "68,2"), (2022, "72", "71,5"), (2023, "74", "74,9"), (2024, "76", "75,1"),
      (2025, "78", "77,3"))),
)

DRAFTS: tuple[tuple[str, str, str], ...] = (
    ("draft-data-stunting-2026", "Prevalensi Stunting per Desa 2026", "dinkes"),
    ("draft-data-guru-2026", "Jumlah Guru per Sekolah 2026", "disdik"),
    ("draft-data-pasar-2026", "Harga Komoditas Pasar Harian 2026", "diskopum"),
)


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _exists(action: str, id_: str) -> bool:
    try:
        tk.get_action(action)(_context(), {"id": id_})
    except tk.ObjectNotFound:
        return False
    return True


def _ensure_user(name: str, fullname: str) -> None:
    if not _exists("user_show", name):
        tk.get_action("user_create")(_context(), {
            "name": name, "fullname": fullname,
            "email": f"{name}@satudata.pasuruankab.go.id",
            "password": config.demo_password(),
        })


def _member(org: str, user: str, role: str) -> None:
    """Give a portal role through ckanext-verifikasi, or the CKAN capacity without it."""
    try:
        assign = tk.get_action("verifikasi_role_assign")
    except KeyError:
        tk.get_action("organization_member_create")(
            _context(), {"id": org, "username": user, "role": OPD_ROLES.get(role, "admin")})
        return
    assign(_context(), {"user": user, "role": role, "organization": org})


def _ms_var(label: str, konsep: str, definisi: str, tipe: str, year: int, **extra) -> dict:
    return {"label": label, "nama_variabel": label, "alias": "-", "konsep": konsep,
            "definisi": definisi, "referensi_pemilihan": "-",
            "referensi_waktu": f"31 Desember {year}", "tipe_data": tipe,
            "kalimat_pertanyaan": "-", "akses_umum": True, **extra}


def _fields(table: Table, year: int) -> list[dict[str, Any]]:
    kecamatan = wilayah.kecamatan()
    fields = [
        {"id": "kode_kecamatan", "type": "text", "info": _ms_var(
            "Kode Kecamatan", "Wilayah administrasi", "Kode Kemendagri kecamatan", "CHARACTER",
            year, value_domain=[{"kode": k.kode_kemendagri, "nilai": k.nama} for k in kecamatan],
            aturan_validasi=["HARUS TERISI", "KODE KEMENDAGRI 35.14.xx"])},
        {"id": "kecamatan", "type": "text", "info": _ms_var(
            "Kecamatan", "Wilayah administrasi", "Nama kecamatan di Kabupaten Pasuruan",
            "CHARACTER", year,
            value_domain=[{"kode": k.kode_kemendagri, "nilai": k.nama} for k in kecamatan],
            aturan_validasi=["HARUS TERISI"])},
    ]
    for col in table.columns:
        fields.append({"id": col.id, "type": "int", "info": _ms_var(
            col.label, col.konsep, f"{col.label} ({col.satuan.lower()}) di kecamatan tahun {year}",
            "INTEGER", year, satuan=col.satuan, ukuran="Jumlah",
            value_domain=[{"kode": "0+", "nilai": "Bilangan bulat tidak negatif"}],
            aturan_validasi=["HARUS TERISI", "BILANGAN BULAT >= 0"])})
    return fields


def _records(table: Table, year: int) -> list[dict[str, Any]]:
    rng = random.Random(f"{table.slug}-{year}")
    return [
        {"kode_kecamatan": k.kode_kemendagri, "kecamatan": k.nama,
         **{c.id: rng.randint(c.low, c.high) for c in table.columns}}
        for k in wilayah.kecamatan()
    ]


def _org_title(name: str) -> str:
    return next(o["title"] for o in ORGANIZATIONS if o["name"] == name)


def _activity(table: Table, year: int) -> None:
    name = f"{table.slug}-{year}"
    if _exists("package_show", name):
        return
    title = f"{table.title} Tahun {year}"
    extra = dict(SURVEY_BLOCK_V) if table.survey else {}
    data = {
        "name": name, "title": title, "owner_org": table.org, "kategori": table.kategori,
        "klasifikasi_akses": "terbatas" if table.kategori == "DATA_MIKRO" else "terbuka",
        "license_id": "cc-by", "tags": [{"name": t} for t in table.tags],
        **complete_ms_keg(title, year, _org_title(table.org), sektor_kegiatan=table.sektor,
                          wilayah=["35.14"] + [k.kode_kemendagri for k in wilayah.kecamatan()],
                          **extra),
    }
    # A private draft first, published (through verifikasi's gate: checked, recorded,
    # snapshotted) once its table is in.
    pkg = tk.get_action("package_create")(_context(), {**data, "private": True})
    tk.get_action("datastore_create")(_context(), {
        "resource": {"package_id": pkg["id"], "name": f"{table.title} {year}", "format": "CSV"},
        "fields": _fields(table, year), "records": _records(table, year),
        "primary_key": ["kode_kecamatan"],
    })
    tk.get_action("package_patch")(_context(), {"id": pkg["id"], "private": False})


def _box(west: float, south: float, east: float, north: float) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


def _geospatial(slug: str, title: str, org: str, sektor: str, box: tuple) -> None:
    if _exists("package_show", slug):
        return
    tk.get_action("package_create")(_context(), {
        "name": slug, "title": title, "owner_org": org, "kategori": "DATA_GEOSPASIAL",
        "klasifikasi_akses": "terbuka", "license_id": "cc-by", "spatial": _box(*box),
        "private": False,  # published directly (through verifikasi's gate)
        "tags": [{"name": "peta"}, {"name": "geospasial"}],
        **complete_ms_keg(title, 2025, _org_title(org), sektor_kegiatan=sektor),
    })
    # The file is kept by the portal (its map view draws only the portal's own files):
    # the area the demo dataset covers, as one feature.
    feature = {"type": "Feature", "geometry": json.loads(_box(*box)),
               "properties": {"nama": title, "keterangan": "Batas cakupan data (demo)"}}
    collection = json.dumps({"type": "FeatureCollection", "features": [feature]})
    tk.get_action("resource_create")(_context(), {
        "package_id": slug, "name": f"{title} (GeoJSON)", "format": "GeoJSON",
        "upload": FileStorage(io.BytesIO(collection.encode("utf-8")),
                              filename=f"{slug}.geojson", content_type="application/geo+json"),
    })


def _indicator(slug: str, title: str, org: str, activity: str, ukuran: str, satuan: str,
               capaian: tuple) -> None:
    if _exists("package_show", slug):
        return
    tk.get_action("package_create")(_context(), {
        "name": slug, "title": title, "owner_org": org, "kategori": "DATA_DASAR",
        "klasifikasi_akses": "terbuka", "license_id": "cc-by",
        "private": False,  # published directly (through verifikasi's gate)
        **complete_ms_ind(title, activity, ukuran=ukuran, satuan=satuan,
                          capaian=[{"tahun": y, "target": t, "realisasi": r}
                                   for y, t, r in capaian]),
    })

def _draft(slug: str, title: str, org: str) -> None:
    if not _exists("package_show", slug):
        tk.get_action("package_create")(_context(), {
            "name": slug, "title": title, "owner_org": org, "state": "draft",
            "notes": "Draf: metadata belum lengkap."})


# Datasets an operator of Dinas Kesehatan made, at different workflow steps, so
# the inboxes of the demo users are not empty: (slug, title, steps).
WORKFLOW_EXAMPLES: tuple[tuple[str, str, tuple[tuple[str, str, dict], ...]], ...] = (
    ("contoh-menunggu-verifikator", "Jumlah Tenaga Kesehatan per Puskesmas 2025",
     (("operator-dinkes", "submit", {}),)),
    ("contoh-dikembalikan", "Jumlah Ibu Hamil per Kecamatan 2025",
     (("operator-dinkes", "submit", {}),
      ("verifikator-dinkes", "return", {"note": "Sumber data belum mencantumkan tahun laporan.",
                                        "days": 7}))),
    ("contoh-menunggu-walidata", "Jumlah Kasus Demam Berdarah per Kecamatan 2025",
     (("operator-dinkes", "submit", {}), ("verifikator-dinkes", "approve", {}))),
)


def _workflow_examples() -> None:
    try:
        tk.get_action("verifikasi_submit")
    except KeyError:
        return
    import datetime as dt

    for slug, title, steps in WORKFLOW_EXAMPLES:
        if _exists("package_show", slug):
            continue
        operator = {"user": "operator-dinkes"}
        tk.get_action("package_create")(operator, {
            "name": slug, "title": title, "owner_org": "dinkes", "kategori": "DATA_DASAR",
            "klasifikasi_akses": "terbuka", "license_id": "cc-by",
            **complete_ms_keg(title, 2025, _org_title("dinkes"), sektor_kegiatan="KESEHATAN")})
        for user, action, args in steps:
            data = {"id": slug, **{k: v for k, v in args.items() if k != "days"}}
            if "days" in args:
                data["deadline"] = (dt.date.today() + dt.timedelta(days=args["days"])).isoformat()
            tk.get_action(f"verifikasi_{action}")({"user": user}, data)


INPUT_EXAMPLE = ("contoh-input-posyandu", "Jumlah Posyandu dan Kader per Kecamatan")
INPUT_COLUMNS: tuple[dict[str, Any], ...] = (
    {"id": "kecamatan", "label": "Kecamatan", "tipe_data": "CHARACTER", "key": True},
    {"id": "posyandu", "label": "Jumlah Posyandu", "tipe_data": "INTEGER", "satuan": "unit",
     "required": True},
    {"id": "kader", "label": "Jumlah Kader Aktif", "tipe_data": "INTEGER", "satuan": "orang"},
    {"id": "strata", "label": "Strata Terbanyak", "tipe_data": "CHARACTER",
     "value_domain": "1=Pratama\n2=Madya\n3=Purnama\n4=Mandiri"},
)
INPUT_ROWS = (("Bangil", "42", "210", "3"), ("Beji", "38", "190", "2"),
              ("Gempol", "51", "255", "3"), ("Pandaan", "47", "235", "4"))


def _input_example() -> None:
    """A draft of Dinas Kesehatan with an input package, its 2025 rows and a survey link."""
    try:
        tk.get_action("satudata_input_package_create")
    except KeyError:
        return
    slug, title = INPUT_EXAMPLE
    if _exists("package_show", slug):
        return
    operator = {"user": "operator-dinkes"}
    dataset = tk.get_action("package_create")(dict(operator), {
        "name": slug, "title": title, "owner_org": "dinkes", "kategori": "DATA_DASAR",
        "klasifikasi_akses": "terbuka", "license_id": "cc-by",
        **complete_ms_keg(title, 2025, _org_title("dinkes"), sektor_kegiatan="KESEHATAN")})
    package = tk.get_action("satudata_input_package_create")(dict(operator), {
        "package_id": dataset["id"], "title": "Posyandu per kecamatan", "frequency": "tahunan",
        "columns": [dict(c) for c in INPUT_COLUMNS]})
    tk.get_action("satudata_input_rows_save")(dict(operator), {
        "id": package["id"], "period": "2025",
        "rows": [{"values": dict(zip(("kecamatan", "posyandu", "kader", "strata"), row,
                                     strict=True))} for row in INPUT_ROWS]})
    tk.get_action("satudata_survey_link_create")(dict(operator), {
        "id": package["id"], "period": "2026", "title": "Pendataan Posyandu 2026",
        "columns": ["kecamatan", "posyandu", "kader"]})


def seed() -> dict[str, int]:
    """Create the demo content that is missing; return how much demo content exists."""
    for org in ORGANIZATIONS:
        if not _exists("organization_show", org["name"]):
            tk.get_action("organization_create")(_context(), dict(org))
    _ensure_user("walidata", "Walidata Diskominfo")
    _member(WALIDATA_ORG, "walidata", "walidata")
    users = 1
    for org in ORGANIZATIONS:
        if org["name"] == WALIDATA_ORG:
            continue
        for role in OPD_ROLES:
            name = f"{role}-{org['name']}"
            _ensure_user(name, f"{role.capitalize()} {org['title']}")
            _member(org["name"], name, role)
            users += 1
    for table in TABLES:
        for year in YEARS:
            _activity(table, year)
    for geo in GEOSPATIAL:
        _geospatial(*geo)
    for indicator in INDICATORS:
        _indicator(*indicator)
    for draft in DRAFTS:
        _draft(*draft)
    _workflow_examples()
    _input_example()
    daftar_entries = daftar_demo.seed()
    return {"organizations": len(ORGANIZATIONS), "users": users, "daftar": daftar_entries,
            "datasets": len(TABLES) * len(YEARS) + len(GEOSPATIAL),
            "indicators": len(INDICATORS), "drafts": len(DRAFTS)}
