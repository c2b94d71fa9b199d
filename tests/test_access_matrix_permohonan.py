"""Access matrix of the Permohonan Data actions (issue 14): every action x every caller
x the request it names (forwarded to the owning OPD, to another OPD, not forwarded yet,
an anonymous requester's).

One world (verifikasi's make_world: Dinas Kesehatan and Dinas Pendidikan with people in
every role) plus the requesters: `requester` (an account, the grantee of the world),
`anon_requester` (anonymous, holding the secret link of their own request) and
`other_anonymous` (anonymous, holding the link of another request). Every action is
requested through CKAN's test client (API tokens in the `Authorization` header, none
for anonymous callers, who send their own request's secret token).

Expected (issue 14 and DESIGN.md, "Authorization follows the object"): walidata and
sysadmins read and move every confirmed request; an OPD's operators and verifikators
read and move (but never forward) the requests forwarded to their OPD; the requester
reads their own only; surveyors, users without a role and anonymous visitors nothing.
Anyone may send a request and read the anonymised figures. After every refused request
the Permohonan tables are compared with before, and no response may carry the
description of a request the caller may not read, nor the title of an unpublished
dataset.
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

from ckanext.satudata.permohonan import ratelimit
from ckanext.satudata.permohonan.model import Permohonan, PermohonanEvent
from ckanext.verifikasi.tests.world import World, make_world
from tests.matrix import (
    MANAGERS,
    Client,
    Request,
    TokenHeaders,
    tokens_of,
    unique_marker,
    verdict,
    wanted,
)

pytestmark = pytest.mark.slow  # left out by `make test-fast`

CALLERS = ("anonymous", "other_anonymous", "anon_requester", "requester", "stranger",
           "surveyor", "operator", "verifikator", "other_operator", "other_verifikator",
           "walidata", "sysadmin", "pembina", "walidata_pendukung", "other_pendukung")
OPD_STAFF = {"opd": frozenset({"operator", "verifikator"}),
             "other_opd": frozenset({"other_operator", "other_verifikator"})}
#: Who reads each request of the world.
READERS = {"opd": MANAGERS | OPD_STAFF["opd"] | {"requester"},
           "other_opd": MANAGERS | OPD_STAFF["other_opd"] | {"requester"},
           "fresh": MANAGERS | {"requester"},
           "anon": MANAGERS | OPD_STAFF["opd"] | {"anon_requester"}}
#: Who moves a request forwarded to each OPD (forward itself: managers only).
MOVERS = {"opd": MANAGERS | OPD_STAFF["opd"], "other_opd": MANAGERS | OPD_STAFF["other_opd"]}
ANONYMOUS = ("anonymous", "other_anonymous", "anon_requester")


@dataclass
class Run(TokenHeaders):
    world: World
    tokens: dict[str, str]
    requests: dict[str, dict[str, Any]]  # "opd" / "other_opd" / "fresh" / "anon"
    secrets: dict[str, str]  # anonymous caller -> the secret token it holds
    markers: dict[str, str]
    draft: dict[str, Any]
    mismatches: list[str] = field(default_factory=list)
    requests_sent: int = 0
    cells: int = 0

    # tests.test_access_matrix.Client counts here
    @property
    def requests_count(self) -> int:
        return self.requests_sent


class _Counter:
    """What Client expects of its matrix: headers() and a `requests` counter."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.requests = 0

    def headers(self, user: str) -> dict[str, str]:
        return self.run.headers(user)


def _marker() -> str:
    return unique_marker("zqminta")


def _ctx(world: World, who: str) -> dict[str, Any]:
    return {"user": world.users[who]["name"], "ignore_auth": False}


def _forwarded(world: World, where: str, description: str) -> dict[str, Any]:
    """A request of the account `requester`, forwarded by walidata to the OPD."""
    req = call_action("satudata_request_create", _ctx(world, "grantee"), kind="data",
                      description=description, organization=getattr(world, where)["id"])
    call_action("satudata_request_update", _ctx(world, "walidata"), id=req["id"],
                action="forward")
    return req


def _anonymous(world: World, description: str, email: str) -> dict[str, Any]:
    """A confirmed request of an anonymous requester, forwarded to the first OPD."""
    req = call_action("satudata_request_create", {"user": "", "ignore_auth": False},
                      kind="data", description=description, name="Warga", email=email,
                      institution="Umum", organization=world.opd["id"])
    row = model.Session.get(Permohonan, req["id"])
    from ckanext.satudata.permohonan import requests as R
    R.receive(row)
    model.Session.commit()
    call_action("satudata_request_update", _ctx(world, "walidata"), id=req["id"],
                action="forward")
    return req


def build() -> Run:
    ratelimit.reset()
    world = make_world()
    tokens = tokens_of(world)
    tokens["requester"] = tokens["grantee"]
    markers = {k: _marker() for k in ("opd", "other_opd", "fresh", "anon", "draft")}
    requests = {
        "opd": _forwarded(world, "opd", f"Permintaan {markers['opd']}"),
        "other_opd": _forwarded(world, "other_opd", f"Permintaan {markers['other_opd']}"),
        "fresh": call_action("satudata_request_create", _ctx(world, "grantee"), kind="data",
                             description=f"Permintaan {markers['fresh']}"),
        "anon": _anonymous(world, f"Permintaan {markers['anon']}", "warga1@contoh.id"),
    }
    other = _anonymous(world, "Permintaan lain", "warga2@contoh.id")
    draft = world.dataset("terbatas", title=f"Draf {markers['draft']}")
    secrets = {"anon_requester": requests["anon"]["token"], "other_anonymous": other["token"]}
    ratelimit.reset()
    return Run(world=world, tokens=tokens, requests=requests, secrets=secrets,
               markers=markers, draft=draft)


def snapshot() -> list[list[str]]:
    return [sorted(str(r) for r in model.Session.execute(sa.select(t.__table__)).all())
            for t in (Permohonan, PermohonanEvent)]


#: (name, who may, request maker taking the run and the caller)
CELLS: list[tuple[str, Callable[[str], bool], Callable[[Run, str], Request]]] = []


def _with_secret(run: Run, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    secret = run.secrets.get(caller)
    return {**body, "token": secret} if secret else body


def _get(name: str, body: Callable[[Run], dict[str, Any]]) -> Callable[[Run, str], Request]:
    return lambda run, caller: ("GET", f"/api/3/action/{name}",
                                {"query_string": _with_secret(run, caller, body(run))})


def _post(name: str, body: Callable[[Run], dict[str, Any]]) -> Callable[[Run, str], Request]:
    return lambda run, caller: ("POST", f"/api/3/action/{name}",
                                {"json": _with_secret(run, caller, body(run))})


def _fresh_forwarded(run: Run, where: str) -> str:
    return _forwarded(run.world, where, f"Baru {uuid.uuid4().hex[:8]}")["id"]


def _fresh(run: Run) -> str:
    return call_action("satudata_request_create", _ctx(run.world, "grantee"), kind="data",
                       description=f"Baru {uuid.uuid4().hex[:8]}",
                       organization=run.world.opd["id"])["id"]


def _everyone(caller: str) -> bool:
    return True


def _logged_in(caller: str) -> bool:
    return caller not in ANONYMOUS


CELLS += [
    ("list", _logged_in, _get("satudata_request_list", lambda r: {})),
    ("list overdue", _logged_in, _get("satudata_request_list", lambda r: {"overdue": True})),
    ("statistics", _everyone, _get("satudata_request_statistics", lambda r: {})),
    ("create data", _everyone, _post("satudata_request_create", lambda r: {
        "kind": "data", "description": f"Data {uuid.uuid4().hex[:6]}", "name": "Warga",
        "email": f"w{uuid.uuid4().hex[:6]}@contoh.id", "institution": "Umum"})),
    ("confirm with a wrong secret", lambda c: False, _post(
        "satudata_request_confirm", lambda r: {"id": r.requests["fresh"]["id"],
                                               "token": "salah"})),
]
for _which in ("opd", "other_opd", "fresh", "anon"):
    CELLS += [(f"show {_which}", lambda c, w=_which: c in READERS[w], _get(
        "satudata_request_show", lambda r, w=_which: {"id": r.requests[w]["number"]}))]
for _where in ("opd", "other_opd"):
    CELLS += [
        (f"process {_where}", lambda c, w=_where: c in MOVERS[w], _post(
            "satudata_request_update", lambda r, w=_where: {
                "id": _fresh_forwarded(r, w), "action": "process"})),
        (f"extend {_where}", lambda c, w=_where: c in MOVERS[w], _post(
            "satudata_request_update", lambda r, w=_where: {
                "id": _fresh_forwarded(r, w), "action": "extend", "note": "Dihimpun"})),
        (f"answer {_where}", lambda c, w=_where: c in MOVERS[w], _post(
            "satudata_request_update", lambda r, w=_where: {
                "id": _fresh_forwarded(r, w), "action": "answer", "note": "Terlampir"})),
        (f"reject {_where}", lambda c, w=_where: c in MOVERS[w], _post(
            "satudata_request_update", lambda r, w=_where: {
                "id": _fresh_forwarded(r, w), "action": "reject", "note": "Tidak ada"})),
    ]
CELLS += [
    ("forward not forwarded", lambda c: c in MANAGERS, _post(
        "satudata_request_update", lambda r: {"id": _fresh(r), "action": "forward"})),
    ("answer not forwarded", lambda c: c in MANAGERS, _post(
        "satudata_request_update", lambda r: {"id": _fresh(r), "action": "answer",
                                              "note": "x"})),
    ("show unknown id", lambda c: c in MANAGERS, _get(
        "satudata_request_show", lambda r: {"id": "PD-2000-999999"})),
    ("update unknown id", lambda c: c in MANAGERS, _post(
        "satudata_request_update", lambda r: {"id": "tidak-ada", "action": "process"})),
]


def run_cells(app, run: Run) -> None:
    for caller in CALLERS:
        counter = _Counter(run)
        client = Client(app, counter, caller)
        for name, may, make in CELLS:
            want = wanted(name, may(caller))
            ratelimit.reset()
            with app.flask_app.test_request_context():
                request = make(run, caller)
            model.Session.remove()
            before = snapshot() if want != "ok" else None
            response = client.request(*request)
            run.cells += 1
            got = verdict(response, {409: "invalid"})
            where = f"{caller} {name}"
            if got != want:
                run.mismatches.append(f"{where}: expected {want}, got {got} "
                                      f"{response.body[:300]!r}")
            if before is not None and snapshot() != before:
                run.mismatches.append(f"{where}: refused, but the requests changed")
            for which, marker in run.markers.items():
                if (which == "draft" or caller not in READERS[which]) and \
                        marker in response.body:
                    run.mismatches.append(f"{where}: response carries the {which} marker")
            model.Session.remove()
        run.requests_sent += counter.requests


def _draft_cells(app, run: Run) -> None:
    """Asking for access to (or complaining about) an unpublished dataset: refused as
    if it did not exist for everyone outside its team, never naming it."""
    for caller in CALLERS:
        client = Client(app, _Counter(run), caller)
        for kind in ("akses", "pengaduan"):
            ratelimit.reset()
            before = snapshot()
            response = client.request("POST", "/api/3/action/satudata_request_create", {
                "json": {"kind": kind, "package_id": run.draft["id"], "description": "x",
                         "purpose": "y", "name": "W", "email": "w@contoh.id",
                         "institution": "U"}})
            run.cells += 1
            # Who sees the draft: its OPD's roles, walidata (pendukung too) and pembina.
            team = caller in MANAGERS | OPD_STAFF["opd"] | {"surveyor", "pembina",
                                                            "walidata_pendukung"}
            if response.status_code != 409 and not (team and kind == "pengaduan"):
                run.mismatches.append(f"{caller} {kind} on a draft: "
                                      f"{response.status_code}")
            if not team and snapshot() != before:
                run.mismatches.append(f"{caller} {kind} on a draft: stored")
            if run.markers["draft"] in response.body and not team:
                run.mismatches.append(f"{caller} {kind} on a draft: title leaked")
            model.Session.remove()


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_permohonan_access_matrix(app):
    started = time.monotonic()
    with app.flask_app.test_request_context():
        run = build()
    model.Session.remove()
    run_cells(app, run)
    _draft_cells(app, run)
    print(f"\npermohonan matrix: {run.cells} cells, {run.requests_sent} requests, "
          f"{time.monotonic() - started:.1f}s")
    assert not run.mismatches, f"{len(run.mismatches)} mismatch(es):\n" + "\n".join(
        run.mismatches)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_lists_carry_only_what_the_caller_may_read(app):
    with app.flask_app.test_request_context():
        run = build()
    model.Session.remove()
    ids = {w: r["number"] for w, r in run.requests.items()}
    for caller in ("requester", "operator", "other_verifikator", "walidata", "stranger",
                   "surveyor"):
        client = Client(app, _Counter(run), caller)
        response = client.request("GET", "/api/3/action/satudata_request_list",
                                  {"query_string": {"limit": 1000}})
        got = {r["number"] for r in response.json["result"]["results"]}
        readable = {ids[w] for w in ids if caller in READERS[w]}
        assert readable <= got, (caller, readable - got)
        assert not {ids[w] for w in ids if caller not in READERS[w]} & got, caller
