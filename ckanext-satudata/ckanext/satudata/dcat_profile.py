"""DCAT-AP 3 profile of the portal: the SDI fields in the vocabularies DCAT-AP expects.

Registered as ``satudata_dcat_ap`` (entry point group ``ckan.rdf.profiles``) and
meant to run after ``euro_dcat_ap_3``::

    ckanext.dcat.rdf.profiles = euro_dcat_ap_3 satudata_dcat_ap

It adds what the SDI schema knows (frequency, regions, period, contact,
categories and sectors, access class, licence) and repairs the parts of the
base output that the DCAT-AP 3.0.0 SHACL shapes reject when validated without
inference (untyped objects, literals where IRIs are required, geometries as
literals). Used alone it runs the DCAT-AP 3 base profile itself first.
"""
from __future__ import annotations

import calendar
import contextlib
import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import EuropeanDCATAP3Profile
from ckanext.dcat.profiles.base import (
    DCAT,
    DCT,
    FOAF,
    GSP,
    LOCN,
    RDF,
    RDFS,
    SKOS,
    SPDX,
    VCARD,
    XSD,
)
from ckanext.dcat.utils import catalog_uri, publisher_uri_organization_fallback
from geomet import wkt
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.term import Node

from ckanext.satudata import config, metadata, wilayah

EU = "http://publications.europa.eu/resource/authority/"
FREQUENCY = EU + "frequency/"
ACCESS_RIGHT = EU + "access-right/"
LANGUAGE = EU + "language/"
FILE_TYPE = EU + "file-type/"
DATA_THEME = EU + "data-theme"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")

# INDAH frequency -> EU frequency code. EMPAT_BULANAN (every four months) is
# three times a year; LEBIH_DARI_DUA_TAHUNAN only says "less often than every
# two years", so it is OTHER rather than a precise BIENNIAL/TRIENNIAL.
FREQUENCIES = {
    "HARIAN": "DAILY",
    "MINGGUAN": "WEEKLY",
    "BULANAN": "MONTHLY",
    "TRIWULANAN": "QUARTERLY",
    "EMPAT_BULANAN": "ANNUAL_3",
    "SEMESTERAN": "ANNUAL_2",
    "TAHUNAN": "ANNUAL",
    "LEBIH_DARI_DUA_TAHUNAN": "OTHER",
}
# A one-off activity (kegiatan_dilakukan = HANYA_SEKALI) is never updated.
ONE_OFF_FREQUENCY = "NEVER"
_LESS_THAN_BIENNIAL = {"BIENNIAL", "TRIENNIAL", "QUADRENNIAL", "QUINQUENNIAL", "DECENNIAL",
                       "BIDECENNIAL", "TRIDECENNIAL", "OTHER"}

ACCESS_RIGHTS = {"terbuka": "PUBLIC", "terbatas": "RESTRICTED", "rahasia": "NON_PUBLIC"}

# BPS sector -> EU data theme, where one fits; dcat:theme then carries both.
SECTOR_DATA_THEMES = {
    "PERTANIAN_DAN_PERIKANAN": "AGRI",
    "DEMOGRAFI_DAN_KEPENDUDUKAN": "SOCI",
    "PROYEKSI_EKONOMI": "ECON",
    "PENDIDIKAN_DAN_PELATIHAN": "EDUC",
    "LINGKUNGAN": "ENVI",
    "KEUANGAN": "ECON",
    "GLOBALISASI": "INTR",
    "KESEHATAN": "HEAL",
    "INDUSTRI_DAN_JASA": "ECON",
    "TEKNOLOGI_INFORMASI_DAN_KOMUNIKASI": "TECH",
    "PERDAGANGAN_INTERNASIONAL_DAN_NERACA_PERDAGANGAN": "ECON",
    "KETENAGAKERJAAN": "SOCI",
    "NERACA_NASIONAL": "ECON",
    "INDIKATOR_EKONOMI_BULANAN": "ECON",
    "PRODUKTIVITAS": "ECON",
    "HARGA_DAN_PARITAS_DAYA_BELI": "ECON",
    "SEKTOR_PUBLIK_PERPAJAKAN_DAN_REGULASI_PASAR": "GOVE",
    "PERWILAYAHAN_DAN_PERKOTAAN": "REGI",
    "ILMU_PENGETAHUAN_DAN_HAK_PATEN": "TECH",
    "PERLINDUNGAN_SOSIAL_DAN_KESEJAHTERAAN": "SOCI",
    "TRANSPORTASI": "TRAN",
}
DATA_THEME_LABELS = {
    "AGRI": "Agriculture, fisheries, forestry and food",
    "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport",
    "ENVI": "Environment",
    "GOVE": "Government and public sector",
    "HEAL": "Health",
    "INTR": "International issues",
    "REGI": "Regions and cities",
    "SOCI": "Population and society",
    "TECH": "Science and technology",
    "TRAN": "Transport",
}

# Dataset fields whose values are theme concepts, with the path of their scheme.
THEME_FIELDS = {"kategori": "kategori", "sektor_kegiatan": "sektor"}

# CKAN format label -> EU file type, for dct:format (which must be an IRI).
FILE_TYPES = {
    "CSV": "CSV", "TSV": "TSV", "XLS": "XLS", "XLSX": "XLSX", "ODS": "ODS", "JSON": "JSON",
    "GEOJSON": "GEOJSON", "XML": "XML", "PDF": "PDF", "ZIP": "ZIP", "SHP": "SHP", "KML": "KML",
    "KMZ": "KMZ", "TXT": "TXT", "HTML": "HTML", "DOC": "DOC", "DOCX": "DOCX", "PNG": "PNG",
    "JPEG": "JPEG", "JPG": "JPEG", "GPKG": "GPKG", "RDF": "RDF", "TTL": "RDF_TURTLE",
}
# Hex digest length -> SPDX algorithm (xloader stores an MD5 without naming it).
CHECKSUM_ALGORITHMS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}

# Used in this order when a dataset has no notes (activities, then indicators).
DESCRIPTION_FALLBACKS = ("tujuan_kegiatan", "latar_belakang", "definisi", "konsep",
                         "judul_kegiatan", "title")

CATALOG_PUBLISHER = "Pemerintah Kabupaten Pasuruan"

#: The portal's own vocabulary: every SDI field (MS-Keg, MS-Ind) as `sdi:<field name>`
#: (docs/dcat-sdi.md). A text value is a plain literal, a list or a repeating block a
#: JSON literal (rdf:JSON). Fixed, not the site URL: another Satu Data portal and a
#: copy of this one read the same terms.
SDI = Namespace("https://satudata.pasuruankab.go.id/ns/sdi#")
#: The exact extent of a dataset: a dct:Location (declared as a subclass in the graph)
#: that stock ckanext-dcat 2.4.4 does not try to read (its parser reads `.datatype` of
#: every locn:geometry of a node typed dct:Location and crashes on a DCAT-AP 3 geometry
#: node); its bounding box and centroid are given as literals on a plain dct:Location,
#: which stock parsers read.
SDI_EXTENT = SDI.Extent
#: Fields DCAT carries in its own terms (or that are the portal's, not metadata). The
#: licence is kept: DCAT-AP puts it on distributions, which a dataset may lack.
NOT_SDI_FIELDS = frozenset({
    "title", "name", "notes", "tag_string", "tags", "owner_org", "private",
    "url", "version", "author", "author_email", "maintainer", "maintainer_email", "spatial",
    "id", "groups", "resources", "extras", "state", "type",
})
#: Top-level keys of a parsed dataset that CKAN's own schema takes.
CORE_KEYS = frozenset({
    "title", "name", "notes", "tags", "extras", "resources", "license_id", "url", "version",
    "author", "author_email", "maintainer", "maintainer_email", "id", "type", "owner_org",
    "private", "groups", "state", "spatial"})


class SatudataDCATAPProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 with the Satu Data Indonesia (SDI) fields of Kabupaten Pasuruan."""

    # Serialising

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

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: Node) -> None:
        if (catalog_ref, RDF.type, DCAT.Catalog) not in self.g:
            super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        if not any(g.objects(catalog_ref, DCT.publisher)):
            agent = BNode()
            g.add((catalog_ref, DCT.publisher, agent))
            g.add((agent, RDF.type, FOAF.Agent))
            g.add((agent, RDF.type, FOAF.Organization))
            g.add((agent, FOAF.name, Literal(CATALOG_PUBLISHER)))
            self._add_concept(agent, DCT.type, LOCAL_AUTHORITY, {"en": "Local Authority"})
            email = config.contact_email()
            if email:
                g.add((agent, FOAF.mbox, URIRef(self._add_mailto(email))))
        for language in list(g.objects(catalog_ref, DCT.language)):
            if isinstance(language, Literal):
                g.remove((catalog_ref, DCT.language, language))
                self._add_language(catalog_ref, str(language))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        for scheme, title in self._theme_schemes():
            g.add((catalog_ref, DCAT.themeTaxonomy, scheme))
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            g.add((scheme, DCT.title, title))

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
            location = URIRef(f"{_base()}/wilayah/{code}")
            self.g.add((dataset_ref, DCT.spatial, location))
            self.g.add((location, RDF.type, DCT.Location))
            self.g.add((location, DCT.identifier, Literal(code)))
            if code in names:
                label = _region_label(names[code])
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
        geojson = _geojson(dataset_dict.get("spatial"))
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
        box = _bounds(geojson)
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
            concept = URIRef(f"{_base()}/{path}/{value}")
            self._add_concept(dataset_ref, DCAT.theme, concept,
                              label if isinstance(label, dict) else {"id": label})
            self.g.add((concept, SKOS.inScheme, URIRef(f"{_base()}/{path}")))
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

    def _fix_distribution(self, dataset_dict: dict[str, Any], resource_dict: dict[str, Any],
                          dataset_ref: Node) -> None:
        """Licence, access URL, format, media type and checksum as DCAT-AP 3 wants them."""
        g = self.g
        distribution = next((d for d in g.objects(dataset_ref, DCAT.distribution)
                             if str(d).endswith(f"/resource/{resource_dict.get('id')}")), None)
        if distribution is None:
            return
        if not any(g.objects(distribution, DCT.license)):
            self._add_license(dataset_dict, distribution)
        if not any(g.objects(distribution, DCAT.accessURL)):
            g.add((distribution, DCAT.accessURL, distribution))
        for predicate in (DCAT.accessURL, DCAT.downloadURL):
            for url in g.objects(distribution, predicate):
                g.add((url, RDF.type, RDFS.Resource))
        for fmt in list(g.objects(distribution, DCT["format"])):
            if isinstance(fmt, Literal):
                g.remove((distribution, DCT["format"], fmt))
                g.add((distribution, DCT["format"], self._file_type(str(fmt))))
        for media_type in list(g.objects(distribution, DCAT.mediaType)):
            if isinstance(media_type, Literal):
                g.remove((distribution, DCAT.mediaType, media_type))
                if re.fullmatch(r"[\w.+-]+/[\w.+-]+", str(media_type)):
                    iana = URIRef(IANA_MEDIA_TYPES + str(media_type).lower())
                    g.add((distribution, DCAT.mediaType, iana))
                    g.add((iana, RDF.type, DCT.MediaType))
        for checksum in list(g.objects(distribution, SPDX.checksum)):
            if not any(g.objects(checksum, SPDX.algorithm)):
                value = str(g.value(checksum, SPDX.checksumValue) or "")
                algorithm = CHECKSUM_ALGORITHMS.get(len(value))
                if algorithm:
                    node = URIRef(f"http://spdx.org/rdf/terms#checksumAlgorithm_{algorithm}")
                    g.add((checksum, SPDX.algorithm, node))
                    g.add((node, RDF.type, SPDX.ChecksumAlgorithm))
                else:
                    g.remove((distribution, SPDX.checksum, checksum))
                    g.remove((checksum, None, None))

    def _add_license(self, dataset_dict: dict[str, Any], distribution: Node) -> None:
        license_id = dataset_dict.get("license_id")
        if not license_id:
            return
        url = dataset_dict.get("license_url")
        licence: Node = URIRef(url) if url and url.startswith("http") else BNode()
        self.g.add((distribution, DCT.license, licence))
        self.g.add((licence, RDF.type, DCT.LicenseDocument))
        self.g.add((licence, DCT.title, Literal(dataset_dict.get("license_title") or license_id)))
        if isinstance(licence, BNode):
            self.g.add((licence, DCT.identifier, Literal(license_id)))

    def _file_type(self, label: str) -> Node:
        code = FILE_TYPES.get(label.strip().upper().lstrip("."))
        node: Node = URIRef(FILE_TYPE + code) if code else BNode()
        self.g.add((node, RDF.type, DCT.MediaTypeOrExtent))
        if not code:
            self.g.add((node, RDFS.label, Literal(label)))
        return node

    def _add_concept(self, subject: Node, predicate: URIRef, concept: URIRef,
                     labels: dict[str, str]) -> None:
        self.g.add((subject, predicate, concept))
        self.g.add((concept, RDF.type, SKOS.Concept))
        for lang, text in labels.items():
            self.g.add((concept, SKOS.prefLabel, Literal(text, lang=lang)))

    def _theme_schemes(self) -> list[tuple[URIRef, Literal]]:
        schemes = []
        for field_name, path in THEME_FIELDS.items():
            field = self._schema_field(field_name)
            title = field.get("label", field_name) if field else field_name
            if isinstance(title, dict):
                title = title.get("id") or next(iter(title.values()))
            schemes.append((URIRef(f"{_base()}/{path}"), Literal(title, lang="id")))
        schemes.append((URIRef(DATA_THEME), Literal("Data theme", lang="en")))
        return schemes

    # Parsing (harvesting another Satu Data portal that uses this profile)

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
                "LEBIH_DARI_DUA_TAHUNAN" if frequency in _LESS_THAN_BIENNIAL else None)
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
            _plain_format(resource_dict)
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
                cur_value = cur_value or _geojson_text(literal)
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


def reporting_period(data: dict[str, Any]) -> tuple[str, str] | None:
    """(first day, last day) as ISO dates of the year, quarter or month a dataset covers."""
    try:
        year = int(data.get("tahun_kegiatan") or 0)
    except (TypeError, ValueError):
        return None
    if not 1000 <= year <= 9999:
        return None
    first_month, last_month = 1, 12
    quarter = data.get("periode_triwulan")
    if quarter in ("I", "II", "III", "IV"):
        first_month = ("I", "II", "III", "IV").index(quarter) * 3 + 1
        last_month = first_month + 2
    month = str(data.get("periode_bulan") or "")
    if month.isdigit() and 1 <= int(month) <= 12:
        first_month = last_month = int(month)
    last_day = calendar.monthrange(year, last_month)[1]
    return f"{year}-{first_month:02d}-01", f"{year}-{last_month:02d}-{last_day:02d}"


def tel_uri(phone: str | None) -> str | None:
    """An RFC 3966 tel: URI; Indonesian numbers written nationally get +62."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    if not digits.lstrip("+"):
        return None
    if digits.startswith("+"):
        return f"tel:{digits}"
    if digits.startswith("62"):
        return f"tel:+{digits}"
    if digits.startswith("0"):
        return f"tel:+62{digits[1:]}"
    return f"tel:{digits}"


def _region_label(region: wilayah.Wilayah) -> str:
    return region.nama if region.jenis == "kabupaten" else f"Kecamatan {region.nama}"


def _geojson(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) and "type" in parsed else None
    return None


def _plain_format(resource_dict: dict[str, Any]) -> None:
    """The CKAN format label and media type of a distribution read back (our output
    gives both as IRIs: an EU file type, an IANA media type)."""
    fmt = resource_dict.get("format")
    if isinstance(fmt, str) and fmt.startswith(FILE_TYPE):
        code = fmt[len(FILE_TYPE):]
        labels = {v: k for k, v in reversed(list(FILE_TYPES.items()))}
        resource_dict["format"] = labels.get(code, code)
    mimetype = resource_dict.get("mimetype")
    if isinstance(mimetype, str) and mimetype.startswith(IANA_MEDIA_TYPES):
        resource_dict["mimetype"] = mimetype[len(IANA_MEDIA_TYPES):]


def _bounds(geojson: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a GeoJSON geometry, or None."""
    points: list[tuple[float, float]] = []

    def walk(value: Any) -> None:
        if (isinstance(value, (list, tuple)) and len(value) >= 2
                and all(isinstance(v, (int, float)) for v in value[:2])):
            points.append((float(value[0]), float(value[1])))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(geojson.get("coordinates"))
    for part in geojson.get("geometries") or []:
        walk(part.get("coordinates") if isinstance(part, dict) else None)
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _geojson_text(literal: Literal) -> str | None:
    """GeoJSON text of a GeoJSON or WKT literal, or None."""
    if literal.datatype == GSP.wktLiteral:
        try:
            return json.dumps(wkt.loads(str(literal)))
        except (TypeError, ValueError):
            return None
    return json.dumps(_geojson(str(literal))) if _geojson(str(literal)) else None


def _base() -> str:
    return catalog_uri().rstrip("/")
