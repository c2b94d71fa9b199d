"""Template helpers of ckanext-satudata (registered by blanket, all prefixed)."""
from __future__ import annotations

from typing import Any

from ckanext.satudata import config, metadata, wilayah

__all__ = ["satudata_contact", "satudata_show_if_conditions", "satudata_wilayah_choices"]


def satudata_contact() -> dict[str, str]:
    """Walidata contact details for the footer and the Kontak Kami page."""
    return {"email": config.contact_email(), "phone": config.contact_phone()}


def satudata_wilayah_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Scheming choices for region fields: the regency and its kecamatan."""
    return [
        {"value": w.kode_kemendagri,
         "label": w.nama if w.jenis == "kabupaten" else f"Kec. {w.nama}"}
        for w in wilayah.builtin()
    ]


def satudata_show_if_conditions(dataset_type: str = metadata.DATASET_TYPE) -> dict[str, Any]:
    """{field: condition} for fields the form shows only under a condition."""
    return {
        f["field_name"]: f["sdi_show_if"]
        for f in metadata.dataset_fields(dataset_type) if "sdi_show_if" in f
    }
