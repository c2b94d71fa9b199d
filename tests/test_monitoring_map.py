"""The monitoring's thematic map (issue 13): `ckan satudata wilayah import-batas` (GeoJSON
and zipped Shapefile, all or nothing, idempotent), the public boundaries route and the
map on /monitoring, whose figures keep /monitoring's access rules.

The fixture tests/data/batas_kecamatan_pasuruan.geojson has rough (not official)
polygons of three real kecamatan: Purwodadi (35.14.01, a Polygon with 80 nearly
collinear points on one edge), Tutur (35.14.02, a MultiPolygon) and Puspo (by its BPS
code 3514030, a number)."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import shapefile
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.satudata import wilayah, wilayah_import
from ckanext.satudata.batas import importer
from ckanext.satudata.batas.model import WilayahBatas
from ckanext.satudata.batas.simplify import simplify_geometry
from ckanext.verifikasi.tests.world import make_world

FIXTURE = Path(__file__).resolve().parent / "data" / "batas_kecamatan_pasuruan.geojson"
WGS84_PRJ = ('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,'
             '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')
UTM_PRJ = ('PROJCS["WGS_1984_UTM_Zone_49S",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",'
           'SPHEROID["WGS_1984",6378137.0,298.257223563]]],PROJECTION["Transverse_Mercator"]]')

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _table() -> list[tuple]:
    return [tuple(r) for r in model.Session.execute(sa.select(
        WilayahBatas.kode_kemendagri, WilayahBatas.tingkat, WilayahBatas.geojson,
        WilayahBatas.geojson_simplified, WilayahBatas.source_file, WilayahBatas.imported_at)
        .order_by(WilayahBatas.kode_kemendagri))]


def _collection() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict, name: str = "batas.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_fixture_uses_real_kecamatan_codes():
    kecamatan = {w.kode_kemendagri: w for w in wilayah.kecamatan()}
    assert kecamatan["35.14.01"].nama == "Purwodadi"
    assert kecamatan["35.14.02"].nama == "Tutur"
    assert kecamatan["35.14.03"].kode_bps == "3514030"


def test_geojson_import_stores_each_boundary_under_its_kemendagri_code(with_request_context):
    summary = importer.import_file(FIXTURE)

    assert (summary.read, summary.inserted, summary.updated, summary.unchanged) == (3, 3, 0, 0)
    rows = _table()
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("35.14.01", "kecamatan", FIXTURE.name), ("35.14.02", "kecamatan", FIXTURE.name),
        ("35.14.03", "kecamatan", FIXTURE.name)]
    source = _collection()["features"]
    # Stored as given (2D), the Puspo feature found by its BPS code.
    assert json.loads(rows[0][2]) == source[0]["geometry"]
    assert json.loads(rows[1][2]) == source[1]["geometry"]
    assert json.loads(rows[2][2]) == source[2]["geometry"]
    # Simplified for display: the wobbly edge of Purwodadi (1 m off a straight line)
    # loses its points, the corners stay; squares are kept as they are.
    purwodadi = json.loads(rows[0][3])
    assert purwodadi["type"] == "Polygon"
    assert purwodadi["coordinates"][0] == [[112.7, -7.8], [112.78, -7.8], [112.78, -7.74],
                                           [112.7, -7.74], [112.7, -7.8]]
    assert json.loads(rows[1][3]) == source[1]["geometry"]


def test_simplification_is_deterministic_and_never_drops_an_outer_ring():
    geometry = _collection()["features"][0]["geometry"]
    assert simplify_geometry(geometry) == simplify_geometry(geometry)
    tiny = {"type": "MultiPolygon", "coordinates": [
        [[[112.0, -7.0], [112.00001, -7.0], [112.00001, -7.00001], [112.000005, -7.000012],
          [112.0, -7.00001], [112.0, -7.0]]]]}
    assert len(simplify_geometry(tiny)["coordinates"][0][0]) == 6


def test_reimport_changes_nothing(cli, with_request_context):
    assert cli.invoke(ckan, ["satudata", "wilayah", "import-batas", str(FIXTURE)]).exit_code == 0
    before = _table()

    result = cli.invoke(ckan, ["satudata", "wilayah", "import-batas", str(FIXTURE)])

    assert result.exit_code == 0, result.output
    summary = importer.import_file(FIXTURE)
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 0, 3)
    assert _table() == before  # imported_at included


def test_changed_geometry_replaces_the_stored_one(tmp_path, with_request_context):
    importer.import_file(FIXTURE)
    data = _collection()
    data["features"] = data["features"][2:]
    data["features"][0]["geometry"]["coordinates"][0][1] = [112.95, -7.82]
    summary = importer.import_file(_write(tmp_path, data, "puspo-baru.geojson"))
    assert (summary.read, summary.updated) == (1, 1)
    rows = {r[0]: r for r in _table()}
    assert json.loads(rows["35.14.03"][2])["coordinates"][0][1] == [112.95, -7.82]
    assert rows["35.14.03"][4] == "puspo-baru.geojson"
    assert rows["35.14.01"][4] == FIXTURE.name  # not in the file: kept


def test_one_bad_feature_imports_nothing_and_names_it(cli, tmp_path, with_request_context):
    importer.import_file(FIXTURE)
    before = _table()
    data = _collection()
    data["features"][1]["geometry"]["coordinates"][0][0][2] = [712345.0, 9134567.0]
    data["features"][2]["properties"]["kode"] = "35.14.01"  # Purwodadi again
    data["features"][0]["geometry"]["coordinates"][0][0] = [112.5, -7.8]  # ring not closed
    path = _write(tmp_path, data)

    with pytest.raises(importer.InvalidFile) as refused:
        importer.read(path)
    problems = [(p.feature, p.params) for p in refused.value.problems]
    assert problems == [
        (1, {"polygon": 1, "ring": 1}),
        (2, {"polygon": 1, "ring": 1, "point": 3, "lon": 712345.0, "lat": 9134567.0}),
        (3, {"code": "35.14.01", "name": "Purwodadi", "first": 1}),
    ]
    result = cli.invoke(ckan, ["satudata", "wilayah", "import-batas", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "712345" in line]
    assert len(lines) == 1 and " 2:" in lines[0], result.output
    assert _table() == before


@pytest.mark.parametrize(("change", "expected"), [
    (lambda f: f["properties"].pop("kode"), {"property": "kode", "properties": "nama"}),
    (lambda f: f["properties"].update(kode="35.14.99"), {"code": "35.14.99"}),
    (lambda f: f["properties"].update(kode="3514999"), {"code": "3514999"}),
    (lambda f: f["properties"].update(kode="35.14.01.2001"), {"code": "35.14.01.2001"}),
    (lambda f: f["properties"].update(kode="Purwodadi"), {"code": "Purwodadi"}),
    (lambda f: f.update(geometry={"type": "LineString", "coordinates": [[112, -7], [113, -7]]}),
     {"type": "LineString"}),
    (lambda f: f.update(geometry=None), {}),
    (lambda f: f["geometry"]["coordinates"][0].__setitem__(1, ["x", -7.8]),
     {"polygon": 1, "ring": 1, "point": 2}),
])
def test_each_problem_names_the_feature(tmp_path, change, expected, with_request_context):
    data = _collection()
    change(data["features"][2])
    with pytest.raises(importer.InvalidFile) as refused:
        importer.import_file(_write(tmp_path, data))
    assert [(p.feature, p.params) for p in refused.value.problems] == [(3, expected)]
    assert refused.value.problems[0].render()
    assert _table() == []


def _shapefile_zip(tmp_path: Path, records: list[tuple[object, list]], prj: str = WGS84_PRJ,
                   field: str = "KDCPUM") -> Path:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON) as w:
        w.field(field, "C", size=20)
        w.field("NAMOBJ", "C", size=50)
        for code, rings in records:
            w.poly(rings)
            w.record(code, "wilayah")
    path = tmp_path / "batas_kecamatan.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("BATAS_KECAMATAN/batas.shp", shp.getvalue())
        z.writestr("BATAS_KECAMATAN/batas.shx", shx.getvalue())
        z.writestr("BATAS_KECAMATAN/batas.dbf", dbf.getvalue())
        z.writestr("BATAS_KECAMATAN/batas.prj", prj)
        z.writestr("BATAS_KECAMATAN/batas.cpg", "UTF-8")
    return path


# Shapefile rings run clockwise (outer); pyshp gives them back as GeoJSON.
_SQUARE = [[112.86, -7.82], [112.86, -7.74], [112.94, -7.74], [112.94, -7.82], [112.86, -7.82]]
_SQUARE2 = [[112.70, -7.80], [112.70, -7.74], [112.78, -7.74], [112.78, -7.80], [112.70, -7.80]]


def test_zipped_shapefile_built_with_pyshp(cli, tmp_path, with_request_context):
    path = _shapefile_zip(tmp_path, [("35.14.03", [_SQUARE]), ("3514010", [_SQUARE2])])

    result = cli.invoke(ckan, ["satudata", "wilayah", "import-batas", str(path),
                               "--code-property", "kdcpum"])

    assert result.exit_code == 0, result.output
    rows = {r[0]: r for r in _table()}
    assert set(rows) == {"35.14.01", "35.14.03"}
    puspo = json.loads(rows["35.14.03"][2])
    assert puspo["type"] == "Polygon"
    assert sorted(map(tuple, puspo["coordinates"][0])) == sorted(map(tuple, _SQUARE))
    assert rows["35.14.03"][4] == "batas_kecamatan.zip"
    summary = importer.import_file(path, "KDCPUM")
    assert (summary.read, summary.unchanged) == (2, 2)


def test_projected_or_incomplete_shapefiles_are_refused(tmp_path, with_request_context):
    path = _shapefile_zip(tmp_path, [("35.14.03", [_SQUARE])], prj=UTM_PRJ)
    with pytest.raises(importer.InvalidFile) as refused:
        importer.import_file(path, "KDCPUM")
    assert [(p.feature, p.params) for p in refused.value.problems] == [
        (None, {"crs": "WGS_1984_UTM_Zone_49S"})]
    broken = tmp_path / "tanpa-dbf.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            if not name.endswith(".dbf"):
                dst.writestr(name, src.read(name))
    with pytest.raises(importer.InvalidFile) as refused:
        importer.import_file(broken, "KDCPUM")
    assert refused.value.problems[0].params["files"] == ".dbf"
    assert _table() == []


def test_files_over_50_mb_are_refused_before_reading(tmp_path, with_request_context):
    path = tmp_path / "besar.geojson"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024 + 1)
    with pytest.raises(importer.InvalidFile) as refused:
        importer.import_file(path)
    problem = refused.value.problems[0]
    assert (problem.feature, problem.params) == (None, {"size": "50,0", "limit": 50})
    assert "50" in problem.render()


@pytest.mark.parametrize(("name", "content", "params"), [
    ("batas.geojson", b"{bukan json", None),
    ("batas.geojson", b'{"type": "Feature"}', {}),
    ("batas.geojson", json.dumps({"type": "FeatureCollection", "features": [],
                                  "crs": {"type": "name", "properties": {
                                      "name": "urn:ogc:def:crs:EPSG::32749"}}}).encode(),
     {"crs": "urn:ogc:def:crs:EPSG::32749"}),
    ("batas.geojson", b'{"type": "FeatureCollection", "features": []}', {}),
    ("batas.kml", b"<kml/>", {"suffix": ".kml"}),
    ("batas.zip", b"PK bukan zip", {}),
])
def test_file_level_problems(tmp_path, name, content, params, with_request_context):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(importer.InvalidFile) as refused:
        importer.import_file(path)
    [problem] = refused.value.problems
    assert problem.feature is None
    if params is not None:
        assert problem.params == params
    assert problem.render()
    assert _table() == []


def test_desa_boundaries_need_the_desa_in_the_region_table(tmp_path, with_request_context):
    desa = tmp_path / "desa.csv"
    desa.write_text("kode_kemendagri,kode_bps,nama,jenis\n"
                    "35.14.01.2001,3514010001,Dawuhansengon,desa\n", encoding="utf-8")
    wilayah_import.import_file(desa)
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"iddesa": "3514010001"},
         "geometry": {"type": "Polygon", "coordinates": [_SQUARE2]}},
        {"type": "Feature", "properties": {"iddesa": "35.14.01.2002"},
         "geometry": {"type": "Polygon", "coordinates": [_SQUARE]}}]}
    with pytest.raises(importer.InvalidFile) as refused:
        importer.import_file(_write(tmp_path, data), "iddesa")
    assert [(p.feature, p.params) for p in refused.value.problems] == [
        (2, {"code": "35.14.01.2002"})]
    data["features"].pop()
    importer.import_file(_write(tmp_path, data), "iddesa")
    assert [(r[0], r[1]) for r in _table()] == [("35.14.01.2001", "desa")]


# --- the page and the boundaries route -------------------------------------------------

def _world_with_coverage():
    world = make_world()
    published = world.dataset(title="Data terbit", wilayah=["35.14.01", "35.14.02"])
    world.publish(published["id"])
    return world


def _map(page: str) -> tuple[BeautifulSoup, dict | None]:
    soup = BeautifulSoup(page, "html.parser")
    data = soup.find("script", id="monitoring-map-data")
    return soup, json.loads(data.string) if data else None


def test_monitoring_shows_the_map_only_with_boundaries(app):
    with app.flask_app.test_request_context():
        world = _world_with_coverage()
    walidata = {"Authorization": world.users["walidata"]["token"]}

    soup, data = _map(app.get("/monitoring/", headers=walidata).body)
    assert data is None and soup.find(id="monitoring-map") is None
    assert soup.find(id="monitoring-map-missing") is not None
    assert soup.find("table", id="monitoring-kecamatan") is not None

    with app.flask_app.test_request_context():
        importer.import_file(FIXTURE)
    soup, data = _map(app.get("/monitoring/", headers=walidata).body)
    assert soup.find(id="monitoring-map") is not None
    assert soup.find(id="monitoring-map-missing") is None
    assert soup.find("table", id="monitoring-kecamatan") is not None  # beside the map
    assert soup.find(attrs={"data-module": "satudata-coverage-map"}) is not None
    assert data["url"] == "/monitoring/batas-kecamatan.geojson"
    figures = {r["kode"]: (r["specific"], r["total"]) for r in data["regions"]}
    assert len(figures) == 24
    assert figures.pop("35.14.01") == (1, 1) and figures.pop("35.14.02") == (1, 1)
    assert set(figures.values()) == {(0, 0)}
    caption = soup.find(id="monitoring-map").get_text(" ")
    assert "3" in caption and "24" in caption

    boundaries = app.get(data["url"])
    assert boundaries.status_code == 200
    assert boundaries.headers["Content-Type"].startswith("application/geo+json")
    collection = json.loads(boundaries.body)
    assert [(f["properties"]["kode"], f["properties"]["nama"])
            for f in collection["features"]] == [
        ("35.14.01", "Purwodadi"), ("35.14.02", "Tutur"), ("35.14.03", "Puspo")]
    assert collection["features"][1]["geometry"]["type"] == "MultiPolygon"
    again = app.get(data["url"], headers={"If-None-Match": boundaries.headers["ETag"]})
    assert again.status_code == 304


def test_map_figures_follow_the_monitoring_access_rules(app):
    with app.flask_app.test_request_context():
        world = _world_with_coverage()
        other = world.dataset(title="Data dinas lain", wilayah=["35.14.03"])
        call_action("package_patch", {"user": world.users["sysadmin"]["name"]},
                    id=other["id"], owner_org=world.other_opd["id"])
        # Through both stages, by the other OPD's people and the walidata.
        call_action("verifikasi_submit", world.context("other_operator"), id=other["id"])
        call_action("verifikasi_approve", world.context("other_verifikator"), id=other["id"])
        call_action("verifikasi_approve", world.context("walidata"), id=other["id"])
        importer.import_file(FIXTURE)

    def figures(who: str) -> dict:
        page = app.get("/monitoring/", headers={"Authorization": world.users[who]["token"]})
        assert page.status_code == 200, who
        return {r["kode"]: r["specific"] for r in _map(page.body)[1]["regions"]}

    assert (figures("walidata")["35.14.01"], figures("walidata")["35.14.03"]) == (1, 1)
    # The OPD's operator: the figures of their own OPD only, like the table.
    assert (figures("operator")["35.14.01"], figures("operator")["35.14.03"]) == (1, 0)
    assert (figures("other_operator")["35.14.01"],
            figures("other_operator")["35.14.03"]) == (0, 1)
    anonymous = app.get("/monitoring/", follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]
    for who in ("stranger", "surveyor"):
        refused = app.get("/monitoring/", headers={"Authorization": world.users[who]["token"]})
        assert refused.status_code == 403, who
        assert "monitoring-map-data" not in refused.body


def test_boundaries_route_is_public_and_carries_no_figures(app):
    with app.flask_app.test_request_context():
        world = _world_with_coverage()
        importer.import_file(FIXTURE)
    bodies = {}
    for who in ("anonymous", "stranger", "surveyor", "operator", "verifikator",
                "other_operator", "other_verifikator", "walidata", "sysadmin"):
        token = world.users[who].get("token") if who in world.users else None
        response = app.get("/monitoring/batas-kecamatan.geojson",
                           headers={"Authorization": token} if token else {})
        assert response.status_code == 200, who
        bodies[who] = response.body
    assert len(set(bodies.values())) == 1
    feature = json.loads(bodies["anonymous"])["features"][0]
    assert set(feature["properties"]) == {"kode", "nama"}


def test_boundaries_route_without_boundaries_is_an_empty_collection(app):
    response = app.get("/monitoring/batas-kecamatan.geojson")
    assert response.status_code == 200
    assert json.loads(response.body) == {"type": "FeatureCollection", "features": []}
