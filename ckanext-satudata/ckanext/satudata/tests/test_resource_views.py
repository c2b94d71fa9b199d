"""Units of the chart and map resource views (resource_views/chart.py, geojson.py)."""
from __future__ import annotations

import pytest

from ckanext.satudata.resource_views import chart, geojson


def _fields(*specs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"id": i, "label": i, "kind": k} for i, k in specs]


@pytest.mark.parametrize(("fields", "expected"), [
    # The demo's tables: code, name, then amounts.
    (_fields(("kode_kecamatan", "text"), ("kecamatan", "text"), ("jumlah", "number")),
     ("kecamatan", ["jumlah"])),
    # A year column is not the amount; an id is not the name.
    (_fields(("id", "text"), ("desa", "text"), ("tahun", "number"), ("luas_ha", "number")),
     ("desa", ["luas_ha"])),
    # Only codes: the first of them.
    (_fields(("kode", "text"), ("tahun", "number")), ("kode", ["tahun"])),
    # No text column: rows are numbered.
    (_fields(("nilai", "number"),), (None, ["nilai"])),
    (_fields(("nama", "text"),), ("nama", [])),
])
def test_default_columns(fields, expected):
    assert chart.choose_defaults(fields) == expected


def test_saved_columns_win_unless_the_table_lost_them():
    fields = _fields(("kode", "text"), ("kecamatan", "text"), ("a", "number"), ("b", "number"))
    assert chart._configured({"category_field": "kode", "value_fields": ["b", "a"],
                              "chart_type": "line"}, fields) == ("kode", ["b", "a"], "line")
    # A column that is gone, a text column as a value, an unknown type: the defaults.
    assert chart._configured({"category_field": "hilang", "value_fields": "kecamatan,x",
                              "chart_type": "pie3d"}, fields) == ("kecamatan", ["a"], "bar")


@pytest.mark.parametrize(("value", "expected"), [
    (None, []), ("", []), ("a", ["a"]), ("a, b,", ["a", "b"]), (["a", " b "], ["a", "b"]),
])
def test_value_fields_from_the_form(value, expected):
    assert chart.value_fields_list(value) == expected


@pytest.mark.parametrize(("value", "kind", "expected"), [
    ("12", "number", 12), ("12.50", "number", 12.5), (3, "number", 3), (None, "number", None),
    ("NaN", "number", None), ("abc", "number", None), (True, "number", 1),
    (35, "text", "35"), ("", "text", None),
])
def test_cells(value, kind, expected):
    assert chart._cell(value, kind) == expected


def test_the_table_beside_the_chart_has_the_chosen_columns_in_order():
    data = chart.ChartData(fields=_fields(("kode", "text"), ("nama", "text"), ("a", "number"),
                                          ("b", "number")),
                           rows=[["01", "Bangil", 1, 2], ["02", "Beji", None, 4]],
                           category="nama", values=["b", "a"])
    assert data.table() == {"header": ["nama", "b", "a"],
                            "rows": [["Bangil", 2, 1], ["Beji", 4, None]]}
    assert data.payload()["limit"] == chart.ROW_LIMIT


@pytest.mark.parametrize(("resource", "expected"), [
    ({"format": "GeoJSON", "url": "x"}, True),
    ({"format": "application/geo+json", "url": "x"}, True),
    ({"format": "", "url": "https://contoh.go.id/peta/batas.GeoJSON?v=2"}, True),
    ({"format": "JSON", "url": "https://contoh.go.id/data.json"}, False),
    ({"format": "CSV", "url": "_datastore_only_resource"}, False),
    ({}, False),
])
def test_which_resources_get_a_map(resource, expected):
    assert geojson.is_geojson(resource) is expected


@pytest.mark.ckan_config("ckan.site_url", "https://satudata.pasuruankab.go.id")
@pytest.mark.parametrize(("url", "expected"), [
    ("https://satudata.pasuruankab.go.id/dataset/a/resource/b/download/x.geojson",
     "/dataset/a/resource/b/download/x.geojson"),
    ("https://SATUDATA.pasuruankab.go.id/geo/x.geojson?v=1", "/geo/x.geojson?v=1"),
    ("/dataset/a/resource/b/download/x.geojson", "/dataset/a/resource/b/download/x.geojson"),
    ("http://satudata.pasuruankab.go.id/geo/x.geojson", None),  # another origin (scheme)
    ("https://satudata.pasuruankab.go.id.evil.example/x.geojson", None),
    ("//evil.example/x.geojson", None),
    ("javascript:alert(1)", None),
    ("batas.geojson", None),
    ("", None),
])
def test_only_same_origin_paths_are_fetched(url, expected):
    assert geojson.same_origin_path(url) == expected
