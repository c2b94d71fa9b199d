"""DataStore downloads: spreadsheet formula injection is neutralised, access rules hold,
and downloads of restricted tables are audited."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.verifikasi.model import AuditEntry
from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

RECORDS = [{"kode": "=HYPERLINK(\"http://jahat.example\",\"klik\")", "jumlah": -5},
           {"kode": "@SUM(A1)", "jumlah": 7}, {"kode": "0164A", "jumlah": 0}]


def _published_table(world, klasifikasi):
    dataset = world.dataset(klasifikasi)
    table = call_action("datastore_create", world.context("operator"), resource={
        "package_id": dataset["id"], "name": "Tabel"}, fields=[
        {"id": "kode", "type": "text"}, {"id": "jumlah", "type": "int8"}],
        records=RECORDS, force=True)
    world.publish(dataset["id"])
    return table["resource_id"]


def _get(app, url, who=None, world=None, status=200):
    headers = {"Authorization": world.users[who]["token"]} if who else {}
    return app.get(url, headers=headers, status=status)


def test_csv_and_xlsx_neutralise_formulas_numbers_untouched(app):
    world = make_world()
    resource_id = _published_table(world, "terbuka")
    body = _get(app, f"/datastore/dump/{resource_id}?format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["_id", "kode", "jumlah"]
    assert [r[1:] for r in rows[1:]] == [
        ["'=HYPERLINK(\"http://jahat.example\",\"klik\")", "-5"], ["'@SUM(A1)", "7"],
        ["0164A", "0"]]
    tsv = _get(app, f"/datastore/dump/{resource_id}?format=tsv").get_data(as_text=True)
    assert "\t'@SUM(A1)\t" in tsv
    data = _get(app, f"/datastore/dump/{resource_id}?format=xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [c[1:] for c in cells] == [
        ("'=HYPERLINK(\"http://jahat.example\",\"klik\")", -5), ("'@SUM(A1)", 7),
        ("0164A", 0)]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # JSON is a machine format: values are returned exactly as stored.
    payload = json.loads(_get(app, f"/datastore/dump/{resource_id}?format=json").data)
    assert payload["records"][0][1] == RECORDS[0]["kode"]


def test_a_hidden_datasets_dump_is_not_found_for_outsiders(app):
    """A draft's or a published rahasia dataset's table: 404, the dataset's existence is
    not told; its team reads it."""
    world = make_world()
    secret = _published_table(world, "rahasia")
    draft = world.dataset("terbuka")
    draft_table = call_action(
        "datastore_create", {"user": world.users["sysadmin"]["name"]},
        resource={"package_id": draft["id"], "name": "Tabel", "format": "CSV"},
        fields=[{"id": "kode", "type": "text"}], records=[{"kode": "1"}])["resource_id"]
    for resource_id in (secret, draft_table):
        for who in (None, "stranger", "other_operator"):
            _get(app, f"/datastore/dump/{resource_id}?format=csv", who, world, status=404)
        _get(app, f"/datastore/dump/{resource_id}?format=csv", "verifikator", world)


def test_restricted_dump_needs_access_and_is_audited(app):
    world = make_world()
    resource_id = _published_table(world, "terbatas")
    for fmt in ("csv", "xlsx", "json"):  # a refusal (403), not a broken link (404)
        _get(app, f"/datastore/dump/{resource_id}?format={fmt}", status=403)
        _get(app, f"/datastore/dump/{resource_id}?format={fmt}", "stranger", world, status=403)
        _get(app, f"/datastore/dump/{resource_id}?format={fmt}", "other_operator", world,
             status=403)
    model.Session.query(AuditEntry).filter(AuditEntry.action == "download").delete()
    model.Session.commit()
    _get(app, f"/datastore/dump/{resource_id}?format=csv", "walidata", world)
    _get(app, f"/datastore/dump/{resource_id}?format=json", "verifikator", world)
    entries = model.Session.query(AuditEntry).filter(
        AuditEntry.action == "download", AuditEntry.object_id == resource_id).all()
    assert sorted(e.detail["format"] for e in entries) == ["csv", "json"]
    assert {e.actor for e in entries} == {world.users["walidata"]["id"],
                                          world.users["verifikator"]["id"]}
