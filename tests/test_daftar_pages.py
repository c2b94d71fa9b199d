"""Walidata's Daftar Data pages (issue 12): `/daftar-data` for every role, the entry page,
the create/edit forms as a browser posts them (CSRF token, session cookie), the import
(upload, every-error dry run, apply) and the xlsx template, which round-trips through
the importer because both are built from `importer.COLUMNS`."""
from __future__ import annotations

import io
import uuid
from typing import Any

import openpyxl
import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action
from werkzeug.datastructures import FileStorage, MultiDict

from ckanext.satudata.daftar import importer
from ckanext.satudata.daftar import template as daftar_template
from ckanext.verifikasi.tests.world import make_world

YEAR = 2025


@pytest.fixture
def world(with_plugins, clean_db, clean_index, with_request_context):
    return make_world()


@pytest.fixture
def web(make_app):
    return make_app()


def _entry(world, where: str = "opd", title: str | None = None) -> dict[str, Any]:
    return call_action("satudata_daftar_data_create", world.context("walidata"),
                       year=YEAR, organization=getattr(world, where)["id"],
                       title=title or f"Data {uuid.uuid4().hex[:10]}", kategori="DATA_DASAR",
                       sektor="KESEHATAN", frequency="tahunan", prioritas=True,
                       periods=[{"period": "Y", "planned": f"{YEAR}-06-30"}])


def _get(web, who: str | None, world, url: str, **kw: Any):
    environ = {"REMOTE_USER": world.users[who]["name"]} if who else {}
    return web.get(url, extra_environ=environ, follow_redirects=False, **kw)


def _form(body: str, form_id: str) -> list[tuple[str, str]]:
    form = BeautifulSoup(body, "html.parser").find("form", id=form_id)
    assert form is not None, body[:3000]
    fields = []
    for element in form.find_all(["input", "select"]):
        name = element.get("name")
        if not name or element.get("type") in ("file", "radio", "checkbox"):
            continue
        if element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            fields.append((name, chosen.get("value", "") if chosen else ""))
        else:
            fields.append((name, element.get("value", "")))
    return fields


def _post(client, world, who: str, page_url: str, form_id: str, changes: dict[str, Any],
          url: str | None = None, files: dict[str, Any] | None = None):
    environ = {"REMOTE_USER": world.users[who]["name"]}
    page = client.get(page_url, extra_environ=environ)
    assert page.status_code == 200, page.body[:2000]
    fields = dict(_form(page.body, form_id))
    fields.update(changes)
    data: Any = MultiDict(list(fields.items()))
    for name, value in (files or {}).items():
        data[name] = value
    return client.post(url or page_url, data=data, extra_environ=environ,
                       follow_redirects=False)


def test_list_page_for_every_role(world, web):
    own, foreign = _entry(world), _entry(world, "other_opd")
    response = _get(web, None, world, "/daftar-data")
    assert response.status_code == 302 and "/user/login" in response.headers["Location"]
    for who in ("stranger", "surveyor"):
        if who in world.users:
            assert _get(web, who, world, "/daftar-data").status_code == 403
    for who, sees, hidden in (("operator", own, foreign), ("verifikator", own, foreign),
                              ("other_operator", foreign, own)):
        body = _get(web, who, world, f"/daftar-data?tahun={YEAR}").body
        assert sees["title"] in body and hidden["title"] not in body
        assert "/daftar-data/baru" not in body
    for who in ("walidata",):
        body = _get(web, who, world, f"/daftar-data?tahun={YEAR}").body
        assert own["title"] in body and foreign["title"] in body
        assert "/daftar-data/baru" in body
    # Filters: the OPD, and a status no entry has.
    body = _get(web, "walidata", world,
                f"/daftar-data?tahun={YEAR}&organization={world.other_opd['name']}").body
    assert foreign["title"] in body and own["title"] not in body
    body = _get(web, "walidata", world,
                f"/daftar-data?tahun={YEAR}&status=rilis_tepat_waktu").body
    assert own["title"] not in body


def test_navigation_link_for_staff_only(world, web):
    assert 'href="/daftar-data"' in _get(web, "walidata", world, "/dataset/").body
    assert 'href="/daftar-data"' in _get(web, "operator", world, "/dataset/").body
    assert 'href="/daftar-data"' not in _get(web, "surveyor", world, "/dataset/").body
    assert 'href="/daftar-data"' not in _get(web, None, world, "/dataset/").body


def test_entry_page_and_forms_by_role(world, web):
    own, foreign = _entry(world), _entry(world, "other_opd")
    assert _get(web, "operator", world, f"/daftar-data/{own['id']}").status_code == 200
    assert _get(web, "operator", world, f"/daftar-data/{foreign['id']}").status_code == 403
    assert _get(web, None, world, f"/daftar-data/{own['id']}").status_code == 302
    assert _get(web, "walidata", world, "/daftar-data/tidak-ada").status_code == 404
    for url in ("/daftar-data/baru", f"/daftar-data/{own['id']}/ubah", "/daftar-data/impor"):
        assert _get(web, "operator", world, url).status_code == 403, url
        assert _get(web, "walidata", world, url).status_code == 200, url
    body = _get(web, "operator", world, f"/daftar-data/{own['id']}").body
    assert "daftar-revise" in body and "/ubah" not in body


def test_create_and_edit_through_the_forms(world, web):
    client = web.test_client()
    response = _post(client, world, "walidata", "/daftar-data/baru", "daftar-form", {
        "year": str(YEAR), "organization": world.opd["id"], "title": "Jumlah Puskesmas",
        "kategori": "DATA_DASAR", "sektor": "KESEHATAN", "frequency": "triwulanan",
        "planned-Q1": f"{YEAR}-04-10", "planned-Q2": f"{YEAR}-07-10",
        "planned-Q3": f"{YEAR}-10-10", "planned-Q4": f"{YEAR}-12-20", "prioritas": "on"})
    assert response.status_code == 302, response.body[:3000]
    found = call_action("satudata_daftar_data_list", world.context("walidata"), year=YEAR)
    entry = next(e for e in found["results"] if e["title"] == "Jumlah Puskesmas")
    assert entry["prioritas"] is True
    assert [p["planned"] for p in entry["periods"]][-1] == f"{YEAR}-12-20"
    # A date outside the year: the form comes back with the error, nothing written.
    response = _post(client, world, "walidata", "/daftar-data/baru", "daftar-form", {
        "year": str(YEAR), "organization": world.opd["id"], "title": "Data Salah",
        "kategori": "DATA_DASAR", "sektor": "KESEHATAN", "frequency": "tahunan",
        "planned-Y": f"{YEAR + 1}-01-10"})
    assert response.status_code == 200 and "daftar-form-errors" in response.body
    assert call_action("satudata_daftar_data_list", world.context("walidata"),
                       year=YEAR)["count"] == 1
    # Edit: the title and one date; the other dates are kept.
    url = f"/daftar-data/{entry['id']}/ubah"
    response = _post(client, world, "walidata", url, "daftar-form",
                     {"title": "Jumlah Puskesmas dan Pustu", "planned-Q4": f"{YEAR}-12-27"})
    assert response.status_code == 302, response.body[:3000]
    shown = call_action("satudata_daftar_data_show", world.context("walidata"), id=entry["id"])
    assert shown["title"] == "Jumlah Puskesmas dan Pustu"
    assert [p["planned"] for p in shown["periods"]] == [
        f"{YEAR}-04-10", f"{YEAR}-07-10", f"{YEAR}-10-10", f"{YEAR}-12-27"]


def _filled_template(rows: list[list[Any]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(daftar_template.workbook()))
    sheet = book[daftar_template.SHEET]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_template_round_trips_through_the_importer(world):
    book = openpyxl.load_workbook(io.BytesIO(daftar_template.workbook()))
    headers = [c.value for c in book[daftar_template.SHEET][1]]
    assert [h.rstrip("*") for h in headers] == [h for _, h, _ in importer.COLUMNS]
    assert "Petunjuk" in book.sheetnames
    data = _filled_template([
        [YEAR, world.opd["title"], "Jumlah Bidan", "DATA_DASAR", "KESEHATAN", "Ya",
         "semesteran", "Semester I", "30/06/2025", "BPS", None],
        [YEAR, world.opd["title"], "Jumlah Bidan", "DATA_DASAR", "KESEHATAN", "Ya",
         "semesteran", "Semester II", "20/12/2025", "BPS", None],
        [YEAR, world.other_opd["title"], "Jumlah Sekolah", "DATA_DASAR",
         "PENDIDIKAN_DAN_PELATIHAN", "Tidak", "tahunan", None, "15/11/2025", None, None],
    ])
    summary = call_action("satudata_daftar_data_import", world.context("walidata"), year=YEAR,
                          mode="all_or_nothing",
                          upload=FileStorage(io.BytesIO(data), filename="daftar.xlsx"))
    assert summary["errors"] == [] and summary["file_errors"] == []
    assert summary["entries_written"] == 2


def test_import_page_dry_run_then_apply(world, web):
    client = web.test_client()
    good = [YEAR, world.opd["title"], "Jumlah Kader", "DATA_DASAR", "KESEHATAN", "Ya",
            "tahunan", None, "30/09/2025", None, None]
    bad = [YEAR, "Dinas Tidak Ada", "Data Salah", "DATA_DASAR", "KESEHATAN", "Ya",
           "mingguan", None, "30/09/2026", None, None]
    data = _filled_template([good, bad])
    response = _post(client, world, "walidata", "/daftar-data/impor", "daftar-import-upload",
                     {"year": str(YEAR)},
                     files={"upload": (io.BytesIO(data), "daftar.xlsx")})
    assert response.status_code == 200, response.body[:3000]
    page = BeautifulSoup(response.body, "html.parser")
    errors = page.find(id="daftar-import-errors")
    assert errors is not None
    codes = {tr["data-code"] for tr in errors.find_all("tr", attrs={"data-code": True})}
    assert {"unknown_opd", "unknown_frequency", "planned_year"} <= codes
    assert call_action("satudata_daftar_data_list", world.context("walidata"))["count"] == 0
    apply = dict(_form(response.body, "daftar-import-apply"))
    environ = {"REMOTE_USER": world.users["walidata"]["name"]}
    # All or nothing: refused, nothing written, the summary still shown.
    response = client.post("/daftar-data/impor", data={**apply, "mode": "all_or_nothing"},
                           extra_environ=environ)
    assert response.status_code == 200 and "daftar-import-errors" in response.body
    assert call_action("satudata_daftar_data_list", world.context("walidata"))["count"] == 0
    # Valid rows only: the good entry is written.
    response = client.post("/daftar-data/impor", data={**apply, "mode": "valid_only"},
                           extra_environ=environ)
    assert "daftar-import-applied" in response.body, response.body[:3000]
    found = call_action("satudata_daftar_data_list", world.context("walidata"))
    assert [e["title"] for e in found["results"]] == ["Jumlah Kader"]
    # Another user cannot apply the walidata's upload (it is gone anyway after applying).
    assert client.post("/daftar-data/impor", data={**apply, "mode": "valid_only"},
                       extra_environ={"REMOTE_USER": world.users["operator"]["name"]}
                       ).status_code == 403


def test_template_download(world, web):
    response = _get(web, "walidata", world, "/daftar-data/template.xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["Content-Type"]
    openpyxl.load_workbook(io.BytesIO(response.data))
    assert _get(web, None, world, "/daftar-data/template.xlsx").status_code == 302
    assert _get(web, "surveyor", world, "/daftar-data/template.xlsx").status_code == 403
