"""Access matrix of the personal data gate (issue 14): its actions x every caller x the
dataset the request names (the owning OPD's or another's).

One world (verifikasi's make_world: Dinas Kesehatan and Dinas Pendidikan with people in
every role); each OPD has a draft dataset with a table of NIKs, its title and table name
unique markers. Every request goes through CKAN's test client as every caller (API
tokens in the `Authorization` header, none for anonymous).

Expected (issue 14 and DESIGN.md, "Authorization follows the object"): walidata and
sysadmins record and remove exceptions for any OPD; an OPD's operators and verifikators
read their own OPD's findings and exceptions (a foreign dataset: 403) and record
nothing; surveyors, users without a role and anonymous visitors get 403. After every
refused request the exceptions are compared with before, and no response may carry the
markers of a dataset the caller may not see.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.satudata.pii.model import PiiException
from ckanext.verifikasi.tests.world import World, make_world
from tests.matrix import (
    READERS,
    Request,
    TokenHeaders,
    check_api_cells,
    report,
    tokens_of,
    unique_marker,
)
from tests.matrix import api_get as _get
from tests.matrix import api_post as _post
from tests.matrix import manager as _manager
from tests.matrix import reader as _reader

pytestmark = pytest.mark.slow  # left out by `make test-fast`



@dataclass
class Run(TokenHeaders):
    world: World
    tokens: dict[str, str]
    datasets: dict[str, dict[str, Any]]  # "opd", "other_opd" -> dataset
    markers: dict[str, str]
    mismatches: list[str] = field(default_factory=list)
    caller: str = ""
    #: One table and one exception per OPD for the requests that must be refused.
    spare: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: int = 0
    cells: int = 0


def _marker() -> str:
    return unique_marker("zqpii")


def _table(run_world: World, ds: dict[str, Any], name: str) -> str:
    """A table of NIKs (valid by python-stdnum's id.nik) in the dataset."""
    table = call_action(
        "datastore_create", {"user": run_world.users["sysadmin"]["name"]},
        resource={"package_id": ds["id"], "name": name, "format": "CSV"},
        fields=[{"id": "nik", "type": "text"}, {"id": "jumlah", "type": "int4"}],
        records=[{"nik": f"35140152049{i:05d}", "jumlah": i} for i in range(1, 21)])
    return table["resource_id"]


def build() -> Run:
    world = make_world()
    tokens = tokens_of(world)
    markers = {key: _marker() for key in ("opd", "other_opd")}
    datasets = {}
    for key, marker in markers.items():
        who = "other_" if key == "other_opd" else ""
        opd = world.other_opd if who else world.opd
        ds = call_action("package_create", world.context(f"{who}operator"),
                         name=f"data-{uuid.uuid4().hex[:12]}", owner_org=opd["id"],
                         kategori="DATA_MIKRO", license_id="cc-by", klasifikasi_akses="terbatas",
                         **_complete(f"Data {marker}", opd["title"]))
        _table(world, ds, f"Tabel {marker}")
        datasets[key] = ds
    model.Session.remove()
    return Run(world=world, tokens=tokens, datasets=datasets, markers=markers)


def _complete(title: str, opd_title: str) -> dict[str, Any]:
    from ckanext.satudata.ms_keg_sample import complete_ms_keg

    return {**complete_ms_keg(title, 2025, opd_title), "title": title}


def _fresh_table(run: Run, where: str) -> dict[str, Any]:
    ds = run.datasets[where]
    rid = _table(run.world, ds, f"Tabel {run.markers[where]} {uuid.uuid4().hex[:6]}")
    return {"package_id": ds["id"], "resource_id": rid, "column": "nik",
            "reason": "Dibutuhkan Dinas Sosial untuk penyaluran bantuan"}


def _fresh_exception(run: Run, where: str) -> str:
    body = _fresh_table(run, where)
    made = call_action("satudata_pii_exception_create",
                       {"user": run.world.users["walidata"]["name"]}, **body)
    return made["id"]


def snapshot() -> list[str]:
    return sorted(str(r) for r in model.Session.execute(sa.select(PiiException.__table__)).all())


CELLS: list[tuple[str, Callable[[str], bool], Callable[[Run], Request]]] = []


def _package_of(where: str, key: str = "id") -> Callable[[Run], dict[str, Any]]:
    def body(run: Run) -> dict[str, Any]:
        return {"package_id": run.datasets[where][key]}
    return body


def _spare(run: Run, where: str) -> dict[str, Any]:
    if where not in run.spare:
        run.spare[where] = {"table": _fresh_table(run, where),
                            "exception": _fresh_exception(run, where)}
    return run.spare[where]


def _new_table(where: str) -> Callable[[Run], dict[str, Any]]:
    """A table of its own when the caller may record an exception, else a shared one."""
    def body(run: Run) -> dict[str, Any]:
        if _manager(run.caller):
            return _fresh_table(run, where)
        return _spare(run, where)["table"]
    return body


def _new_exception(where: str) -> Callable[[Run], dict[str, Any]]:
    def body(run: Run) -> dict[str, Any]:
        if _manager(run.caller):
            return {"id": _fresh_exception(run, where)}
        return {"id": _spare(run, where)["exception"]}
    return body


for _where in ("opd", "other_opd"):
    CELLS += [
        (f"check {_where}", _reader(_where), _get("satudata_pii_check", _package_of(_where))),
        (f"exception list {_where}", _reader(_where), _get(
            "satudata_pii_exception_list", _package_of(_where, "name"))),
        (f"exception create {_where}", _manager, _post(
            "satudata_pii_exception_create", _new_table(_where))),
        (f"exception delete {_where}", _manager, _post(
            "satudata_pii_exception_delete", _new_exception(_where))),
    ]
CELLS += [
    ("check unknown id", _manager, _get("satudata_pii_check",
                                        lambda r: {"package_id": "tidak-ada"})),
    ("exception delete unknown id", _manager, _post("satudata_pii_exception_delete",
                                                    lambda r: {"id": "tidak-ada"})),
]


def run_cells(app, run: Run) -> None:
    def caller_is(caller: str) -> None:
        run.caller = caller

    def leaks(caller: str, body: str) -> list[str]:
        found = [f"response carries the {key} marker" for key, mark in run.markers.items()
                 if caller not in READERS[key] and mark in body]
        return found + (["response carries a NIK"] if "3514015204900" in body else [])

    check_api_cells(app, run, CELLS, snapshot=snapshot, changed="the exceptions", leaks=leaks,
                    make_in_request=True, on_caller=caller_is)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_pii_access_matrix(app):
    started = time.monotonic()
    with app.flask_app.test_request_context():
        run = build()
    run_cells(app, run)
    report("pii", run, started)
