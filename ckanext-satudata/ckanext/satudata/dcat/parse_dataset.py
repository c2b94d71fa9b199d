"""Parsing: the SDI fields of a dataset read back from DCAT-AP 3 (harvesting another
Satu Data portal that uses this profile). The exact `sdi:<field>` values win over
what the DCAT terms give."""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles.base import DCAT, DCT, GSP, LOCN, RDF, VCARD, RDFProfile
from rdflib import Literal, URIRef
from rdflib.term import Node

from ckanext.satudata import metadata
from ckanext.satudata.dcat.values import geojson_text, plain_format, reporting_period
from ckanext.satudata.dcat.vocabulary import (
    ACCESS_RIGHT,
    ACCESS_RIGHTS,
    CORE_KEYS,
    FREQUENCIES,
    FREQUENCY,
    LESS_THAN_BIENNIAL,
    NOT_SDI_FIELDS,
    ONE_OFF_FREQUENCY,
    SDI,
    SDI_EXTENT,
    THEME_FIELDS,
)


class DatasetParseMixin(RDFProfile):
    """`parse_dataset` of the Satu Data profile and the base parser's geometry reading."""

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> dict[str, Any]:
        if "extras" not in dataset_dict:
            super().parse_dataset(dataset_dict, dataset_ref)
        consumed: set[str] = set()
        frequency = self._code(dataset_ref, DCT.accrualPeriodicity, FREQUENCY)
        if frequency == ONE_OFF_FREQUENCY:
            self._set_dataset_value(dataset_dict, "kegiatan_dilakukan", "HANYA_SEKALI")
        elif frequency:
            reverse = {v: k for k, v in FREQUENCIES.items()}
            value = reverse.get(frequency) or (
                "LEBIH_DARI_DUA_TAHUNAN" if frequency in LESS_THAN_BIENNIAL else None)
            if value:
                self._set_dataset_value(dataset_dict, "kegiatan_dilakukan", "BERULANG")
                self._set_dataset_value(dataset_dict, "frekuensi_penyelenggaraan", value)
                consumed.add("frequency")
        access = self._code(dataset_ref, DCT.accessRights, ACCESS_RIGHT)
        reverse_access = {v: k for k, v in ACCESS_RIGHTS.items()}
        if access in reverse_access:
            self._set_dataset_value(dataset_dict, "klasifikasi_akses", reverse_access[access])
            consumed.add("access_rights")
        for theme in self.g.objects(dataset_ref, DCAT.theme):
            for field_name, path in THEME_FIELDS.items():
                match = re.search(rf"/{path}/([A-Z0-9_]+)$", str(theme))
                field = self._schema_field(field_name)
                if match and field and match.group(1) in {c["value"] for c in field["choices"]}:
                    self._set_dataset_value(dataset_dict, field_name, match.group(1))
                    consumed.add("theme")
        self._parse_regions(dataset_dict, dataset_ref, consumed)
        self._parse_period(dataset_dict, dataset_ref, consumed)
        self._parse_contact(dataset_dict, dataset_ref, consumed)
        self._parse_extent(dataset_dict, dataset_ref, consumed)
        self._parse_sdi_fields(dataset_dict, dataset_ref)
        for resource_dict in dataset_dict.get("resources", []):
            plain_format(resource_dict)
        known = CORE_KEYS | {f["field_name"] for f in metadata.dataset_fields(
            dataset_dict.get("type") or metadata.DATASET_TYPE)}
        # DCAT-AP's scheming parser adds `contact`, `publisher`, `creator`... as fields of
        # its own schema: ours keeps contacts in the SDI fields, the publisher is the OPD.
        for key in [k for k in dataset_dict if k not in known]:
            dataset_dict.pop(key)
        dataset_dict["extras"] = [e for e in dataset_dict.get("extras", [])
                                  if e["key"] not in consumed]
        return dataset_dict

    def _parse_sdi_fields(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """`sdi:<field>` values are the exact ones: they win over what DCAT terms gave."""
        dataset_type = self._object_value(dataset_ref, SDI.type)
        if dataset_type and tk.h.scheming_get_dataset_schema(dataset_type):
            dataset_dict["type"] = dataset_type
        for field in metadata.dataset_fields(dataset_type or metadata.DATASET_TYPE):
            name = field["field_name"]
            if name in NOT_SDI_FIELDS:
                continue
            value = self.g.value(dataset_ref, SDI[name])
            if not isinstance(value, Literal):
                continue
            if value.datatype == RDF.JSON:
                try:
                    dataset_dict[name] = json.loads(str(value))
                except ValueError:
                    continue
            else:
                dataset_dict[name] = str(value)

    def _parse_extent(self, dataset_dict: dict[str, Any], dataset_ref: Node,
                      consumed: set[str]) -> None:
        """The exact geometry of an `sdi:Extent`; its box and centroid are not kept."""
        for location in self.g.objects(dataset_ref, DCT.spatial):
            if (location, RDF.type, SDI_EXTENT) not in self.g:
                continue
            geometry = self._parse_geodata(location, LOCN.geometry, None)
            if geometry:
                dataset_dict["spatial"] = geometry
                dataset_dict["extras"] = [e for e in dataset_dict.get("extras", [])
                                          if e["key"] != "spatial"]
                consumed.update({"spatial_bbox", "spatial_centroid"})

    def _parse_geodata(self, spatial: Node, datatype: URIRef, cur_value: Any) -> Any:
        """The base parser's geometry reading, but tolerant of DCAT-AP 3 geometry nodes.

        ckanext-dcat 2.4.4 reads ``.datatype`` of every locn:geometry object and
        crashes on a locn:Geometry node; such nodes are read through their
        gsp:asGeoJSON / gsp:asWKT literals instead.
        """
        for value in self.g.objects(spatial, datatype):
            if isinstance(value, Literal):
                candidates = [value]
            else:
                candidates = [v for p in (GSP.asGeoJSON, GSP.asWKT)
                              for v in self.g.objects(value, p) if isinstance(v, Literal)]
            for literal in candidates:
                cur_value = cur_value or geojson_text(literal)
        return cur_value

    def _code(self, subject: Node, predicate: URIRef, namespace: str) -> str | None:
        value = self._object(subject, predicate)
        if isinstance(value, URIRef) and str(value).startswith(namespace):
            return str(value)[len(namespace):]
        return None

    def _parse_regions(self, dataset_dict: dict[str, Any], dataset_ref: Node,
                       consumed: set[str]) -> None:
        codes = []
        for location in self.g.objects(dataset_ref, DCT.spatial):
            code = self._object_value(location, DCT.identifier)
            if re.fullmatch(r"\d{2}(\.\d{2}){1,2}(\.\d{4})?", code or ""):
                codes.append(code)
        if codes:
            self._set_dataset_value(dataset_dict, "wilayah", sorted(codes))
            consumed.update({"spatial_uri", "spatial_text"})

    def _parse_period(self, dataset_dict: dict[str, Any], dataset_ref: Node,
                      consumed: set[str]) -> None:
        for node in self.g.objects(dataset_ref, DCT.temporal):
            start = self._object_value(node, DCAT.startDate)
            end = self._object_value(node, DCAT.endDate)
            if not (start and end) or start[:4] != end[:4]:
                continue
            year = int(start[:4])
            self._set_dataset_value(dataset_dict, "tahun_kegiatan", year)
            for quarter in ("I", "II", "III", "IV"):
                if (start, end) == reporting_period({"tahun_kegiatan": year,
                                                     "periode_triwulan": quarter}):
                    self._set_dataset_value(dataset_dict, "periode_triwulan", quarter)
            for month in range(1, 13):
                if (start, end) == reporting_period({"tahun_kegiatan": year,
                                                     "periode_bulan": f"{month:02d}"}):
                    self._set_dataset_value(dataset_dict, "periode_bulan", f"{month:02d}")
            consumed.update({"temporal_start", "temporal_end"})
            return

    def _parse_contact(self, dataset_dict: dict[str, Any], dataset_ref: Node,
                       consumed: set[str]) -> None:
        contact = self._object(dataset_ref, DCAT.contactPoint)
        if contact is None:
            return
        name = self._object_value(contact, VCARD.fn)
        email = self._without_mailto(self._object_value(contact, VCARD.hasEmail))
        phone = self._object_value(contact, VCARD.hasTelephone).removeprefix("tel:")
        for key, value in (("pj_nama", name), ("pj_email", email), ("pj_telepon", phone)):
            if value:
                self._set_dataset_value(dataset_dict, key, value)
        consumed.update({"contact_name", "contact_email", "contact_uri"})
