"""INDAH v2 export: a dataset as BPS INDAH records (MS-Keg, MS-Var, MS-Ind).

Every record is an INDAH v2 envelope::

    {"submission_period": 2025, "data": {...}, "status": "DRAFT",
     "submitter": {...}, "produsen_data": {...}, "walidata_pusat": {...},
     "version": "v2", "incomplete": [...], "local_ref": {...}}

MS-Var and MS-Ind envelopes also carry ``ms_keg_id``. ``incomplete`` names the
mandatory fields still missing and ``local_ref`` says where in the portal the
record comes from; both are ours, not INDAH's, and are dropped before sending.

The MS-Keg ``data`` uses the portal schema's field names, nested as INDAH's
blocks ``blok_i`` ... ``blok_viii`` (:data:`MS_KEG_BLOCKS`); :data:`INDAH_KEYS`
holds the few places where INDAH spells a key differently. Values are typed
from the scheming field definitions: yes/no radios become booleans, multiple
choices lists, repeating date ranges lists of ``{mulai, selesai}``, release
dates lists of dates. Missing values and fields whose ``sdi_show_if``
condition does not hold are ``None``.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.satudata import metadata, ms_var, wilayah

VERSION = "v2"
PROVINCE_CODE = "35"
PROVINCE_NAME = "Jawa Timur"
INDIKATOR_TYPE = "indikator"

# State of the CKAN dataset -> INDAH record status (see `record_status`).
STATUS_BY_STATE = {"draft": "DRAFT", "active": "SUBMITTED"}

MS_KEG_HEADER = (
    "judul_kegiatan", "tahun_kegiatan", "kode_kegiatan", "jenis_statistik",
    "cara_pengumpulan_data", "sektor_kegiatan", "rekomendasi_bps", "identitas_rekomendasi",
)
MS_KEG_BLOCKS: dict[str, tuple[str, ...]] = {
    "blok_i": ("instansi_penyelenggara", "alamat_instansi", "telepon_instansi",
               "email_instansi", "faksimile_instansi"),
    "blok_ii": ("unit_eselon1", "unit_eselon2", "pj_nama", "pj_jabatan", "pj_alamat",
                "pj_telepon", "pj_email", "pj_faksimile"),
    "blok_iii": ("latar_belakang", "tujuan_kegiatan", "jadwal_perencanaan", "jadwal_desain",
                 "jadwal_pengumpulan", "jadwal_pengolahan", "jadwal_analisis",
                 "jadwal_diseminasi", "jadwal_evaluasi", "variabel_dikumpulkan"),
    "blok_iv": ("kegiatan_dilakukan", "frekuensi_penyelenggaraan", "tipe_pengumpulan_data",
                "cakupan_wilayah", "wilayah_kegiatan", "metode_pengumpulan",
                "metode_pengumpulan_lainnya", "sarana_pengumpulan", "sarana_pengumpulan_lainnya",
                "unit_pengumpulan", "unit_pengumpulan_lainnya"),
    "blok_v": ("jenis_rancangan_sampel", "metode_pemilihan_sampel", "metode_sampling",
               "kerangka_sampel", "fraksi_sampel", "sampling_error", "unit_sampel",
               "unit_observasi"),
    "blok_vi": ("uji_coba", "pemeriksaan_kualitas", "penyesuaian_nonrespon",
                "petugas_pengumpulan", "pendidikan_petugas", "jumlah_supervisor",
                "jumlah_enumerator", "pelatihan_petugas"),
    "blok_vii": ("tahap_editing", "tahap_coding", "tahap_data_entry", "tahap_validasi",
                 "metode_analisis", "unit_analisis", "tingkat_penyajian"),
    "blok_viii": ("produk_tercetak", "produk_digital", "produk_mikrodata", "rilis_tercetak",
                  "rilis_digital", "rilis_mikrodata"),
}
# Schema field -> INDAH key, where they differ.
INDAH_KEYS = {"frekuensi_penyelenggaraan": "frekuensi_penyelanggara"}

# MS-Var keys, read from each DataStore column's data dictionary `info` (see ms_var).
MS_VAR_FIELDS = (*(key for key, _id, _en in ms_var.FIELDS), "id_sds")
# DataStore column type -> INDAH tipe_data, when the dictionary does not say.
DATA_TYPES = {
    "text": "CHARACTER", "varchar": "CHARACTER", "char": "CHARACTER",
    "int": "INTEGER", "int2": "INTEGER", "int4": "INTEGER", "int8": "INTEGER",
    "integer": "INTEGER", "bigint": "INTEGER", "smallint": "INTEGER",
    "numeric": "DECIMAL", "float4": "DECIMAL", "float8": "DECIMAL", "float": "DECIMAL",
    "date": "DATE", "timestamp": "DATE", "timestamptz": "DATE",
    "bool": "BOOLEAN", "boolean": "BOOLEAN",
}

MS_IND_FIELDS = (
    "nama_indikator", "konsep", "definisi", "interpretasi", "metode_perhitungan", "rumus",
    "ukuran", "satuan", "klasifikasi_penyajian", "indikator_komposit", "indikator_pembangun",
    "variabel_pembangun", "level_estimasi", "akses_umum", "id_sds",
)
_MS_IND_BOOLEANS = {"indikator_komposit", "akses_umum"}
_MS_IND_ROWS = {"klasifikasi_penyajian", "indikator_pembangun", "variabel_pembangun"}


def record_status(dataset: dict[str, Any]) -> str:
    """INDAH status of a dataset's records.

    For now only CKAN's state: draft -> DRAFT, active -> SUBMITTED. The
    verification workflow will refine this (e.g. returned -> CORRECTION_REQUIRED,
    published -> APPROVED) here and nowhere else.
    """
    return STATUS_BY_STATE.get(dataset.get("state") or "", "DRAFT")


def export(dataset: dict[str, Any], context: Context) -> dict[str, Any]:
    """{"ms_keg": envelope, "ms_var": [envelopes], "ms_ind": [envelopes]} of a dataset.

    `dataset` is the caller's package_show result; `context` identifies the
    caller, whose permissions apply to the DataStore and search calls made here.
    """
    common = _envelope(dataset, context)
    return {
        "ms_keg": ms_keg_record(dataset, common),
        "ms_var": ms_var_records(dataset, common, context),
        "ms_ind": ms_ind_records(dataset, common, context),
    }


def ms_keg_record(dataset: dict[str, Any], common: dict[str, Any]) -> dict[str, Any]:
    """The MS-Keg envelope of a dataset."""
    fields = {f["field_name"]: f for f in metadata.dataset_fields(dataset.get("type") or "dataset")}
    computed = {
        "instansi_penyelenggara": (dataset.get("organization") or {}).get("title"),
        "wilayah_kegiatan": _wilayah_kegiatan(dataset),
    }

    def entry(name: str) -> tuple[str, Any]:
        value = computed[name] if name in computed else field_value(fields.get(name), dataset, name)
        return INDAH_KEYS.get(name, name), value

    data: dict[str, Any] = dict(entry(name) for name in MS_KEG_HEADER)
    for block, names in MS_KEG_BLOCKS.items():
        data[block] = dict(entry(name) for name in names)
    problems = metadata.check(dataset, dataset.get("type") or "dataset")
    return {
        **common,
        "data": data,
        "incomplete": list(dict.fromkeys(p["field"] for p in problems)),
        "local_ref": {"dataset_id": dataset["id"], "dataset_name": dataset.get("name")},
    }


def ms_var_records(dataset: dict[str, Any], common: dict[str, Any],
                   context: Context) -> list[dict[str, Any]]:
    """One MS-Var envelope per column of the dataset's DataStore tables the caller may read.

    ``incomplete`` is what the column's data dictionary still lacks
    (``ms_var.missing``), even where the record falls back to the column itself.
    """
    return [
        {
            **common,
            "ms_keg_id": dataset["id"],
            "data": ms_var_data(column, dataset),
            "incomplete": ms_var.missing(column["info"]),
            "local_ref": {"resource_id": column["resource_id"], "column": column["id"]},
        }
        for column in ms_var.variables_of(dataset.get("resources", []), dict(context))
        if not column["id"].startswith("_")
    ]


def ms_var_data(column: dict[str, Any], dataset: dict[str, Any]) -> dict[str, Any]:
    """MS-Var data of one DataStore column, from its data dictionary `info`.

    Falls back to the column's label, id and type for the name, alias and data
    type, to the dictionary's description for the definition, and to the
    dataset's access class for public access.
    """
    info = column.get("info") or {}
    data: dict[str, Any] = {key: _text(info.get(key)) for key in MS_VAR_FIELDS}
    data["nama_variabel"] = data["nama_variabel"] or _text(info.get("label")) or column["id"]
    data["alias"] = data["alias"] or column["id"]
    data["definisi"] = data["definisi"] or _text(info.get("notes"))
    data["tipe_data"] = data["tipe_data"] or DATA_TYPES.get(str(column.get("type", "")).lower())
    data["value_domain"] = _rows(info.get("value_domain"), ("kode", "nilai"))
    data["aturan_validasi"] = _strings(info.get("aturan_validasi"))
    public = as_bool(info.get("akses_umum"))
    if public is None and dataset.get("klasifikasi_akses"):
        public = dataset["klasifikasi_akses"] == "terbuka"
    data["akses_umum"] = public
    return data


def ms_ind_records(dataset: dict[str, Any], common: dict[str, Any],
                   context: Context) -> list[dict[str, Any]]:
    """MS-Ind envelopes of the `indikator` datasets linked to this dataset (ms_keg_id)."""
    keys = " OR ".join(f'"{v}"' for v in dict.fromkeys((dataset["id"], dataset.get("name"))) if v)
    search = tk.get_action("package_search")
    records: list[dict[str, Any]] = []
    start, rows = 0, 100
    while True:
        result = search(dict(context), {
            "fq": f"+dataset_type:{INDIKATOR_TYPE} +ms_keg_id:({keys})",
            "include_private": True, "include_drafts": True,
            "rows": rows, "start": start, "sort": "name asc",
        })
        for indicator in result["results"]:
            problems = metadata.check(indicator, INDIKATOR_TYPE)
            records.append({
                **common,
                "ms_keg_id": dataset["id"],
                "data": ms_ind_data(indicator),
                "status": record_status(indicator),
                "incomplete": list(dict.fromkeys(p["field"] for p in problems)),
                "local_ref": {"dataset_id": indicator["id"], "dataset_name": indicator["name"]},
            })
        start += rows
        if start >= result["count"] or not result["results"]:
            return records


def ms_ind_data(indicator: dict[str, Any]) -> dict[str, Any]:
    """MS-Ind data of one `indikator` dataset, typed by its schema where there is one."""
    fields = {f["field_name"]: f for f in metadata.dataset_fields(INDIKATOR_TYPE)}
    data = {}
    for name in MS_IND_FIELDS:
        if name in fields:
            data[name] = field_value(fields[name], indicator, name)
        elif name in _MS_IND_BOOLEANS:
            data[name] = as_bool(indicator.get(name))
        elif name in _MS_IND_ROWS:
            data[name] = _rows(indicator.get(name))
        else:
            data[name] = _text(indicator.get(name))
    data["nama_indikator"] = data["nama_indikator"] or indicator.get("title")
    return data


def field_value(field: dict[str, Any] | None, data: dict[str, Any], name: str) -> Any:
    """A stored value typed as its scheming field says; None when missing or not applicable."""
    value = data.get(name)
    if field is None:
        return _text(value)
    if "sdi_show_if" in field and not metadata.condition_met(field["sdi_show_if"], data):
        return None
    if "repeating_subfields" in field:
        subfields = tuple(s["field_name"] for s in field["repeating_subfields"])
        rows = _rows(value, subfields)
        if rows is not None and subfields == ("tanggal",):
            return [row["tanggal"] for row in rows if row["tanggal"]] or None
        return rows
    choices = {str(c.get("value")) for c in field.get("choices", [])}
    if choices == {"true", "false"}:
        return as_bool(value)
    if field.get("preset") in ("multiple_checkbox", "multiple_select"):
        return metadata.values_of(value) or None
    if "int_validator" in str(field.get("validators", "")):
        if value is None:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    return _text(value)


def as_bool(value: Any) -> bool | None:
    """True/False from a stored "true"/"false" (or a real boolean); None otherwise."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in ("true", "ya", "1", "yes"):
        return True
    if text in ("false", "tidak", "0", "no"):
        return False
    return None


def _envelope(dataset: dict[str, Any], context: Context) -> dict[str, Any]:
    organization = dataset.get("organization") or {}
    try:
        period: int | None = int(dataset.get("tahun_kegiatan"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        period = None
    return {
        "submission_period": period,
        "status": record_status(dataset),
        "submitter": _submitter(context),
        "produsen_data": {
            "id": organization.get("id"),
            "name": organization.get("title"),
            "province_code": PROVINCE_CODE,
            "city_code": _regency().kode_bps,
        },
        "walidata_pusat": {"id": None, "name": None},
        "version": VERSION,
    }


def _submitter(context: Context) -> dict[str, Any] | None:
    """The calling user, who would submit the records; None for anonymous callers."""
    name = context.get("user")
    if not name:
        return None
    try:
        user = tk.get_action("user_show")({"user": name, "ignore_auth": True}, {"id": name})
    except tk.ObjectNotFound:
        return None
    return {"username": user["name"], "name": user.get("fullname") or user["name"],
            "email": user.get("email")}


def _regency() -> wilayah.Wilayah:
    return next(w for w in wilayah.builtin() if w.jenis == "kabupaten")


def _wilayah_kegiatan(dataset: dict[str, Any]) -> list[dict[str, str]] | None:
    """The activity's area: Kabupaten Pasuruan, unless it covers all of Indonesia."""
    if dataset.get("cakupan_wilayah") == "SELURUH_WILAYAH_INDONESIA":
        return None
    regency = _regency()
    return [{"kode_provinsi": PROVINCE_CODE, "nama_provinsi": PROVINCE_NAME,
             "kode_kabupaten_kota": regency.kode_bps, "nama_kabupaten_kota": regency.nama}]


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value if value not in ([], {}) else None


def _json(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _rows(value: Any, keys: tuple[str, ...] | None = None) -> list[dict[str, Any]] | None:
    """Repeating rows (lists of dicts, possibly stored as JSON) without the empty ones."""
    value = _json(value)
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return None
    rows = []
    for row in value:
        if not isinstance(row, dict):
            continue
        names = keys or tuple(row)
        cleaned = {k: _text(row.get(k)) for k in names}
        if any(v is not None for v in cleaned.values()):
            rows.append(cleaned)
    return rows or None


def _strings(value: Any) -> list[str] | None:
    value = _json(value)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return None
    return [str(v).strip() for v in value if str(v).strip()] or None
