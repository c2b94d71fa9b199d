"""Malformed input answers 4xx naming the field, never 500: NUL bytes in upload file
names, non-numeric page/offset/limit arguments (issue 16, "Messages people can act on")."""
from __future__ import annotations

import io
import json

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

NUL_NAME = "data\x00.csv"
CSV = b"kecamatan,jumlah\nBangil,3\n"


@pytest.fixture
def web(make_app):
    return make_app()


@pytest.fixture
def world():
    return make_world()


def _headers(world, who):
    return {"Authorization": world.users[who]["token"]} if who else {}


def _input_package(world, dataset):
    return call_action("satudata_input_package_create", world.context("operator"),
                       package_id=dataset["id"], title="T", frequency="tahunan",
                       columns=[{"id": "kecamatan", "label": "Kecamatan", "key": True},
                                {"id": "jumlah", "label": "Jumlah", "tipe_data": "INTEGER"}])


# --- NUL bytes in upload file names ---------------------------------------------------

def test_a_nul_byte_in_an_api_upload_name_is_a_validation_error(web, world):
    dataset = world.dataset()
    res = web.post("/api/3/action/resource_create", headers=_headers(world, "operator"),
                   data={"package_id": dataset["id"], "name": "x",
                         "upload": (io.BytesIO(CSV), NUL_NAME)})
    assert res.status_code == 409, (res.status_code, res.body[:1500])
    error = json.loads(res.body)["error"]
    assert error["__type"] == "Validation Error" and "upload" in error, error
    assert not call_action("package_show", id=dataset["id"])["resources"]


def test_a_nul_byte_in_a_form_upload_name_is_400_naming_the_file(web, world):
    dataset = world.dataset()
    res = web.post(f"/dataset/{dataset['name']}/resource/new",
                   headers=_headers(world, "operator"), follow_redirects=False,
                   data={"id": "", "name": "data.csv", "save": "again",
                         "upload": (io.BytesIO(CSV), NUL_NAME)})
    assert res.status_code == 400, (res.status_code, res.body[:1500])
    assert "\x00" not in res.body and '"upload"' in res.body.replace("&#34;", '"')
    assert not call_action("package_show", id=dataset["id"])["resources"]


@pytest.mark.parametrize("field,fields", [
    ("name", {"name": NUL_NAME, "upload": (io.BytesIO(CSV), "data.csv")}),  # filled by the form
    ("url", {"name": "x", "url": "http://contoh.go.id/data\x00.csv"}),
])
def test_a_nul_byte_in_another_resource_field_is_a_validation_error(web, world, field, fields):
    dataset = world.dataset()
    res = web.post("/api/3/action/resource_create", headers=_headers(world, "operator"),
                   data={"package_id": dataset["id"], **fields})
    assert res.status_code == 409, (res.status_code, res.body[:1500])
    error = json.loads(res.body)["error"]
    assert error["__type"] == "Validation Error" and field in error, error
    form = web.post(f"/dataset/{dataset['name']}/resource/new",
                    headers=_headers(world, "operator"), follow_redirects=False,
                    data={"id": "", "save": "again", **{
                        k: (io.BytesIO(CSV), v[1]) if k == "upload" else v
                        for k, v in fields.items()}})
    assert form.status_code == 400, (form.status_code, form.body[:1500])
    assert not call_action("package_show", id=dataset["id"])["resources"]


def test_a_nul_byte_in_a_json_api_body_is_a_validation_error(web, world):
    dataset = world.dataset()
    res = web.post("/api/3/action/package_patch", headers=_headers(world, "operator"),
                   json={"id": dataset["id"], "notes": "baris\x00dua"})
    assert res.status_code == 409, (res.status_code, res.body[:1500])
    assert "notes" in json.loads(res.body)["error"]


def test_a_nul_byte_in_an_import_file_name_is_refused(web, world):
    dataset = world.dataset()
    pkg = _input_package(world, dataset)
    res = web.post(f"/dataset/{dataset['name']}/input/{pkg['id']}/upload",
                   headers=_headers(world, "operator"), follow_redirects=False,
                   data={"period": "2025", "upload": (io.BytesIO(CSV), "isian\x00.xlsx")})
    assert res.status_code == 400, (res.status_code, res.body[:1500])
    with pytest.raises(tk.ValidationError) as err:  # the action itself, called in-process
        call_action("satudata_input_import_check", world.context("operator"), id=pkg["id"],
                    period="2025", upload=_FileLike(CSV, "isian\x00.csv"))
    assert err.value.error_dict.get("upload"), err.value
    assert call_action("satudata_input_import_check", world.context("operator"), id=pkg["id"],
                       period="2025", upload=_FileLike(CSV, "isian.csv"))["summary"]


class _FileLike(io.BytesIO):
    def __init__(self, data: bytes, filename: str) -> None:
        super().__init__(data)
        self.filename = filename
        self.stream = self


# --- page, offset and limit arguments ----------------------------------------------------

def test_audit_page_with_a_non_numeric_offset_is_400(web, world):
    res = web.get("/verifikasi/audit?offset=abc", headers=_headers(world, "walidata"))
    assert res.status_code == 400, (res.status_code, res.body[:1500])
    assert "offset" in res.body
    assert web.get("/verifikasi/audit?offset=100",
                   headers=_headers(world, "walidata")).status_code == 200


@pytest.mark.parametrize("args", ["limit=abc", "offset=abc", "limit=-1"])
def test_audit_list_with_a_non_numeric_limit_is_a_validation_error(web, world, args):
    res = web.get(f"/api/3/action/verifikasi_audit_list?{args}",
                  headers=_headers(world, "walidata"))
    assert res.status_code == 409, (res.status_code, res.body[:1500])
    error = json.loads(res.body)["error"]
    assert error["__type"] == "Validation Error" and args.split("=")[0] in error, error


def test_rows_page_with_a_non_numeric_page_is_400(web, world):
    dataset = world.dataset()
    pkg = _input_package(world, dataset)
    url = f"/dataset/{dataset['name']}/input/{pkg['id']}/rows?period=2025"
    res = web.get(f"{url}&page=abc", headers=_headers(world, "operator"))
    assert res.status_code == 400, (res.status_code, res.body[:1500])
    assert "page" in res.body
    assert web.get(f"{url}&page=2", headers=_headers(world, "operator")).status_code == 200


@pytest.mark.parametrize("field", ["limit", "offset"])
def test_rows_list_with_a_non_numeric_limit_is_a_validation_error(web, world, field):
    dataset = world.dataset()
    pkg = _input_package(world, dataset)
    res = web.get(f"/api/3/action/satudata_input_rows_list?id={pkg['id']}&period=2025"
                  f"&{field}=abc", headers=_headers(world, "operator"))
    assert res.status_code == 409, (res.status_code, res.body[:1500])
    assert field in json.loads(res.body)["error"]


@pytest.mark.parametrize("url", ["/data-terbaru", "/jadwal-rilis"])
def test_public_pages_with_a_non_numeric_page_are_400(web, url):
    res = web.get(f"{url}?page=abc")
    assert res.status_code == 400, (res.status_code, res.body[:1500])
    assert "page" in res.body
    assert web.get(f"{url}?page=2").status_code == 200
