"""MS-Var: BPS variable metadata kept on each DataStore column's data dictionary.

The values live in the column's `info` object next to CKAN's own label and
notes, so datastore_info, the data dictionary pages and exports all carry them.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

TIPE_DATA = ("CHARACTER", "INTEGER", "DECIMAL", "DATE", "BOOLEAN")

# (key, Indonesian label, English label): form and display order.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("nama_variabel", "Nama Variabel", "Variable name"),
    ("alias", "Alias", "Alias"),
    ("konsep", "Konsep", "Concept"),
    ("definisi", "Definisi", "Definition"),
    ("referensi_pemilihan", "Referensi Pemilihan", "Selection reference"),
    ("referensi_waktu", "Referensi Waktu", "Time reference"),
    ("tipe_data", "Tipe Data", "Data type"),
    ("value_domain", "Klasifikasi Isian (Domain Nilai)", "Value domain"),
    ("ukuran", "Ukuran", "Measure"),
    ("satuan", "Satuan", "Unit"),
    ("aturan_validasi", "Aturan Validasi", "Validation rules"),
    ("kalimat_pertanyaan", "Kalimat Pertanyaan", "Question text"),
    ("akses_umum", "Dapat Diakses Umum", "Publicly accessible"),
)
# Mandatory before a dataset is submitted (BPS marks these M).
REQUIRED = ("nama_variabel", "alias", "konsep", "definisi", "referensi_pemilihan",
            "referensi_waktu", "tipe_data", "value_domain", "aturan_validasi",
            "kalimat_pertanyaan", "akses_umum")


def labels(lang: str) -> dict[str, str]:
    index = 1 if lang == "id" else 2
    return {f[0]: f[index] for f in FIELDS}


def _lines(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [line.strip() for line in str(value).splitlines() if line.strip()]


def _value_domain(value: Any) -> list[dict[str, str]]:
    """[{kode, nilai}], also from form text with one `kode=nilai` per line."""
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        rows = value
    else:
        rows = []
        for line in _lines(value):
            kode, sep, nilai = line.partition("=")
            if not sep:
                raise tk.Invalid(tk._(
                    'Value domain line "{line}" must look like code=value').format(line=line))
            rows.append({"kode": kode.strip(), "nilai": nilai.strip()})
    for row in rows:
        if not str(row.get("kode", "")).strip() or not str(row.get("nilai", "")).strip():
            raise tk.Invalid(tk._("Every value-domain entry needs a code and a value"))
    return [{"kode": str(r["kode"]).strip(), "nilai": str(r["nilai"]).strip()} for r in rows]


def normalise_info(info: Any) -> Any:
    """Validate and normalise the MS-Var keys of a column's `info`; other keys pass through."""
    if not isinstance(info, dict):
        return info
    info = dict(info)
    for key in ("value_domain", "aturan_validasi"):
        if info.get(key) in ("", None, []):
            info.pop(key, None)
    if "tipe_data" in info:
        if info["tipe_data"] in ("", None):
            info.pop("tipe_data")
        elif str(info["tipe_data"]).upper() not in TIPE_DATA:
            raise tk.Invalid(tk._("Data type must be one of {choices}").format(
                choices=", ".join(TIPE_DATA)))
        else:
            info["tipe_data"] = str(info["tipe_data"]).upper()
    if "value_domain" in info:
        info["value_domain"] = _value_domain(info["value_domain"])
    if "aturan_validasi" in info:
        info["aturan_validasi"] = _lines(info["aturan_validasi"])
    if "akses_umum" in info:
        flag = info["akses_umum"]
        if flag in ("", None):
            info.pop("akses_umum")
        else:
            info["akses_umum"] = flag is True or str(flag).lower() in ("true", "1", "ya", "yes")
    return info


def missing(info: dict[str, Any]) -> list[str]:
    """MS-Var keys a column still lacks."""
    return [key for key in REQUIRED if info.get(key) in (None, "", [])]


def variables_of(resources: list[dict[str, Any]],
                 context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The columns (with MS-Var) of a dataset's DataStore resources, one datastore_info each."""
    out = []
    for resource in resources:
        if not resource.get("datastore_active"):
            continue
        try:
            info = tk.get_action("datastore_info")(dict(context or {}), {"id": resource["id"]})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        for field in info.get("fields", []):
            out.append({"resource_id": resource["id"], "resource_name": resource.get("name"),
                        "id": field["id"], "type": field.get("type"),
                        "info": field.get("info") or {}})
    return out


def search_text(resources: list[dict[str, Any]]) -> str:
    """Variable names, labels and concepts of a dataset, for full-text search."""
    words = []
    for variable in variables_of(resources, {"ignore_auth": True}):
        info = variable["info"]
        words += [variable["id"].replace("_", " "), info.get("label", ""),
                  info.get("nama_variabel", ""), info.get("konsep", "")]
    return " ".join(w for w in words if w)
