"""Access matrix of the monitoring (issue 13): `satudata_monitoring_show` through the HTTP
API, the page `/monitoring` and its CSV/XLSX exports, as every caller, for every OPD
and for the OPD filter naming the caller's own OPD or another one.

Expected: walidata and sysadmins see every OPD; an OPD's operators and verifikators see
their own OPD only (another OPD named in the filter: 403, never silently replaced);
surveyors, users without a role and anonymous visitors are refused (API 403; pages 403,
or the login page for anonymous). No response refused or scoped to one OPD carries the
other OPD's title (each OPD's title is a unique marker).
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import World, make_world

pytestmark = pytest.mark.slow  # left out by `make test-fast`

CALLERS = ("anonymous", "stranger", "surveyor", "operator", "verifikator", "other_operator",
           "other_verifikator", "walidata", "sysadmin")
MANAGERS = frozenset({"walidata", "sysadmin"})
READERS = {"opd": MANAGERS | {"operator", "verifikator"},
           "other_opd": MANAGERS | {"other_operator", "other_verifikator"}}


@dataclass
class Run:
    world: World
    tokens: dict[str, str]
    markers: dict[str, str]
    mismatches: list[str] = field(default_factory=list)
    requests: int = 0
    cells: int = 0

    def headers(self, user: str) -> dict[str, str]:
        token = self.tokens.get(user)
        return {"Authorization": token} if token else {}


def build() -> Run:
    world = make_world()
    markers = {}
    for where in ("opd", "other_opd"):
        marker = f"zqmon{uuid.uuid4().hex[:12]}x"
        org = getattr(world, where)
        call_action("organization_patch", {"user": world.users["sysadmin"]["name"]},
                    id=org["id"], title=f"Dinas {marker}")
        markers[where] = marker
    ds = world.dataset(title="Data monitoring")
    world.publish(ds["id"])
    tokens = {who: user["token"] for who, user in world.users.items() if user.get("token")}
    tokens["sysadmin"] = factories.APIToken(user=world.users["sysadmin"]["id"])["token"]
    return Run(world=world, tokens=tokens, markers=markers)


def _any_reader(caller: str) -> bool:
    return caller in READERS["opd"] | READERS["other_opd"]


#: (name, who may, which OPD titles the answer carries when allowed, request maker)
Cell = tuple[str, Callable[[str], bool], Callable[[str], set[str]], Callable[[Run], tuple]]


def _own(caller: str) -> set[str]:
    return {w for w, readers in READERS.items() if caller in readers}


def _org(where: str) -> Callable[[Run], str]:
    return lambda run: getattr(run.world, where)["id"]


CELLS: list[Cell] = []
for kind, path in (("action", "/api/3/action/satudata_monitoring_show"),
                   ("page", "/monitoring/"), ("csv", "/monitoring/unduh.csv"),
                   ("xlsx", "/monitoring/unduh.xlsx")):
    CELLS.append((f"{kind} (all)", _any_reader, _own,
                  lambda run, path=path: (path, {"year": 2025})))
    for where in ("opd", "other_opd"):
        CELLS.append((f"{kind} (organization={where})",
                      lambda c, where=where: c in READERS[where],
                      lambda c, where=where: {where},
                      lambda run, path=path, where=where: (
                          path, {"year": 2025, "organization": _org(where)(run)})))


def _body(response) -> str:
    if response.headers.get("Content-Type", "").startswith("application/vnd.openxml"):
        import io

        import openpyxl
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        return "\n".join(str(c.value) for row in book.active.iter_rows() for c in row)
    return response.data.decode("utf-8", "replace")


def run_cells(app, run: Run) -> None:
    for caller in CALLERS:
        client = app.test_client(use_cookies=True)
        for name, may, carries, make in CELLS:
            run.cells += 1
            path, query = make(run)
            run.requests += 1
            response = client.get(path, query_string=query, headers=run.headers(caller),
                                  follow_redirects=False)
            allowed = response.status_code == 200
            where = f"{caller} / {name}"
            if allowed != may(caller):
                run.mismatches.append(f"{where}: {response.status_code}, expected "
                                      f"{'allowed' if may(caller) else 'denied'}")
            if not allowed and response.status_code not in (403, 302):
                run.mismatches.append(f"{where}: refused with {response.status_code}")
            if not allowed and response.status_code == 302 and caller != "anonymous":
                run.mismatches.append(f"{where}: signed-in caller sent to login")
            body = _body(response)
            visible = carries(caller) if allowed else set()
            for key, marker in run.markers.items():
                if key not in visible and marker in body:
                    run.mismatches.append(f"{where}: response carries the {key} title")
                if key in visible and name.startswith(("action", "csv", "xlsx")) \
                        and marker not in body:
                    run.mismatches.append(f"{where}: the {key} row is missing")
            model.Session.remove()


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_monitoring_access_matrix(app):
    started = time.monotonic()
    with app.flask_app.test_request_context():
        run = build()
    run_cells(app, run)
    print(f"\nmonitoring matrix: {run.cells} cells, {run.requests} requests, "
          f"{time.monotonic() - started:.1f}s")
    assert not run.mismatches, f"{len(run.mismatches)} mismatch(es):\n" + "\n".join(
        run.mismatches)
