"""Serialising a dataset: its SDI fields in DCAT-AP 3 terms.

Runs after the DCAT-AP 3 base profile (or runs it first when used alone), adds what
the SDI schema knows (frequency, regions, extent, period, contact, categories and
sectors, access class, every field as `sdi:<field>`) and repairs what the base output
gives in a form the DCAT-AP 3.0.0 SHACL shapes reject without inference.
"""
from __future__ import annotations

import contextlib
import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles.base import (
    DCAT,
    DCT,
    FOAF,
    GSP,
    LOCN,
    RDF,
    RDFS,
    SKOS,
    VCARD,
    XSD,
    RDFProfile,
)
from ckanext.dcat.utils import publisher_uri_organization_fallback
from geomet import wkt
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ckanext.satudata import metadata, wilayah
from ckanext.satudata.dcat.values import (
    bounds,
    catalog_base,
    geojson_of,
    region_label,
    reporting_period,
    tel_uri,
)
from ckanext.satudata.dcat.vocabulary import (
    ACCESS_RIGHT,
    ACCESS_RIGHTS,
    DATA_THEME,
    DATA_THEME_LABELS,
    DESCRIPTION_FALLBACKS,
    FREQUENCIES,
    FREQUENCY,
    LANGUAGE,
    LOCAL_AUTHORITY,
    NOT_SDI_FIELDS,
    ONE_OFF_FREQUENCY,
    SDI,
    SDI_EXTENT,
    SECTOR_DATA_THEMES,
    THEME_FIELDS,
)


class DatasetGraphMixin(RDFProfile):
    """`graph_from_dataset` of the Satu Data profile, and the concept and language nodes
    the catalogue shares. Distributions are repaired by `DistributionGraphMixin`
    (`_fix_distribution`), mixed in beside this one by the profile class."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        if not ((dataset_ref, RDF.type, DCAT.Dataset) in self.g
                or (dataset_ref, RDF.type, DCAT.DatasetSeries) in self.g):
            super().graph_from_dataset(dataset_dict, dataset_ref)
        self._add_description(dataset_dict, dataset_ref)
        self._add_frequency(dataset_dict, dataset_ref)
        self._add_regions(dataset_dict, dataset_ref)
        self._add_geometry(dataset_dict, dataset_ref)
        self._add_period(dataset_dict, dataset_ref)
        self._add_publisher(dataset_dict, dataset_ref)
        self._add_contact(dataset_dict, dataset_ref)
        self._add_themes(dataset_dict, dataset_ref)
        self._add_access_rights(dataset_dict, dataset_ref)
        self._add_language(dataset_ref)
        self._add_sdi_fields(dataset_dict, dataset_ref)
        for resource_dict in dataset_dict.get("resources", []):
            self._fix_distribution(dataset_dict, resource_dict, dataset_ref)

    def _add_sdi_fields(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Every SDI field of the dataset's schema as `sdi:<field name>` (exact values)."""
        g = self.g
        g.bind("sdi", SDI)
        dataset_type = dataset_dict.get("type") or metadata.DATASET_TYPE
        if dataset_type != metadata.DATASET_TYPE:
            g.add((dataset_ref, SDI.type, Literal(dataset_type)))
        for field in metadata.dataset_fields(dataset_type):
            name = field["field_name"]
            value = dataset_dict.get(name)
            if name in NOT_SDI_FIELDS or value in (None, "", [], {}):
                continue
            if isinstance(value, (list, dict)):
                literal = Literal(json.dumps(value, ensure_ascii=False, sort_keys=True),
                                  datatype=RDF.JSON)
            else:
                literal = Literal(str(value))
            g.add((dataset_ref, SDI[name], literal))

    def _add_description(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """dct:description is mandatory: without notes, the SDI text that describes best."""
        if any(self.g.objects(dataset_ref, DCT.description)):
            return
        for key in DESCRIPTION_FALLBACKS:
            text = dataset_dict.get(key)
            if isinstance(text, str) and text.strip():
                self.g.add((dataset_ref, DCT.description, Literal(text.strip())))
                return

    def _add_frequency(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        if any(self.g.objects(dataset_ref, DCT.accrualPeriodicity)):
            return
        if dataset_dict.get("kegiatan_dilakukan") == "HANYA_SEKALI":
            code = ONE_OFF_FREQUENCY
        else:
            code = FREQUENCIES.get(dataset_dict.get("frekuensi_penyelenggaraan") or "") or ""
        if code:
            frequency = URIRef(FREQUENCY + code)
            self.g.add((dataset_ref, DCT.accrualPeriodicity, frequency))
            self.g.add((frequency, RDF.type, DCT.Frequency))

    def _add_regions(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        names = {w.kode_kemendagri: w for w in wilayah.builtin()}
        for code in metadata.values_of(dataset_dict.get("wilayah")):
            location = URIRef(f"{catalog_base()}/wilayah/{code}")
            self.g.add((dataset_ref, DCT.spatial, location))
            self.g.add((location, RDF.type, DCT.Location))
            self.g.add((location, DCT.identifier, Literal(code)))
            if code in names:
                label = region_label(names[code])
                self.g.add((location, SKOS.prefLabel, Literal(label, lang="id")))

    def _add_geometry(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """The GeoJSON extent as a locn:Geometry node (DCAT-AP 3 no longer takes a literal)
        on an `sdi:Extent` location, and its bounding box and centroid as WKT literals on
        a plain dct:Location (see SDI_EXTENT: what stock DCAT parsers can read)."""
        g = self.g
        for location in list(g.objects(dataset_ref, DCT.spatial)):
            for value in list(g.objects(location, LOCN.geometry)):
                if isinstance(value, Literal):
                    g.remove((location, LOCN.geometry, value))
            if (location, RDF.type, DCT.Location) in g and not any(
                    p != RDF.type for p, _o in g.predicate_objects(location)):
                g.remove((dataset_ref, DCT.spatial, location))
                g.remove((location, None, None))
        geojson = geojson_of(dataset_dict.get("spatial"))
        if not geojson:
            return
        g.bind("sdi", SDI)
        g.add((SDI_EXTENT, RDF.type, RDFS.Class))
        g.add((SDI_EXTENT, RDFS.subClassOf, DCT.Location))
        extent = BNode()
        g.add((dataset_ref, DCT.spatial, extent))
        g.add((extent, RDF.type, SDI_EXTENT))
        geometry = BNode()
        g.add((extent, LOCN.geometry, geometry))
        g.add((geometry, RDF.type, LOCN.Geometry))
        g.add((geometry, RDF.type, GSP.Geometry))
        g.add((geometry, GSP.asGeoJSON, Literal(json.dumps(geojson), datatype=GSP.geoJSONLiteral)))
        with contextlib.suppress(TypeError, ValueError, KeyError):
            g.add((geometry, GSP.asWKT, Literal(wkt.dumps(geojson, decimals=6),
                                                datatype=GSP.wktLiteral)))
        box = bounds(geojson)
        if box:
            west, south, east, north = box
            area = BNode()
            g.add((dataset_ref, DCT.spatial, area))
            g.add((area, RDF.type, DCT.Location))
            g.add((area, DCAT.bbox, Literal(
                f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, "
                f"{west} {south}))", datatype=GSP.wktLiteral)))
            g.add((area, DCAT.centroid, Literal(
                f"POINT({(west + east) / 2} {(south + north) / 2})", datatype=GSP.wktLiteral)))

    def _add_period(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        period = reporting_period(dataset_dict)
        if not period:
            return
        node = BNode()
        self.g.add((dataset_ref, DCT.temporal, node))
        self.g.add((node, RDF.type, DCT.PeriodOfTime))
        self.g.add((node, DCAT.startDate, Literal(period[0], datatype=XSD.date)))
        self.g.add((node, DCAT.endDate, Literal(period[1], datatype=XSD.date)))

    def _add_publisher(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        organization = dataset_dict.get("organization") or {}
        publishers = list(self.g.objects(dataset_ref, DCT.publisher))
        if not publishers and organization:
            agent = URIRef(publisher_uri_organization_fallback(dataset_dict))
            self.g.add((dataset_ref, DCT.publisher, agent))
            self.g.add((agent, RDF.type, FOAF.Agent))
            publishers = [agent]
        for agent in publishers:
            if not any(self.g.objects(agent, FOAF.name)) and organization.get("title"):
                self.g.add((agent, FOAF.name, Literal(organization["title"])))
            if not any(self.g.objects(agent, DCT.type)):
                self.g.add((agent, RDF.type, FOAF.Organization))
                self._add_concept(agent, DCT.type, LOCAL_AUTHORITY, {"en": "Local Authority"})

    def _add_contact(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """The person in charge (Blok II), or else the agency (Blok I), as a vcard:Kind."""
        organization = (dataset_dict.get("organization") or {}).get("title")
        if any(dataset_dict.get(k) for k in ("pj_nama", "pj_email", "pj_telepon")):
            name = dataset_dict.get("pj_nama") or dataset_dict.get("pj_jabatan") or organization
            email, phone = dataset_dict.get("pj_email"), dataset_dict.get("pj_telepon")
        elif dataset_dict.get("email_instansi") or dataset_dict.get("telepon_instansi"):
            name = organization
            email, phone = dataset_dict.get("email_instansi"), dataset_dict.get("telepon_instansi")
        else:
            return
        g = self.g
        for existing in list(g.objects(dataset_ref, DCAT.contactPoint)):
            g.remove((dataset_ref, DCAT.contactPoint, existing))
        contact = BNode()
        g.add((dataset_ref, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Kind))
        if name:
            g.add((contact, VCARD.fn, Literal(name)))
        if organization:
            g.add((contact, VCARD["organization-name"], Literal(organization)))
        if dataset_dict.get("pj_jabatan") and name != dataset_dict["pj_jabatan"]:
            g.add((contact, VCARD.title, Literal(dataset_dict["pj_jabatan"])))
        if email:
            g.add((contact, VCARD.hasEmail, URIRef(self._add_mailto(email.strip()))))
        telephone = tel_uri(phone)
        if telephone:
            g.add((contact, VCARD.hasTelephone, URIRef(telephone)))

    def _add_themes(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        for field_name, path in THEME_FIELDS.items():
            value = dataset_dict.get(field_name)
            field = self._schema_field(field_name)
            if not value or not field:
                continue
            labels = {c["value"]: c.get("label", c["value"]) for c in field.get("choices", [])}
            label = labels.get(value, value)
            concept = URIRef(f"{catalog_base()}/{path}/{value}")
            self._add_concept(dataset_ref, DCAT.theme, concept,
                              label if isinstance(label, dict) else {"id": label})
            self.g.add((concept, SKOS.inScheme, URIRef(f"{catalog_base()}/{path}")))
            self.g.add((concept, SKOS.notation, Literal(value)))
        eu_theme = SECTOR_DATA_THEMES.get(dataset_dict.get("sektor_kegiatan") or "")
        if eu_theme:
            concept = URIRef(f"{DATA_THEME}/{eu_theme}")
            self._add_concept(dataset_ref, DCAT.theme, concept, {"en": DATA_THEME_LABELS[eu_theme]})
            self.g.add((concept, SKOS.inScheme, URIRef(DATA_THEME)))

    def _add_access_rights(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        code = ACCESS_RIGHTS.get(dataset_dict.get("klasifikasi_akses") or "")
        if not code or any(self.g.objects(dataset_ref, DCT.accessRights)):
            return
        rights = URIRef(ACCESS_RIGHT + code)
        self.g.add((dataset_ref, DCT.accessRights, rights))
        self.g.add((rights, RDF.type, DCT.RightsStatement))

    def _add_language(self, subject: Node, locale: str | None = None) -> None:
        code = {"id": "IND", "en": "ENG"}.get(locale or tk.config.get("ckan.locale_default", "id"))
        if code and not any(isinstance(o, URIRef) for o in self.g.objects(subject, DCT.language)):
            language = URIRef(LANGUAGE + code)
            self.g.add((subject, DCT.language, language))
            self.g.add((language, RDF.type, DCT.LinguisticSystem))

    def _add_concept(self, subject: Node, predicate: URIRef, concept: URIRef,
                     labels: dict[str, str]) -> None:
        self.g.add((subject, predicate, concept))
        self.g.add((concept, RDF.type, SKOS.Concept))
        for lang, text in labels.items():
            self.g.add((concept, SKOS.prefLabel, Literal(text, lang=lang)))
