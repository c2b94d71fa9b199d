"""Access matrix of the metadata quality (issue 13): the actions and `/kualitas-metadata`
x every caller x the dataset or ticket the request names (the owning OPD's or another's).

One world (verifikasi's make_world: Dinas Kesehatan and Dinas Pendidikan with people in
every role); each OPD has a published dataset whose gaps opened tickets and a `rahasia`
draft, their titles unique markers. Every request goes through CKAN's test client as
every caller (API tokens in the `Authorization` header, none for anonymous).

Expected (issue 13 and DESIGN.md, "Authorization follows the object"): walidata and
sysadmins see every OPD and close tickets; an OPD's operators and verifikators see their
own OPD's quality and tickets (a foreign dataset's id: 403; lists never carry another
OPD's ticket, even when asked for that OPD) and close nothing; surveyors, users without a
role and anonymous visitors get 403 (the page sends a visitor to the login page). After
every refused request the tickets are compared with before, and no response may carry
the title of a dataset the caller may not see.
"""
from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.jobs import Worker
from ckan.tests.helpers import call_action

from ckanext.satudata.ms_keg_sample import complete_ms_keg
from ckanext.satudata.quality.model import QualityScore, QualityTicket
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
    verdict,
)
from tests.matrix import any_reader as _lists
from tests.matrix import api_get as _get
from tests.matrix import api_post as _post
from tests.matrix import manager as _manager
from tests.matrix import reader as _reader

pytestmark = pytest.mark.slow  # left out by `make test-fast`


@dataclass
class Run(TokenHeaders):
    world: World
    tokens: dict[str, str]
    datasets: dict[str, dict[str, Any]]  # "opd", "opd_secret", "other_opd", ... -> dataset
    markers: dict[str, str]  # same keys -> title marker
    mismatches: list[str] = field(default_factory=list)
    requests: int = 0
    cells: int = 0


def _marker() -> str:
    return unique_marker("zqmutu")


def _opd_of(key: str) -> str:
    return key.removesuffix("_secret")


def build() -> Run:
    world = make_world()
    tokens = tokens_of(world)
    markers = {key: _marker() for key in ("opd", "opd_secret", "other_opd", "other_opd_secret")}
    datasets = {}
    for key, marker in markers.items():
        datasets[key] = _dataset(world, key, f"Data {marker}")
    Worker(["default"]).work(burst=True)  # the scoring jobs the changes queued
    model.Session.remove()
    return Run(world=world, tokens=tokens, datasets=datasets, markers=markers)


def _dataset(world: World, key: str, title: str) -> dict[str, Any]:
    """A dataset of the OPD made by its operator (short description, no tags: tickets
    once published); `_secret` ones stay `rahasia` drafts."""
    other = _opd_of(key) == "other_opd"
    opd = world.other_opd if other else world.opd
    who = "other_" if other else ""
    ds = call_action("package_create", world.context(f"{who}operator"),
                     name=f"data-{uuid.uuid4().hex[:12]}", owner_org=opd["id"],
                     kategori="DATA_DASAR", license_id="cc-by",
                     klasifikasi_akses="rahasia" if key.endswith("_secret") else "terbuka",
                     **complete_ms_keg(title, 2025, opd["title"]), title=title)
    if not key.endswith("_secret"):
        call_action("verifikasi_submit", world.context(f"{who}operator"), id=ds["id"])
        call_action("verifikasi_approve", world.context(f"{who}verifikator"), id=ds["id"])
        call_action("verifikasi_approve", world.context("walidata"), id=ds["id"])
    return ds


def _fresh_ticket(run: Run, where: str) -> str:
    """An open ticket of the OPD's published dataset (a check of its own, so it is new)."""
    ds = run.datasets[where]
    ticket = QualityTicket(package_id=ds["id"], organization_id=ds["owner_org"],
                           check=f"uji-{uuid.uuid4().hex[:8]}", severity="sedang",
                           dimension="findability", detail="-", opened=dt.datetime.utcnow())
    model.Session.add(ticket)
    model.Session.commit()
    return ticket.id


def snapshot() -> list[list[str]]:
    return [sorted(str(r) for r in model.Session.execute(sa.select(t.__table__)).all())
            for t in (QualityTicket, QualityScore)]


CELLS: list[tuple[str, Callable[[str], bool], Callable[[Run], Request]]] = []


CELLS += [
    ("list", _lists, _get("satudata_quality_ticket_list", lambda r: {})),
    ("list (all states)", _lists, _get("satudata_quality_ticket_list",
                                       lambda r: {"state": "all"})),
    ("list (organization=opd)", _lists, _get(
        "satudata_quality_ticket_list", lambda r: {"organization": r.world.opd["name"]})),
    ("list (organization=other_opd)", _lists, _get(
        "satudata_quality_ticket_list", lambda r: {"organization": r.world.other_opd["id"]})),
    ("list (package_id=other_opd)", _lists, _get(
        "satudata_quality_ticket_list",
        lambda r: {"package_id": r.datasets["other_opd"]["id"]})),
    ("page", _lists, lambda r: ("GET", "/kualitas-metadata/", {})),
    ("page (organization=other_opd)", _lists, lambda r: (
        "GET", "/kualitas-metadata/", {"query_string": {
            "organization": r.world.other_opd["id"]}})),
]
for _key in ("opd", "opd_secret", "other_opd", "other_opd_secret"):
    CELLS.append((f"show {_key}", _reader(_opd_of(_key)), _get(
        "satudata_quality_show", lambda r, k=_key: {"id": r.datasets[k]["id"]})))
for _where in ("opd", "other_opd"):
    CELLS.append((f"close {_where}", _manager, _post(
        "satudata_quality_ticket_close", lambda r, w=_where: {
            "id": _fresh_ticket(r, w), "reason": "Pengecualian yang diterima"})))
CELLS += [
    ("show unknown id", _manager, _get("satudata_quality_show", lambda r: {"id": "tidak-ada"})),
    ("close unknown id", _manager, _post("satudata_quality_ticket_close", lambda r: {
        "id": "tidak-ada", "reason": "x"})),
]


def run_cells(app, run: Run) -> None:
    def leaks(caller: str, body: str) -> list[str]:
        return [f"response carries the {key} title" for key, mark in run.markers.items()
                if caller not in READERS[_opd_of(key)] and mark in body]

    check_api_cells(app, run, CELLS, snapshot=snapshot, changed="the quality tables",
                    leaks=leaks, judge=lambda response: verdict(response, pages=True))


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues",
                         "with_test_worker")
def test_quality_access_matrix(app):
    started = time.monotonic()
    with app.flask_app.test_request_context():
        run = build()
    run_cells(app, run)
    report("quality", run, started)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues",
                         "with_test_worker")
def test_lists_and_page_carry_only_the_callers_opd(app):
    with app.flask_app.test_request_context():
        run = build()
    for caller, where in (("operator", "opd"), ("other_verifikator", "other_opd"),
                          ("walidata", None)):
        client = Client(app, run, caller)
        allowed = {getattr(run.world, where)["id"]} if where else {
            run.world.opd["id"], run.world.other_opd["id"]}
        for params in ({}, {"organization": run.world.opd["id"]},
                       {"organization": run.world.other_opd["name"]}):
            response = client.request("GET", "/api/3/action/satudata_quality_ticket_list",
                                      {"query_string": params})
            ids = {t["organization_id"] for t in response.json["result"]["results"]}
            assert ids <= allowed, (caller, params, ids)
            if not params:
                assert ids == allowed  # both OPDs' published datasets have tickets
        page = client.request("GET", "/kualitas-metadata/", {})
        assert page.status_code == 200
        for opd in ("opd", "other_opd"):
            shown = getattr(run.world, opd)["title"] in page.body
            assert shown == (opd in ({where} if where else {"opd", "other_opd"})), (caller, opd)
        assert "Kualitas Metadata" in page.body or "Metadata quality" in page.body
