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
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from ckan import model

from ckanext.verifikasi.tests.world import World, make_world
from tests.matrix import CALLERS, READERS, TokenHeaders, mark_opd_titles, report, tokens_of
from tests.matrix import any_reader as _any_reader
from tests.matrix import own as _own
from tests.matrix import response_text as _text

pytestmark = pytest.mark.slow  # left out by `make test-fast`


@dataclass
class Run(TokenHeaders):
    world: World
    tokens: dict[str, str]
    markers: dict[str, str]
    mismatches: list[str] = field(default_factory=list)
    requests: int = 0
    cells: int = 0


def build() -> Run:
    world = make_world()
    markers = mark_opd_titles(world, "zqmon")
    ds = world.dataset(title="Data monitoring")
    world.publish(ds["id"])
    tokens = tokens_of(world)
    return Run(world=world, tokens=tokens, markers=markers)


#: (name, who may, which OPD titles the answer carries when allowed, request maker)
Cell = tuple[str, Callable[[str], bool], Callable[[str], set[str]], Callable[[Run], tuple]]


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
            body = _text(response, all_sheets=False)
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
    report("monitoring", run, started)
