"""Access matrix of the periodic reports (issue 13): `satudata_report_list`,
`satudata_report_show` and `satudata_report_generate` through the HTTP API, the page
`/laporan` and the downloads of each stored report (the portal's, the OPD's and the
other OPD's), as every caller.

Expected: walidata and sysadmins read and generate everything; an OPD's operators and
verifikators read their own OPD's report only (the portal's report and the other OPD's:
403, decided from the stored report, never from a parameter); surveyors, users without
a role and anonymous visitors are refused (API 403; pages 403, or the login page for
anonymous). No response carries an OPD title the caller may not see (each OPD's title
is a unique marker), and no public output mentions a report.
"""
from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.satudata.laporan import store
from ckanext.verifikasi.tests.world import World, make_world
from tests.matrix import CALLERS, MANAGERS, TokenHeaders, mark_opd_titles, report, tokens_of
from tests.matrix import READERS as OPD_READERS
from tests.matrix import any_reader as _any_reader
from tests.matrix import own as _own
from tests.matrix import response_text as _text

pytestmark = pytest.mark.slow  # left out by `make test-fast`

READERS = {**OPD_READERS, "portal": MANAGERS}
PERIOD = "2026-11"


@dataclass
class Run(TokenHeaders):
    world: World
    tokens: dict[str, str]
    markers: dict[str, str]
    reports: dict[str, str]
    mismatches: list[str] = field(default_factory=list)
    requests: int = 0


def _clean() -> None:
    model.Session.execute(sa.text("DELETE FROM satudata_report"))
    model.Session.commit()
    shutil.rmtree(store.root(), ignore_errors=True)


def build() -> Run:
    world = make_world()
    markers = mark_opd_titles(world, "zqlap")
    ds = world.dataset(title="Data laporan")
    world.publish(ds["id"])
    done = call_action("satudata_report_generate", world.context("walidata"),
                       period=PERIOD, format="xlsx")
    reports = {}
    for r in done["reports"]:
        oid = r["organization_id"]
        reports["portal" if oid is None else
                "opd" if oid == world.opd["id"] else "other_opd"] = r["id"]
    tokens = tokens_of(world)
    return Run(world=world, tokens=tokens, markers=markers, reports=reports)


#: (name, who may, which OPD markers the answer carries when allowed, request maker)
Cell = tuple[str, Callable[[str], bool], Callable[[str], set[str]],
             Callable[[Run], tuple[str, str, dict]]]

CELLS: list[Cell] = [
    ("action list", _any_reader, _own,
     lambda run: ("GET", "/api/3/action/satudata_report_list", {})),
    ("page /laporan", _any_reader, _own, lambda run: ("GET", "/laporan/", {})),
    ("action generate (one OPD)", lambda c: c in MANAGERS, lambda c: {"opd"},
     lambda run: ("POST", "/api/3/action/satudata_report_generate",
                  {"period": PERIOD, "format": "xlsx",
                   "organization": run.world.opd["id"]})),
    ("action show (unknown id)", lambda c: False, lambda c: set(),
     lambda run: ("GET", "/api/3/action/satudata_report_show", {"id": "no-such-report"})),
]
#: The OPD titles in each stored report's file.
CARRIED = {"portal": {"opd", "other_opd"}, "opd": {"opd"}, "other_opd": {"other_opd"}}


def _report_cells(which: str) -> list[Cell]:
    def may(caller: str) -> bool:
        return caller in READERS[which]

    def show(run: Run) -> tuple[str, str, dict]:
        return "GET", "/api/3/action/satudata_report_show", {"id": run.reports[which]}

    def download(run: Run) -> tuple[str, str, dict]:
        return "GET", f"/laporan/{run.reports[which]}/unduh.xlsx", {}

    # The portal report's dict names no OPD; its file carries every OPD.
    shown = CARRIED[which] if which != "portal" else set()
    return [(f"action show ({which})", may, lambda _c: shown, show),
            (f"download ({which})", may, lambda _c: CARRIED[which], download)]


for _which in ("portal", "opd", "other_opd"):
    CELLS.extend(_report_cells(_which))

def run_cells(app, run: Run) -> None:
    for caller in CALLERS:
        client = app.test_client(use_cookies=True)
        for name, may, carries, make in CELLS:
            method, path, params = make(run)
            run.requests += 1
            if method == "POST":
                response = client.post(path, data=json.dumps(params),
                                       content_type="application/json",
                                       headers=run.headers(caller))
            else:
                response = client.get(path, query_string=params, headers=run.headers(caller),
                                      follow_redirects=False)
            allowed = response.status_code == 200
            where = f"{caller} / {name}"
            if allowed != may(caller):
                run.mismatches.append(f"{where}: {response.status_code}, expected "
                                      f"{'allowed' if may(caller) else 'denied'}")
            expected_refusal = (404,) if name.endswith("(unknown id)") and \
                caller in MANAGERS else (403, 302)
            if not allowed and response.status_code not in expected_refusal:
                run.mismatches.append(f"{where}: refused with {response.status_code}")
            if not allowed and response.status_code == 302 and caller != "anonymous":
                run.mismatches.append(f"{where}: signed-in caller sent to login")
            body = _text(response)
            visible = carries(caller) if allowed else set()
            for key, marker in run.markers.items():
                if key not in visible and marker in body:
                    run.mismatches.append(f"{where}: response carries the {key} title")
                if key in visible and marker not in body:
                    run.mismatches.append(f"{where}: the {key} title is missing")
            model.Session.remove()


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_laporan_access_matrix(app):
    started = time.monotonic()
    _clean()
    with app.flask_app.test_request_context():
        run = build()
    run_cells(app, run)
    # Public outputs never mention a report.
    for path in ("/", "/sitemap.xml", "/statistik", "/api/3/action/package_search?q=laporan",
                 "/robots.txt"):
        response = app.get(path, follow_redirects=False)
        if f"laporan-{PERIOD}" in response.body or "/laporan/" in response.body:
            run.mismatches.append(f"public {path} mentions a report")
    _clean()
    report("laporan", run, started, cells=len(CALLERS) * len(CELLS))
