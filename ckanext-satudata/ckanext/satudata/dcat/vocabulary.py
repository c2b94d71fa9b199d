"""The vocabularies of the portal's DCAT-AP output: EU authority tables, the SDI namespace
and the mappings from SDI codes to DCAT-AP concepts (shared by serialising and parsing)."""
from __future__ import annotations

from rdflib import Namespace, URIRef

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
LESS_THAN_BIENNIAL = {"BIENNIAL", "TRIENNIAL", "QUADRENNIAL", "QUINQUENNIAL", "DECENNIAL",
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
