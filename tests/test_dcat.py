"""DCAT-AP 3 output: the SDI fields are mapped, and the graphs pass the official SHACL shapes."""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pyshacl
import pytest
import rdflib
from ckan.tests import factories
from ckanext.dcat.processors import RDFParser, RDFSerializer
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from ckanext.satudata.ms_keg_sample import complete_ms_ind, complete_ms_keg
from ckanext.satudata.tests import factories as sd_factories

SHAPES_DIR = Path(__file__).resolve().parent / "data" / "dcat-ap-3.0.0"
PROFILES = ["euro_dcat_ap_3", "satudata_dcat_ap"]
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = rdflib.Namespace("http://www.w3.org/ns/locn#")
GSP = rdflib.Namespace("http://www.opengis.net/ont/geosparql#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
EU = "http://publications.europa.eu/resource/authority/"

POLYGON = {
    "type": "Polygon",
    "coordinates": [[[112.70, -7.85], [112.85, -7.85], [112.85, -7.70], [112.70, -7.70],
                     [112.70, -7.85]]],
}


@functools.cache
def _shapes() -> rdflib.Graph:
    shapes = rdflib.Graph()
    for name in ("dcat-ap-SHACL.ttl", "range.ttl"):
        shapes.parse(SHAPES_DIR / name, format="turtle")
    return shapes


def assert_dcat_ap_conforms(graph: rdflib.Graph) -> None:
    """No sh:Violation against the DCAT-AP 3.0.0 shapes (warnings are allowed)."""
    _conforms, report, text = pyshacl.validate(
        graph, shacl_graph=_shapes(), inference="none", allow_warnings=True,
        advanced=True)
    violations = list(report.subjects(SH.resultSeverity, SH.Violation))
    assert not violations, f"{len(violations)} SHACL violation(s):\n{text}"


def _site() -> str:
    return tk.config["ckan.site_url"].rstrip("/")


def _sysadmin_headers() -> dict[str, str]:
    return {"Authorization": factories.SysadminWithToken()["token"]}


def _quarterly_survey(org: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A complete geospatial, quarterly dataset with two resources."""
    fields = complete_ms_keg(
        "Sebaran Posyandu per Kecamatan", 2024, org["title"],
        kategori="DATA_GEOSPASIAL", sektor_kegiatan="KESEHATAN",
        klasifikasi_akses="terbuka", license_id="cc-by",
        wilayah=["35.14.01", "35.14.02"], periode_triwulan="II",
        frekuensi_penyelenggaraan="TRIWULANAN", spatial=json.dumps(POLYGON),
        pj_nama="Siti Rahayu", pj_email="siti.rahayu@pasuruankab.go.id",
        pj_telepon="(0343) 429-496", tag_string="kesehatan,posyandu",
    )
    fields.update(overrides)
    return sd_factories.Dataset(
        owner_org=org["id"], title="Sebaran Posyandu per Kecamatan",
        resources=[
            {"name": "Tabel posyandu", "url": "http://example.org/posyandu.csv", "format": "CSV",
             "mimetype": "text/csv"},
            {"name": "Peta posyandu", "url": "", "format": "GeoJSON"},
        ],
        **fields,
    )


def _dataset_graph(app, dataset: dict[str, Any]) -> rdflib.Graph:
    response = app.get(f"/dataset/{dataset['name']}.ttl", headers=_sysadmin_headers())
    assert response.status_code == 200, response.body
    return rdflib.Graph().parse(data=response.body, format="turtle")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestDatasetEndpoint:
    def test_sdi_fields_are_mapped(self, app):
        org = factories.Organization(title="Dinas Kesehatan", name="dinkes")
        dataset = _quarterly_survey(org)

        g = _dataset_graph(app, dataset)
        ref = URIRef(f"{_site()}/dataset/{dataset['id']}")

        assert (ref, RDF.type, DCAT.Dataset) in g
        assert g.value(ref, DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/QUARTERLY")
        assert g.value(ref, DCTERMS.accessRights) == URIRef(EU + "access-right/PUBLIC")

        purwodadi = URIRef(f"{_site()}/wilayah/35.14.01")
        assert {purwodadi, URIRef(f"{_site()}/wilayah/35.14.02")} <= set(
            g.objects(ref, DCTERMS.spatial))
        assert (purwodadi, RDF.type, DCTERMS.Location) in g
        assert g.value(purwodadi, SKOS.prefLabel) == Literal("Kecamatan Purwodadi", lang="id")
        assert g.value(purwodadi, DCTERMS.identifier) == Literal("35.14.01")
        geometries = [geo for loc in g.objects(ref, DCTERMS.spatial)
                      for geo in g.objects(loc, LOCN.geometry)]
        assert len(geometries) == 1
        assert (geometries[0], RDF.type, LOCN.Geometry) in g
        assert json.loads(g.value(geometries[0], GSP.asGeoJSON)) == POLYGON
        assert str(g.value(geometries[0], GSP.asWKT)).startswith("POLYGON")

        period = g.value(ref, DCTERMS.temporal)
        assert (period, RDF.type, DCTERMS.PeriodOfTime) in g
        assert g.value(period, DCAT.startDate) == Literal("2024-04-01", datatype=XSD.date)
        assert g.value(period, DCAT.endDate) == Literal("2024-06-30", datatype=XSD.date)

        publisher = g.value(ref, DCTERMS.publisher)
        assert (publisher, RDF.type, FOAF.Agent) in g
        assert str(g.value(publisher, FOAF.name)) == "Dinas Kesehatan"

        contact = g.value(ref, DCAT.contactPoint)
        assert (contact, RDF.type, VCARD.Kind) in g
        assert str(g.value(contact, VCARD.fn)) == "Siti Rahayu"
        assert g.value(contact, VCARD.hasEmail) == URIRef("mailto:siti.rahayu@pasuruankab.go.id")
        assert g.value(contact, VCARD.hasTelephone) == URIRef("tel:+62343429496")

        themes = set(g.objects(ref, DCAT.theme))
        kategori = URIRef(f"{_site()}/kategori/DATA_GEOSPASIAL")
        assert {kategori, URIRef(f"{_site()}/sektor/KESEHATAN"),
                URIRef(EU + "data-theme/HEAL")} <= themes
        assert (kategori, RDF.type, SKOS.Concept) in g
        assert Literal("Data Geospasial", lang="id") in set(g.objects(kategori, SKOS.prefLabel))
        assert Literal("Geospatial data", lang="en") in set(g.objects(kategori, SKOS.prefLabel))

        distributions = list(g.objects(ref, DCAT.distribution))
        assert len(distributions) == 2
        for distribution in distributions:
            licence = g.value(distribution, DCTERMS.license)
            assert licence == URIRef(dataset["license_url"])
            assert (licence, RDF.type, DCTERMS.LicenseDocument) in g
            assert g.value(distribution, DCAT.accessURL) is not None
        formats = {g.value(d, DCTERMS["format"]) for d in distributions}
        assert formats == {URIRef(EU + "file-type/CSV"), URIRef(EU + "file-type/GEOJSON")}

        assert_dcat_ap_conforms(g)

    def test_the_base_profile_alone_does_not_conform(self, app):
        """The shapes do catch what this profile repairs (guards against a vacuous check)."""
        dataset = _quarterly_survey(factories.Organization())
        response = app.get(f"/dataset/{dataset['name']}.ttl?profiles=euro_dcat_ap_3",
                           headers=_sysadmin_headers())

        g = rdflib.Graph().parse(data=response.body, format="turtle")

        with pytest.raises(AssertionError, match="SHACL violation"):
            assert_dcat_ap_conforms(g)

    def test_incomplete_draft_still_conforms(self, app):
        org = factories.Organization(title="Dinas Pendidikan")
        dataset = sd_factories.Dataset(owner_org=org["id"], state="draft",
                                       title="Jumlah Sekolah", notes="")

        g = _dataset_graph(app, dataset)

        ref = URIRef(f"{_site()}/dataset/{dataset['id']}")
        assert str(g.value(ref, DCTERMS.description)) == "Jumlah Sekolah"
        assert_dcat_ap_conforms(g)

    def test_restricted_and_secret_access_rights(self, app):
        org = factories.Organization()
        terbatas = _quarterly_survey(org, klasifikasi_akses="terbatas", name="terbatas")
        rahasia = _quarterly_survey(org, klasifikasi_akses="rahasia", name="rahasia")

        for dataset, code in ((terbatas, "RESTRICTED"), (rahasia, "NON_PUBLIC")):
            g = _dataset_graph(app, dataset)
            ref = URIRef(f"{_site()}/dataset/{dataset['id']}")
            assert g.value(ref, DCTERMS.accessRights) == URIRef(f"{EU}access-right/{code}")

    def test_private_dataset_is_not_served_to_anonymous(self, app):
        org = factories.Organization()
        dataset = _quarterly_survey(org, private=True, name="privat")

        response = app.get(f"/dataset/{dataset['name']}.ttl")

        assert response.status_code in (403, 404)
        catalog = rdflib.Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")
        assert not list(catalog.subjects(RDF.type, DCAT.Dataset))

    def test_harvesting_the_output_gives_the_sdi_fields_back(self, app):
        org = factories.Organization()
        dataset = _quarterly_survey(org, periode_triwulan="", periode_bulan="02")
        body = app.get(f"/dataset/{dataset['name']}.ttl", headers=_sysadmin_headers()).body

        # Alone, satudata_dcat_ap runs the DCAT-AP 3 base parser itself. Parsing only:
        # tests/test_dcat_roundtrip.py harvests the output into datasets.
        parser = RDFParser(profiles=["satudata_dcat_ap"])
        parser.parse(body, _format="turtle")
        [parsed] = list(parser.datasets())

        assert parsed["frekuensi_penyelenggaraan"] == "TRIWULANAN"
        assert parsed["kegiatan_dilakukan"] == "BERULANG"
        assert parsed["klasifikasi_akses"] == "terbuka"
        assert parsed["kategori"] == "DATA_GEOSPASIAL"
        assert parsed["sektor_kegiatan"] == "KESEHATAN"
        assert parsed["wilayah"] == ["35.14.01", "35.14.02"]
        assert str(parsed["tahun_kegiatan"]) == "2024"  # exact: sdi:tahun_kegiatan
        assert parsed["periode_bulan"] == "02"
        assert parsed["pj_email"] == "siti.rahayu@pasuruankab.go.id"
        assert json.loads(parsed["spatial"]) == POLYGON
        assert parsed["license_id"] == "cc-by"
        assert not {e["key"] for e in parsed["extras"]} & {"frequency", "access_rights", "theme"}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_catalog_conforms_and_names_its_publisher_and_taxonomies(app):
    org = factories.Organization(title="Dinas Kesehatan")
    mapped = _quarterly_survey(org, private=False)
    # Incomplete metadata is never published: a private draft, not in the catalog.
    sd_factories.Dataset(owner_org=org["id"], title="Data Minimal", notes="Minimal")
    indicator = sd_factories.Dataset(
        owner_org=org["id"], title="Cakupan Posyandu Aktif", notes="", private=False,
        **complete_ms_ind("Cakupan Posyandu Aktif", mapped["id"],
                          definisi="Persentase posyandu yang aktif",
                          capaian=[{"tahun": 2025, "target": "80", "realisasi": "78,5"}]))

    response = app.get("/catalog.ttl", headers=_sysadmin_headers())

    g = rdflib.Graph().parse(data=response.body, format="turtle")
    catalog = URIRef(_site())
    assert {URIRef(f"{_site()}/dataset/{d['id']}") for d in (mapped, indicator)} == set(
        g.objects(catalog, DCAT.dataset))
    assert str(g.value(URIRef(f"{_site()}/dataset/{indicator['id']}"), DCTERMS.description)) == (
        "Persentase posyandu yang aktif")
    publisher = g.value(catalog, DCTERMS.publisher)
    assert str(g.value(publisher, FOAF.name)) == "Pemerintah Kabupaten Pasuruan"
    assert g.value(catalog, DCTERMS.language) == URIRef(EU + "language/IND")
    assert {URIRef(f"{_site()}/kategori"), URIRef(f"{_site()}/sektor"),
            URIRef(EU + "data-theme")} == set(g.objects(catalog, DCAT.themeTaxonomy))
    assert_dcat_ap_conforms(g)


def _graph_of(dataset_dict: dict[str, Any]) -> tuple[rdflib.Graph, URIRef]:
    serializer = RDFSerializer(profiles=PROFILES)
    ref = serializer.graph_from_dataset({"id": "d1", "name": "d1", "title": "T", "notes": "N",
                                         **dataset_dict})
    return serializer.g, ref


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize(("done", "frequency", "code"), [
    ("BERULANG", "HARIAN", "DAILY"),
    ("BERULANG", "MINGGUAN", "WEEKLY"),
    ("BERULANG", "BULANAN", "MONTHLY"),
    ("BERULANG", "TRIWULANAN", "QUARTERLY"),
    ("BERULANG", "EMPAT_BULANAN", "ANNUAL_3"),
    ("BERULANG", "SEMESTERAN", "ANNUAL_2"),
    ("BERULANG", "TAHUNAN", "ANNUAL"),
    ("BERULANG", "LEBIH_DARI_DUA_TAHUNAN", "OTHER"),
    ("HANYA_SEKALI", "", "NEVER"),
])
def test_frequency_vocabulary(done, frequency, code):
    g, ref = _graph_of({"kegiatan_dilakukan": done, "frekuensi_penyelenggaraan": frequency})

    assert list(g.objects(ref, DCTERMS.accrualPeriodicity)) == [URIRef(f"{EU}frequency/{code}")]
    assert (URIRef(f"{EU}frequency/{code}"), RDF.type, DCTERMS.Frequency) in g


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize(("period", "start", "end"), [
    ({}, "2024-01-01", "2024-12-31"),
    ({"periode_triwulan": "IV"}, "2024-10-01", "2024-12-31"),
    ({"periode_bulan": "02"}, "2024-02-01", "2024-02-29"),
    ({"periode_triwulan": "I", "periode_bulan": "03"}, "2024-03-01", "2024-03-31"),
])
def test_reporting_period(period, start, end):
    g, ref = _graph_of({"tahun_kegiatan": "2024", **period})

    node = g.value(ref, DCTERMS.temporal)
    assert (str(g.value(node, DCAT.startDate)), str(g.value(node, DCAT.endDate))) == (start, end)


@pytest.mark.usefixtures("with_plugins")
def test_agency_contact_is_used_without_a_person_in_charge():
    g, ref = _graph_of({"email_instansi": "dinkes@pasuruankab.go.id",
                        "telepon_instansi": "0343-123456",
                        "organization": {"id": "o1", "name": "dinkes", "title": "Dinas Kesehatan"}})

    contact = g.value(ref, DCAT.contactPoint)
    assert str(g.value(contact, VCARD.fn)) == "Dinas Kesehatan"
    assert g.value(contact, VCARD.hasEmail) == URIRef("mailto:dinkes@pasuruankab.go.id")
    assert g.value(contact, VCARD.hasTelephone) == URIRef("tel:+62343123456")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_page_embeds_the_json_ld_dcat_would_make(app):
    import re

    from ckanext.dcat.helpers import structured_data as dcat_structured_data

    from ckanext.satudata import jsonld

    dataset = _quarterly_survey(factories.Organization(title="Dinas Kesehatan"))

    headers = _sysadmin_headers()

    def embedded_name() -> str:
        body = app.get(f"/dataset/{dataset['name']}", headers=headers).body
        embedded = json.loads(re.search(
            r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))
        (node,) = [n for n in embedded["@graph"] if n.get("@type") == "schema:Dataset"]
        return node["schema:name"]

    assert embedded_name() == "Sebaran Posyandu per Kecamatan"
    assert embedded_name() == "Sebaran Posyandu per Kecamatan"
    # An edit shows at once (the kept JSON-LD is keyed by the dataset's content).
    admin = factories.Sysadmin()
    tk.get_action("package_patch")({"user": admin["name"]}, {
        "id": dataset["id"], "title": "Sebaran Posyandu Aktif"})
    assert embedded_name() == "Sebaran Posyandu Aktif"

    with app.flask_app.test_request_context():
        shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset["id"]})
        ours = jsonld.structured_data(dcat_structured_data, shown)
        theirs = dcat_structured_data(shown)
    # The same graph (blank node names differ from run to run).
    assert isomorphic(rdflib.Graph().parse(data=ours, format="json-ld"),
                      rdflib.Graph().parse(data=theirs, format="json-ld"))
    assert "Sebaran Posyandu per Kecamatan" in ours
