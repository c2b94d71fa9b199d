"""Table, chart and map previews of resources (issue 17, "Seeing the data").

A DataStore table gets the DataTables view and the chart view (plugin
satudata_chart_view) by itself; the chart page embeds the rows the viewer may read
(datastore_search as that viewer) and a table of the same numbers. A GeoJSON resource
gets the map view (satudata_map_view), which reads the file from the portal's own
download address and refuses what it cannot draw. Views of unpublished or restricted
data show nothing to those who may not read it. Structure, ids and numbers are asserted,
not translated text.
"""
from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import World, make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

KECAMATAN = [("35.14.01", "Purwodadi", 41, 7), ("35.14.02", "Tutur", 35, 5),
             ("35.14.03", "Puspo", 22, 3), ("35.14.04", "Tosari", 18, 2)]
FIELDS = [{"id": "kode_kecamatan", "type": "text", "info": {"label": "Kode Kecamatan"}},
          {"id": "kecamatan", "type": "text", "info": {"label": "Kecamatan"}},
          {"id": "jumlah_posyandu", "type": "int", "info": {"label": "Jumlah Posyandu"}},
          {"id": "jumlah_puskesmas", "type": "numeric"}]
GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"nama": "Bangil"},
     "geometry": {"type": "Polygon", "coordinates": [[[112.7, -7.6], [112.8, -7.6],
                                                      [112.8, -7.5], [112.7, -7.6]]]}},
    {"type": "Feature", "properties": {"nama": "Kantor Bupati"},
     "geometry": {"type": "Point", "coordinates": [112.78, -7.59]}}]}


@pytest.fixture
def world() -> World:
    return make_world()


def _environ(world: World, who: str | None) -> dict[str, str]:
    return {"REMOTE_USER": world.users[who]["name"]} if who else {}


def _table(world: World, klasifikasi: str = "terbuka", publish: bool = True) -> dict[str, Any]:
    dataset = world.dataset(klasifikasi, title="Jumlah Posyandu per Kecamatan")
    table = call_action(
        "datastore_create", world.context("operator"),
        resource={"package_id": dataset["id"], "name": "Posyandu 2025", "format": "CSV"},
        fields=FIELDS, primary_key=["kode_kecamatan"],
        records=[{"kode_kecamatan": k, "kecamatan": n, "jumlah_posyandu": p,
                  "jumlah_puskesmas": q} for k, n, p, q in KECAMATAN])
    if publish:
        world.publish(dataset["id"])
    return {"dataset": call_action("package_show", id=dataset["id"]),
            "resource_id": table["resource_id"]}


def _view(resource_id: str, view_type: str) -> dict[str, Any]:
    views = call_action("resource_view_list", id=resource_id)
    return next(v for v in views if v["view_type"] == view_type)


def _page(app, dataset: dict[str, Any], resource_id: str, who_environ: dict[str, str],
          view_id: str | None = None):
    url = f"/dataset/{dataset['name']}/resource/{resource_id}"
    if view_id:
        url += f"?view_id={view_id}"
    return app.get(url, extra_environ=who_environ)


def _embedded(body: str, element_id: str) -> dict[str, Any] | None:
    found = re.search(rf'<script type="application/json" id="{re.escape(element_id)}">(.*?)'
                      r"</script>", body, re.S)
    return json.loads(found.group(1)) if found else None


def _table_rows(body: str) -> list[list[str]]:
    table = re.search(r'<table class="[^"]*satudata-resource-chart-table[^"]*">(.*?)</table>',
                      body, re.S)
    assert table, "the table of the numbers is beside the chart"
    tbody = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S).group(1)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", tbody, re.S)]


def test_a_datastore_table_gets_the_table_and_the_chart_view(world):
    made = _table(world)
    types = [v["view_type"] for v in call_action("resource_view_list", id=made["resource_id"])]
    assert "datatables_view" in types and "satudata_chart_view" in types
    assert "satudata_map_view" not in types
    assert types.count("satudata_chart_view") == 1
    # Loading the table again (an update) adds no second chart.
    call_action("datastore_create", world.context("operator"), resource_id=made["resource_id"],
                fields=FIELDS, force=True)
    types = [v["view_type"] for v in call_action("resource_view_list", id=made["resource_id"])]
    assert types.count("satudata_chart_view") == 1 and types.count("datatables_view") == 1


def test_a_file_resource_without_a_table_gets_no_chart(world):
    dataset = world.dataset()
    res = call_action("resource_create", world.context("operator"), package_id=dataset["id"],
                      url="https://data.contoh.go.id/posyandu.csv", format="CSV", name="Tabel")
    types = [v["view_type"] for v in call_action("resource_view_list", id=res["id"])]
    assert "satudata_chart_view" not in types


def test_the_chart_page_embeds_the_rows_and_a_table_of_the_same_numbers(app, world):
    made = _table(world)
    view = _view(made["resource_id"], "satudata_chart_view")
    page = _page(app, made["dataset"], made["resource_id"], {}, view["id"])
    assert page.status_code == 200
    data = _embedded(page.body, f"satudata-chart-{view['id']}-data")
    assert data is not None, "the rows are in the page"
    ids = [f["id"] for f in data["fields"]]
    assert ids == ["kode_kecamatan", "kecamatan", "jumlah_posyandu", "jumlah_puskesmas"]
    assert [f["label"] for f in data["fields"]][:3] == ["Kode Kecamatan", "Kecamatan",
                                                         "Jumlah Posyandu"]
    assert data["rows"] == [list(row) for row in KECAMATAN]
    assert data["total"] == len(KECAMATAN)
    # The default: a bar chart of the first number column by kecamatan name (not code).
    assert (data["category"], data["values"], data["type"]) == (
        "kecamatan", ["jumlah_posyandu"], "bar")
    assert _table_rows(page.body) == [[n, str(p)] for _k, n, p, _q in KECAMATAN]
    assert 'data-module="satudata-resource-chart"' in page.body
    scripts = re.findall(r'src="([^"]*(?:resource-chart|echarts)[^"]*\.js)"', page.body)
    assert len(scripts) == 2, "ECharts and the chart module are served by the portal"
    for src in scripts:
        assert src.startswith("/"), src
        assert app.get(src).status_code == 200


def test_the_saved_configuration_of_the_view_sets_the_defaults(app, world):
    made = _table(world)
    view = _view(made["resource_id"], "satudata_chart_view")
    call_action("resource_view_update", world.context("operator"), id=view["id"],
                resource_id=made["resource_id"], title=view["title"], view_type=view["view_type"],
                category_field="kode_kecamatan",
                value_fields=["jumlah_puskesmas", "jumlah_posyandu"], chart_type="line")
    page = _page(app, made["dataset"], made["resource_id"], {}, view["id"])
    data = _embedded(page.body, f"satudata-chart-{view['id']}-data")
    assert (data["category"], data["values"], data["type"]) == (
        "kode_kecamatan", ["jumlah_puskesmas", "jumlah_posyandu"], "line")
    assert _table_rows(page.body) == [[k, str(q), str(p)] for k, _n, p, q in KECAMATAN]
    with pytest.raises(Exception, match="chart_type"):
        call_action("resource_view_update", world.context("operator"), id=view["id"],
                    resource_id=made["resource_id"], title=view["title"],
                    view_type=view["view_type"], chart_type="pie3d")


def test_a_table_over_the_row_limit_shows_its_first_rows_and_says_so(app, world):
    dataset = world.dataset()
    table = call_action(
        "datastore_create", world.context("operator"),
        resource={"package_id": dataset["id"], "name": "Besar", "format": "CSV"},
        fields=[{"id": "desa", "type": "text"}, {"id": "nilai", "type": "int"}],
        records=[{"desa": f"Desa {i}", "nilai": i} for i in range(520)])
    world.publish(dataset["id"])
    view = _view(table["resource_id"], "satudata_chart_view")
    page = _page(app, call_action("package_show", id=dataset["id"]), table["resource_id"], {},
                 view["id"])
    data = _embedded(page.body, f"satudata-chart-{view['id']}-data")
    assert len(data["rows"]) == 500 and data["total"] == 520
    assert data["rows"][-1] == ["Desa 499", 499]
    assert 'class="small text-muted satudata-chart-limit"' in page.body
    assert len(_table_rows(page.body)) == 500


#: Who sees the draft dataset's chart data (the owning OPD's team and the walidata).
DRAFT_READERS = {"sysadmin": True, "walidata": True, "operator": True, "verifikator": True,
                 "other_operator": False, "other_verifikator": False, "stranger": False,
                 None: False}


def test_views_of_an_unpublished_dataset_are_seen_by_its_team_only(app, world):
    made = _table(world, publish=False)
    view = _view(made["resource_id"], "satudata_chart_view")
    dataset = made["dataset"]
    for who, sees in DRAFT_READERS.items():
        for url in (f"/dataset/{dataset['name']}/resource/{made['resource_id']}",
                    f"/dataset/{dataset['name']}/resource/{made['resource_id']}"
                    f"/view/{view['id']}"):
            res = app.get(url, extra_environ=_environ(world, who))
            if sees:
                assert res.status_code == 200, (who, url)
            else:
                assert res.status_code in (403, 404), (who, url, res.status_code)
                assert "Purwodadi" not in res.body, (who, url)
        if sees:
            page = _page(app, dataset, made["resource_id"], _environ(world, who), view["id"])
            data = _embedded(page.body, f"satudata-chart-{view['id']}-data")
            assert data and len(data["rows"]) == len(KECAMATAN), who


def test_a_restricted_table_draws_no_chart_for_those_without_access(app, world):
    made = _table(world, klasifikasi="terbatas")
    view = _view(made["resource_id"], "satudata_chart_view")
    for who in (None, "stranger", "other_operator"):
        page = _page(app, made["dataset"], made["resource_id"], _environ(world, who), view["id"])
        if page.status_code != 200:
            assert page.status_code in (403, 404), who
            continue
        assert _embedded(page.body, f"satudata-chart-{view['id']}-data") is None, who
        assert "Purwodadi" not in page.body, who
        assert 'data-error="not_authorized"' in page.body, who
    page = _page(app, made["dataset"], made["resource_id"], _environ(world, "operator"),
                 view["id"])
    assert _embedded(page.body, f"satudata-chart-{view['id']}-data")["rows"][0][1] == "Purwodadi"


def _geojson_resource(world: World, create_with_upload, content: bytes | str,
                      klasifikasi: str = "terbuka", publish: bool = True):
    dataset = world.dataset(klasifikasi, title="Batas Kecamatan")
    res = create_with_upload(content, "batas.geojson", context=world.context("operator"),
                             package_id=dataset["id"], name="Batas", format="GeoJSON")
    if publish:
        world.publish(dataset["id"])
    return call_action("package_show", id=dataset["id"]), res


def _map_module(body: str) -> dict[str, str] | None:
    found = re.search(r'<div class="satudata-resource-map-canvas"([^>]*)>', body)
    if not found:
        return None
    return {k: html.unescape(v) for k, v in re.findall(r'data-module-([a-z-]+)="([^"]*)"',
                                                         found.group(1))}


def test_a_geojson_upload_gets_the_map_view_read_from_the_portal_itself(
        app, world, create_with_upload):
    dataset, res = _geojson_resource(world, create_with_upload, json.dumps(GEOJSON))
    types = [v["view_type"] for v in call_action("resource_view_list", id=res["id"])]
    assert "satudata_map_view" in types and "satudata_chart_view" not in types
    view = _view(res["id"], "satudata_map_view")
    page = _page(app, dataset, res["id"], {}, view["id"])
    assert page.status_code == 200
    module = _map_module(page.body)
    assert module, "the map is on the resource page"
    url = module["url"]
    assert url.startswith(f"/dataset/{dataset['id']}/resource/{res['id']}/download"), url
    assert int(module["max-bytes"]) == 5 * 1024 * 1024
    got = app.get(url)
    assert got.status_code == 200 and json.loads(got.body) == GEOJSON
    assert re.search(r'src="/[^"]*resource-map[^"]*\.js"', page.body)
    assert "leaflet" not in page.body.lower().split("satudata-resource-map", 1)[1][:3000]


def test_a_geojson_link_to_another_site_is_offered_as_a_download(app, world):
    dataset = world.dataset()
    res = call_action("resource_create", world.context("operator"), package_id=dataset["id"],
                      url="https://geo.contoh.go.id/batas.geojson", name="Batas")
    world.publish(dataset["id"])
    view = _view(res["id"], "satudata_map_view")
    page = _page(app, call_action("package_show", id=dataset["id"]), res["id"], {}, view["id"])
    assert _map_module(page.body) is None
    assert 'data-error="external"' in page.body
    assert 'href="https://geo.contoh.go.id/batas.geojson"' in page.body


def test_a_geojson_file_over_5_mb_is_refused_in_the_view(app, world, create_with_upload):
    big = json.dumps({"type": "FeatureCollection", "features": [], "pad": "x" * (5 * 2**20)})
    dataset, res = _geojson_resource(world, create_with_upload, big)
    view = _view(res["id"], "satudata_map_view")
    page = _page(app, dataset, res["id"], {}, view["id"])
    assert _map_module(page.body) is None
    assert 'data-error="too_large"' in page.body
    assert re.search(r'data-error="too_large">\s*\S[^<]*5 MB', page.body)


def test_a_restricted_geojson_is_not_drawn_for_those_without_access(
        app, world, create_with_upload):
    dataset, res = _geojson_resource(world, create_with_upload, json.dumps(GEOJSON),
                                     klasifikasi="terbatas")
    view = _view(res["id"], "satudata_map_view")
    for who in (None, "stranger"):
        page = _page(app, dataset, res["id"], _environ(world, who), view["id"])
        if page.status_code == 200:
            assert _map_module(page.body) is None, who
            assert 'data-error="restricted"' in page.body, who
        else:
            assert page.status_code in (403, 404), who
    page = _page(app, dataset, res["id"], _environ(world, "operator"), view["id"])
    assert _map_module(page.body)["url"].startswith(f"/dataset/{dataset['id']}/resource/")


def test_a_map_of_an_unpublished_dataset_is_not_shown_to_outsiders(
        app, world, create_with_upload):
    dataset, res = _geojson_resource(world, create_with_upload, json.dumps(GEOJSON),
                                     publish=False)
    view = _view(res["id"], "satudata_map_view")
    for who, sees in DRAFT_READERS.items():
        url = f"/dataset/{dataset['name']}/resource/{res['id']}/view/{view['id']}"
        status = app.get(url, extra_environ=_environ(world, who)).status_code
        assert (status == 200) if sees else status in (403, 404), (who, status)


def test_the_view_form_offers_the_table_columns_to_the_dataset_team(app, world):
    made = _table(world)
    view = _view(made["resource_id"], "satudata_chart_view")
    dataset = made["dataset"]
    url = f"/dataset/{dataset['name']}/resource/{made['resource_id']}/edit_view/{view['id']}"
    page = app.get(url, extra_environ=_environ(world, "operator"))
    assert page.status_code == 200
    form = page.body[page.body.index('id="field-category_field"'):]
    assert '<option value="kecamatan"' in form and '<option value="jumlah_posyandu"' in form
    assert 'id="field-value_fields"' in form and 'id="field-chart_type"' in form
    new = app.get(f"/dataset/{dataset['name']}/resource/{made['resource_id']}/new_view"
                  "?view_type=satudata_chart_view", extra_environ=_environ(world, "operator"))
    assert new.status_code == 200 and 'id="field-category_field"' in new.body
    for who in (None, "stranger", "other_operator"):
        assert app.get(url, extra_environ=_environ(world, who)).status_code in (403, 404), who
