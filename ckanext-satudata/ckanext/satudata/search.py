"""How Satu Data datasets are indexed in Solr and how facets are labelled."""
from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata import metadata, ms_var, verification

# Fields kept as exact strings in Solr (filters and facets); every other schema
# field goes to an `extras_*` text field: searchable with Indonesian stemming,
# and never too long for a Solr string term.
EXACT_FIELDS = {"kategori", "sektor_kegiatan", "klasifikasi_akses", "tahun_kegiatan",
                "periode_bulan", "periode_triwulan", "frekuensi_penyelenggaraan",
                "jenis_statistik", "cara_pengumpulan_data", "kegiatan_dilakukan",
                "cakupan_wilayah", "tipe_pengumpulan_data", "metode_analisis", "kode_kegiatan",
                "ms_keg_id", "level_estimasi"}
MULTI_VALUED_FIELDS = {"wilayah"}  # declared multiValued in config/solr/conf/schema.xml
CORE_FIELDS = {"title", "name", "notes", "owner_org", "license_id", "tag_string"}
#: Solr field (a `*_date` dynamic field) of the time a dataset became public: its first
#: publication through verifikasi's workflow or gate, not a later correction.
PUBLISHED_FIELD = "satudata_published_date"
#: Sort of "newest data": by publication, then by last publication for datasets indexed
#: before the field existed (`ckan search-index rebuild` fills it).
NEWEST_FIRST = f"{PUBLISHED_FIELD} desc, metadata_modified desc"


def prepare_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Shape a dataset dict for Solr (IPackageController.before_dataset_index)."""
    for field in metadata.dataset_fields(pkg_dict.get("type", metadata.DATASET_TYPE)):
        name = field["field_name"]
        if name in CORE_FIELDS or name in EXACT_FIELDS or name not in pkg_dict:
            continue
        value = pkg_dict.pop(name)
        if name in MULTI_VALUED_FIELDS:
            pkg_dict[name] = metadata.values_of(value)
        if name == "spatial":
            # ckanext-spatial indexes the extent when `extras_spatial` is set, reading
            # `spatial`, and removes both afterwards.
            pkg_dict["spatial"] = pkg_dict["extras_spatial"] = value
            continue
        if isinstance(value, (list, dict)):
            value = json.dumps(value, ensure_ascii=False)
        if value not in (None, ""):
            pkg_dict[f"extras_{name}"] = value
    variables = ms_var.search_text(pkg_dict.get("resources") or _resources(pkg_dict))
    if variables:
        pkg_dict["extras_variabel"] = variables
    published = verification.publication_dates([pkg_dict["id"]]) if "id" in pkg_dict else {}
    if published:
        pkg_dict[PUBLISHED_FIELD] = published[pkg_dict["id"]].isoformat() + "Z"
    return pkg_dict


def _resources(pkg_dict: dict[str, Any]) -> list[dict[str, Any]]:
    # The index dict carries resources only as JSON in validated_data_dict.
    try:
        return json.loads(pkg_dict.get("validated_data_dict") or "{}").get("resources", [])
    except ValueError:
        return []


FACET_FIELDS = ("organization", "kategori", "sektor_kegiatan", "tahun_kegiatan",
                "frekuensi_penyelenggaraan", "klasifikasi_akses", "res_format", "tags")


def facet_titles() -> OrderedDict[str, str]:
    return OrderedDict([
        ("organization", tk._("Data producer (OPD)")),
        ("kategori", tk._("Category")),
        ("sektor_kegiatan", tk._("Sector")),
        ("tahun_kegiatan", tk._("Year")),
        ("frekuensi_penyelenggaraan", tk._("Frequency")),
        ("klasifikasi_akses", tk._("Access class")),
        ("res_format", tk._("Format")),
        ("tags", tk._("Tags")),
    ])


def label_facets(search_results: dict[str, Any], dataset_type: str) -> None:
    """Show the labels of controlled values (e.g. "Data Dasar"), not the INDAH enums."""
    facets = search_results.get("search_facets") or {}
    for field in metadata.dataset_fields(dataset_type):
        facet = facets.get(field["field_name"])
        if not facet or "choices" not in field:
            continue
        labels = {c["value"]: c["label"] for c in field["choices"]}
        for item in facet.get("items", []):
            if item["name"] in labels:
                item["display_name"] = metadata.text(labels[item["name"]])
