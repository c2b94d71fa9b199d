"""Access matrix of the Daftar Data actions (issue 12): every action x every caller x the
entry the request names (the owning OPD's or another OPD's).

One world (verifikasi's make_world: Dinas Kesehatan and Dinas Pendidikan with people in
every role) with one entry of each OPD, their titles unique markers. Every action is
requested through CKAN's test client as every caller (API tokens in the `Authorization`
header, none for anonymous).

Expected (issue 12 and DESIGN.md, "Authorization follows the object"): walidata and
sysadmins do everything; an OPD's operators and verifikators list and show their own
OPD's entries only (a foreign entry's id: 403; the list never carries another OPD's
entry, even when asked for that OPD); surveyors, users without a role and anonymous
visitors get 403 from every action. After every refused request the Daftar Data tables
are compared with before, and no response may carry the title of an entry the caller
may not read.
"""
from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.satudata.daftar.model import (
    DaftarChange,
    DaftarEntry,
    DaftarPeriod,
    DaftarRevision,
    DaftarYear,
)
from ckanext.verifikasi.tests.world import World, make_world
from tests.matrix import (
    READERS,
    Client,
    Request,
    TokenHeaders,
    check_api_cells,
    report,
    tokens_of,
    unique_marker,
)
from tests.matrix import any_reader as _lists
from tests.matrix import api_get as _get
from tests.matrix import api_post as _post
from tests.matrix import manager as _manager
from tests.matrix import reader as _reader

pytestmark = pytest.mark.slow  # left out by `make test-fast`

YEAR = 2025


@dataclass
class Run(TokenHeaders):
    world: World
    tokens: dict[str, str]
    entries: dict[str, dict[str, Any]]  # "opd" / "other_opd" -> entry
    markers: dict[str, str]  # "opd" / "other_opd" -> title marker
    mismatches: list[str] = field(default_factory=list)
    requests: int = 0
    cells: int = 0


def _marker() -> str:
    return unique_marker("zqdaftar")


def _entry(world: World, where: str, title: str) -> dict[str, Any]:
    return call_action("satudata_daftar_data_create", {"user": world.users["walidata"]["name"]},
                       year=YEAR, organization=getattr(world, where)["id"], title=title,
                       kategori="DATA_DASAR", sektor="KESEHATAN", frequency="tahunan",
                       periods=[{"period": "Y", "planned": f"{YEAR}-06-30"}])


def build() -> Run:
    world = make_world()
    tokens = tokens_of(world)
    markers = {"opd": _marker(), "other_opd": _marker()}
    entries = {where: _entry(world, where, f"Data {marker}") for where, marker in markers.items()}
    return Run(world=world, tokens=tokens, entries=entries, markers=markers)


def snapshot() -> list[list[str]]:
    return [sorted(str(r) for r in model.Session.execute(sa.select(t.__table__)).all())
            for t in (DaftarEntry, DaftarPeriod, DaftarChange, DaftarYear, DaftarRevision)]


def _workbook(org_title: str) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.active.append(["Tahun", "OPD", "Judul Data", "Kategori", "Sektor", "Prioritas",
                        "Frekuensi", "Periode", "Rencana Rilis"])
    book.active.append([YEAR, org_title, f"Impor {uuid.uuid4().hex[:8]}", "DATA_DASAR",
                        "KESEHATAN", "Ya", "Tahunan", "", "30/09/2025"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


#: (action, the OPD whose entry it names or None, who may, request maker)
CELLS: list[tuple[str, str | None, Callable[[str], bool], Callable[[Run], Request]]] = []


CELLS += [
    ("list", None, _lists, _get("satudata_daftar_data_list", lambda r: {})),
    ("list (year)", None, _lists, _get("satudata_daftar_data_list", lambda r: {"year": YEAR})),
    ("list (organization=opd)", None, _lists, _get(
        "satudata_daftar_data_list", lambda r: {"organization": r.world.opd["name"]})),
    ("list (organization=other_opd)", None, _lists, _get(
        "satudata_daftar_data_list", lambda r: {"organization": r.world.other_opd["id"]})),
]
for _where in ("opd", "other_opd"):
    CELLS += [
        (f"show {_where}", _where, _reader(_where), _get(
            "satudata_daftar_data_show", lambda r, w=_where: {"id": r.entries[w]["id"]})),
        (f"update {_where}", _where, _manager, _post(
            "satudata_daftar_data_update", lambda r, w=_where: {
                "id": r.entries[w]["id"], "prioritas": not r.entries[w]["prioritas"]})),
        (f"create {_where}", _where, _manager, _post(
            "satudata_daftar_data_create", lambda r, w=_where: {
                "year": YEAR, "organization": getattr(r.world, w)["id"],
                "title": f"Baru {uuid.uuid4().hex[:8]}", "kategori": "DATA_DASAR",
                "sektor": "KESEHATAN", "frequency": "tahunan",
                "periods": [{"period": "Y", "planned": f"{YEAR}-03-01"}]})),
        (f"import {_where}", _where, _manager, _post(
            "satudata_daftar_data_import", lambda r, w=_where: {
                "year": str(YEAR), "mode": "valid_only",
                "upload": (_workbook(getattr(r.world, w)["title"]), "daftar.xlsx")})),
        (f"delete {_where}", _where, _manager, _post(
            "satudata_daftar_data_delete", lambda r, w=_where: {
                "id": _entry(r.world, w, f"Hapus {uuid.uuid4().hex[:8]}")["id"]})),
    ]
def _fresh_period(run: Run, where: str) -> str:
    """A period of a new entry of the OPD (no proposal of it waits yet)."""
    return _entry(run.world, where, f"Revisi {uuid.uuid4().hex[:8]}")["periods"][0]["id"]


def _pending_revision(run: Run, where: str) -> str:
    """A proposal of the OPD's operator waiting for walidata."""
    who = "operator" if where == "opd" else "other_operator"
    return call_action("satudata_daftar_revision_propose",
                       {"user": run.world.users[who]["name"]},
                       period_id=_fresh_period(run, where), revised=f"{YEAR}-09-30",
                       reason="Data sumber terlambat")["id"]


for _where in ("opd", "other_opd"):
    CELLS += [
        (f"revision_propose {_where}", _where, _reader(_where), _post(
            "satudata_daftar_revision_propose", lambda r, w=_where: {
                "period_id": _fresh_period(r, w), "revised": f"{YEAR}-09-30",
                "reason": "Data sumber terlambat"})),
        (f"revision_decide {_where}", _where, _manager, _post(
            "satudata_daftar_revision_decide", lambda r, w=_where: {
                "id": _pending_revision(r, w), "decision": "approve"})),
    ]
CELLS += [
    ("agree", None, _manager, _post("satudata_daftar_data_agree", lambda r: {"year": 2031})),
    ("show unknown id", None, _manager, _get("satudata_daftar_data_show",
                                             lambda r: {"id": "tidak-ada"})),
    ("revision_propose unknown id", None, _manager, _post(
        "satudata_daftar_revision_propose", lambda r: {
            "period_id": "tidak-ada", "revised": f"{YEAR}-09-30", "reason": "x"})),
    ("revision_decide unknown id", None, _manager, _post(
        "satudata_daftar_revision_decide", lambda r: {"id": "tidak-ada",
                                                      "decision": "approve"})),
]


def run_cells(app, run: Run) -> None:
    def leaks(caller: str, body: str) -> list[str]:
        return [f"response carries the {opd} entry title" for opd, found in run.markers.items()
                if caller not in READERS[opd] and found in body]

    check_api_cells(app, run, [(name, may, make) for name, _where, may, make in CELLS],
                    snapshot=snapshot, changed="the Daftar Data", leaks=leaks)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_daftar_access_matrix(app):
    started = time.monotonic()
    with app.flask_app.test_request_context():
        run = build()
    model.Session.remove()
    run_cells(app, run)
    report("daftar", run, started)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_lists_carry_only_the_callers_opd(app):
    with app.flask_app.test_request_context():
        run = build()
    model.Session.remove()
    for caller, where in (("operator", "opd"), ("other_verifikator", "other_opd"),
                          ("walidata", None)):
        client = Client(app, run, caller)
        for params in ({}, {"organization": run.world.opd["id"]},
                       {"organization": run.world.other_opd["name"]}):
            response = client.request("GET", "/api/3/action/satudata_daftar_data_list",
                                      {"query_string": params})
            ids = {e["organization_id"] for e in response.json["result"]["results"]}
            allowed = {getattr(run.world, where)["id"]} if where else {
                run.world.opd["id"], run.world.other_opd["id"]}
            assert ids <= allowed, (caller, params, ids)
            if not params and where:
                assert ids == allowed
