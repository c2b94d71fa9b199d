"""The data input pages, requested as the world's users (API tokens, see
ckanext-verifikasi's test_pages for why a second app instance is used)."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def web(make_app):
    return make_app()


@pytest.fixture
def world():
    return make_world()


def _headers(world, who):
    return {"Authorization": world.users[who]["token"]} if who else {}


def _get(web, world, who, url, status=200):
    res = web.get(url, headers=_headers(world, who), follow_redirects=False)
    assert res.status_code == status, (res.status_code, res.body[:1500])
    return res


def _post(web, world, who, url, data, status=302, **kw):
    res = web.post(url, data=data, headers=_headers(world, who), follow_redirects=False, **kw)
    assert res.status_code == status, (res.status_code, res.body[:3000])
    return res


STRUCTURE_FORM = {
    "title": "Tenaga kesehatan per kecamatan", "frequency": "tahunan",
    "col-0-id": "kecamatan", "col-0-label": "Kecamatan", "col-0-tipe_data": "CHARACTER",
    "col-0-key": "1",
    "col-1-id": "jumlah", "col-1-label": "Jumlah", "col-1-tipe_data": "INTEGER",
    "col-1-satuan": "orang", "col-1-required": "1",
    "col-2-id": "jenis", "col-2-label": "Jenis", "col-2-tipe_data": "CHARACTER",
    "col-2-value_domain": "D=Dokter\nB=Bidan",
    "col-3-id": "", "col-3-label": "",
}


def test_operator_builds_a_package_and_imports_a_file(web, world):
    dataset = world.dataset()
    base = f"/dataset/{dataset['name']}/input"
    assert f'href="{base}/new"' in _get(web, world, "operator", base).body
    res = _post(web, world, "operator", f"{base}/new", STRUCTURE_FORM)
    input_id = re.search(r"/input/([0-9a-f-]{36})", res.headers["Location"]).group(1)
    page = _get(web, world, "operator", f"{base}/{input_id}").body
    assert "Tenaga kesehatan per kecamatan" in page and 'id="satudata-upload"' in page

    template = _get(web, world, "operator", f"{base}/{input_id}/template.xlsx?period=2025")
    book = openpyxl.load_workbook(io.BytesIO(template.data))
    data_sheet = book.worksheets[0]
    headers = [c.value for c in next(data_sheet.iter_rows(max_row=1))]
    assert headers[:3] == ["Kecamatan *", "Jumlah (orang) *", "Jenis"], headers
    data_sheet.append(["Bangil", "1.250", "D"])
    data_sheet.append(["Beji", "banyak", "X"])
    out = io.BytesIO()
    book.save(out)

    res = _post(web, world, "operator", f"{base}/{input_id}/upload",
                {"period": "2025", "upload": (io.BytesIO(out.getvalue()), "isian.xlsx")})
    summary_url = res.headers["Location"]
    summary = _get(web, world, "operator", summary_url).body
    assert 'data-count="rows_read">2<' in summary
    assert 'data-count="rows_rejected">1<' in summary
    assert "banyak" in summary and 'id="satudata-import-errors"' in summary
    # All or nothing refuses; valid rows only writes the good row.
    refused = _post(web, world, "operator", summary_url, {"mode": "all_or_nothing"},
                    status=200)
    assert "satudata-form-errors" in refused.body
    _post(web, world, "operator", summary_url, {"mode": "valid_only"})
    rows = call_action("satudata_input_rows_list", world.context("operator"), id=input_id,
                       period="2025")["rows"]
    assert [(r["kecamatan"], r["jumlah"], r["jenis"]) for r in rows] == [("Bangil", "1250", "D")]


def test_entry_form_shows_each_bad_cell_and_keeps_what_was_typed(web, world):
    dataset = world.dataset()
    pkg = call_action("satudata_input_package_create", world.context("operator"),
                      package_id=dataset["id"], title="T", frequency="triwulanan",
                      columns=[{"id": "kode", "label": "Kode", "key": True},
                               {"id": "nilai", "label": "Nilai", "tipe_data": "DECIMAL"}])
    url = f"/dataset/{dataset['name']}/input/{pkg['id']}/rows?period=2025-T2"
    body = _get(web, world, "operator", url).body
    assert "Triwulan II 2025" in body and 'name="r-0-kode"' in body
    res = _post(web, world, "operator", url, {
        "r-0-kode": "A01", "r-0-nilai": "1.234,5", "r-1-kode": "A02", "r-1-nilai": "dua"},
        status=200)
    assert 'value="dua"' in res.body and "is-invalid" in res.body
    assert call_action("satudata_input_package_show", world.context("operator"),
                       id=pkg["id"])["periods"] == {}
    _post(web, world, "operator", url, {"r-0-kode": "A01", "r-0-nilai": "1.234,5"})
    assert call_action("satudata_input_rows_list", world.context("operator"), id=pkg["id"],
                       period="2025-T2")["rows"][0]["nilai"] == "1234.5"


@pytest.mark.parametrize("who,status", [
    ("verifikator", 200), ("walidata", 200), ("surveyor", 200), ("other_operator", 403),
    ("stranger", 403), (None, 302)])
def test_who_sees_the_input_pages(web, world, who, status):
    dataset = world.dataset()
    pkg = call_action("satudata_input_package_create", world.context("operator"),
                      package_id=dataset["id"], title="T", frequency="tahunan",
                      columns=[{"id": "kode", "label": "Kode"}])
    for url in (f"/dataset/{dataset['name']}/input/{pkg['id']}",
                f"/dataset/{dataset['name']}/input/{pkg['id']}/staging"):
        res = _get(web, world, who, url, status=status)
        if status == 200:
            assert 'id="satudata-upload"' not in res.body  # read-only for them
        if status == 302:
            assert "/user/login" in res.headers["Location"]
    _post(web, world, who if who else None, f"/dataset/{dataset['name']}/input/{pkg['id']}/rows"
          "?period=2025", {"r-0-kode": "X"}, status=403 if who else 302)


def test_survey_form_on_a_phone_sized_page(web, world):
    dataset = world.dataset()
    pkg = call_action("satudata_input_package_create", world.context("operator"),
                      package_id=dataset["id"], title="Posyandu", frequency="tahunan",
                      columns=[{"id": "nama", "label": "Nama Posyandu", "required": True},
                               {"id": "kader", "label": "Jumlah kader", "tipe_data": "INTEGER"}])
    link = call_action("satudata_survey_link_create", world.context("operator"), id=pkg["id"],
                       period="2025", title="Pendataan Posyandu 2025")
    url = f"/isian/{link['token']}"
    # A browser: the session cookie and CSRF token of the form it was shown.
    browser = web.test_client(use_cookies=True)
    body = browser.get(url).body
    assert "Pendataan Posyandu 2025" in body and 'name="kader"' in body
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', body).group(1)
    bad = browser.post(url, data={"nama": "", "kader": "lima", "_csrf_token": csrf})
    assert bad.status_code == 400 and bad.body.count("is-invalid") >= 2
    done = browser.post(url, data={"nama": "Melati", "kader": "5", "_csrf_token": csrf})
    assert done.status_code == 200
    assert 'id="satudata-survey-done"' in done.body
    call_action("satudata_survey_link_revoke", world.context("operator"), link_id=link["id"])
    _get(web, world, None, url, status=410)
