"""Access matrix of data input: every data-input and survey action and page x every role x
the ids the request carries.

Issue #10: the auth functions authorized against a `package_id` the caller sent alongside
the object, so an operator of one OPD could read and change another OPD's input packages,
rows, imports, survey links and submissions by adding the id of one of their own datasets.
The rule (DESIGN.md, "Authorization follows the object"): an action authorizes against the
dataset that owns the object it acts on, looked up from that object.

One world is built (Dinas Kesehatan owns the target input package, with rows, a checked
import, a survey link and a pending submission; another dataset of the same OPD and one of
Dinas Pendidikan each have their own input package), then every action and page is
requested through CKAN's test client as every caller (API tokens in the `Authorization`
header, none for anonymous) with:

* ``ids``: the target's own ids;
* ``package_id``: the target's ids plus the ``package_id`` of the caller's own dataset
  (a foreign OPD's caller: their OPD's dataset; the owning OPD's roles: their other
  dataset; walidata, sysadmin, anonymous and a user without role: Dinas Pendidikan's);
* ``own id``: the target's import, link or submissions beside the ``id`` of the caller's
  own input package;
* ``mixed list``: a submission of the caller's own input package and one of the target
  in the same ``submission_ids``;
* ``own dataset url`` (pages): the target input package under the URL of the caller's
  own dataset.

Expected: with the target's ids, reads are for the team (the owning OPD's roles, walidata,
sysadmin) and writes for the owning OPD's operator and sysadmin; everyone else gets 403
(anonymous pages: a redirect to the login page). With mismatched ids, whoever may not act
on the target still gets 403, and whoever may is told the ids do not belong together
(API 409 naming the field, pages 404). After every refused request,
the input tables, the working rows and the DataStore records are compared with before, and
no refused response may carry the target's title or rows.
"""
from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.satudata.inputdata import worktable
from ckanext.satudata.model import InputImport, InputPackage, SurveyLink, SurveySubmission
from ckanext.satudata.ms_keg_sample import complete_ms_keg
from ckanext.satudata.tabular.structure import Structure
from ckanext.verifikasi.tests.world import World, make_world
from tests.matrix import Client, TokenHeaders, report, tokens_of, unique_marker, verdict
from tests.test_input_packages import COLUMNS, _rows, _upload, _workbook

pytestmark = pytest.mark.slow  # left out by `make test-fast`

CALLERS = ("anonymous", "stranger", "operator", "verifikator", "surveyor", "other_operator",
           "other_verifikator", "other_surveyor", "walidata", "sysadmin", "pembina",
           "walidata_pendukung", "other_pendukung")
# Walidata pendukung reads its OPD's data input like walidata; pembina reads datasets,
# not their input work.
TEAM = frozenset({"operator", "verifikator", "surveyor", "walidata", "sysadmin",
                  "walidata_pendukung"})
WRITERS = frozenset({"operator", "sysadmin"})
# Writes whose success uses up their object: allowed callers get a fresh one of their own.
CONSUMING = ("input_id", "import_id", "link_id", "submission_id")


@dataclass(frozen=True)
class Side:
    """The objects of one dataset's data input."""

    ds_id: str
    ds_name: str
    input_id: str
    import_id: str
    link_id: str
    submission_id: str


@dataclass
class Run(TokenHeaders):
    world: World
    tokens: dict[str, str]
    target: Side
    own: dict[str, Side]
    fresh: dict[tuple[str, str], Side]
    markers: tuple[str, ...]
    mismatches: list[str] = field(default_factory=list)
    requests: int = 0
    cells: int = 0
    checking: float = 0.0  # seconds spent taking snapshots


# Expectations -------------------------------------------------------------------------

def expected(level: str, caller: str, variant: str, page: bool) -> str:
    """ok, denied, or invalid (ids that do not belong together: API 409, page 404)."""
    allowed = caller in (TEAM if level == "read" else WRITERS)
    if variant == "ids":
        return "ok" if allowed else "denied"
    if page:  # the page reads the input package first and refuses it under another dataset
        return "invalid" if caller in TEAM else "denied"
    return "invalid" if allowed else "denied"


def _api_verdict(response) -> str:
    return verdict(response, {409: "invalid"})


def _page_verdict(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302:
        return "denied" if "/user/login" in location else "ok"
    return {200: "ok", 403: "denied", 404: "invalid"}.get(response.status_code,
                                                          f"status {response.status_code}")


# The world ----------------------------------------------------------------------------

def _marker(kind: str) -> str:
    return unique_marker(f"zq{kind}")


def _dataset(world: World, who: str, org: dict[str, Any], title: str) -> dict[str, Any]:
    return call_action(
        "package_create", world.context(who), name=f"masukan-{uuid.uuid4().hex[:12]}",
        title=title, owner_org=org["id"], kategori="DATA_DASAR", klasifikasi_akses="terbuka",
        license_id="cc-by", **complete_ms_keg("Jumlah Posyandu", 2025, org["title"]))


def _checked_import(world: World, who: str, input_id: str) -> str:
    return call_action("satudata_input_import_check", world.context(who), id=input_id,
                       period="2025", upload=_upload(_workbook([("02", "Impor", 5)])))["id"]


def _link(world: World, who: str, input_id: str) -> dict[str, Any]:
    return call_action("satudata_survey_link_create", world.context(who), id=input_id,
                       period="2025")


def _submission(token: str, kode: str) -> str:
    return call_action("satudata_survey_submit", {"user": "", "ignore_auth": False},
                       token=token, values={"kode": kode, "nama": "Kiriman", "jumlah": "1"})["id"]


def _side(world: World, who: str, org: dict[str, Any], title: str, row: str = "Baris") -> Side:
    ds = _dataset(world, who, org, title)
    inp = call_action("satudata_input_package_create", world.context(who), package_id=ds["id"],
                      title=title, frequency="tahunan", columns=COLUMNS)
    call_action("satudata_input_rows_save", world.context(who), id=inp["id"], period="2024",
                rows=_rows(("01", row, "10")))
    link = _link(world, who, inp["id"])
    return Side(ds_id=ds["id"], ds_name=ds["name"], input_id=inp["id"],
                import_id=_checked_import(world, who, inp["id"]), link_id=link["id"],
                submission_id=_submission(link["token"], "03"))


def _fresh(world: World, target: Side, what: str, n: int) -> Side:
    """A new object of the target's input package, for a write that uses its object up."""
    if what == "input_id":
        inp = call_action("satudata_input_package_create", world.context("operator"),
                          package_id=target.ds_id, title=f"Sekali pakai {n}",
                          frequency="tahunan", columns=COLUMNS)
        return replace(target, input_id=inp["id"])
    if what == "import_id":
        return replace(target, import_id=_checked_import(world, "operator", target.input_id))
    link = _link(world, "operator", target.input_id)
    if what == "link_id":
        return replace(target, link_id=link["id"])
    return replace(target, submission_id=_submission(link["token"], f"1{n:02d}"))


def build() -> Run:
    world = make_world()
    admin = {"user": world.users["sysadmin"]["name"]}
    surveyor = factories.UserWithToken(email="other_surveyor@contoh.go.id")
    call_action("verifikasi_role_assign", dict(admin), user=surveyor["name"], role="surveyor",
                organization=world.other_opd["id"])
    world.users["other_surveyor"] = surveyor
    tokens = tokens_of(world)

    title, row = _marker("t"), _marker("r")
    target = _side(world, "operator", world.opd, f"Penduduk {title}", row)
    second = _side(world, "operator", world.opd, "Sekolah Dinas Kesehatan")
    foreign = _side(world, "other_operator", world.other_opd, "Sekolah Dinas Pendidikan")
    own = {caller: second if caller in ("operator", "verifikator", "surveyor",
                                        "walidata_pendukung") else foreign
           for caller in CALLERS}
    fresh: dict[tuple[str, str], Side] = {}
    n = 0
    for name, _, _, _, _, uses_up in API + PAGES:
        if uses_up:
            for caller in WRITERS:
                n += 1
                fresh[(name, caller)] = _fresh(world, target, uses_up, n)
    return Run(world=world, tokens=tokens, target=target, own=own, fresh=fresh,
               markers=(title, row))


# What must not change -----------------------------------------------------------------

def snapshot(run: Run) -> dict[str, Any]:
    """Every input table, the working rows of the three input packages callers aim at and
    the target's DataStore records (read directly: a few queries per snapshot)."""
    state: dict[str, Any] = {}
    for table in (InputPackage, InputImport, SurveyLink, SurveySubmission):
        columns = [c for c in table.__table__.columns if c.name != "modified"]
        state[table.__tablename__] = [
            tuple(r) for r in model.Session.execute(
                sa.select(*columns).order_by(table.__table__.c.id))]
    aimed = {s.input_id for s in (run.target, *run.own.values())}
    packages = model.Session.execute(sa.select(
        InputPackage.id, InputPackage.structure, InputPackage.resource_id).where(
        InputPackage.id.in_(aimed), InputPackage.state == "active")).all()
    model.Session.rollback()
    with worktable.transaction() as conn:
        for input_id, structure_dict, resource_id in packages:
            structure = Structure.from_dict(structure_dict)
            for period in sorted(worktable.period_counts(conn, input_id)):
                state[f"rows {input_id} {period}"] = worktable.read_rows(
                    conn, input_id, structure, period, offset=0, limit=1000)
            if input_id == run.target.input_id and resource_id:
                state["datastore"] = [tuple(r) for r in conn.execute(sa.text(
                    f'SELECT * FROM "{resource_id}" ORDER BY _id'))]
    return state


def _difference(before: dict[str, Any], after: dict[str, Any]) -> str:
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return ", ".join(changed)


# The cells ----------------------------------------------------------------------------

Request = tuple[str, str, dict[str, Any]]
Make = Callable[[Side, Side, str], Request | None]


def _api(name: str, method: str, data: Callable[[Side], dict[str, Any]],
         variants: dict[str, Callable[[Side, Side], dict[str, Any]]]) -> Make:
    """A request of action `name`; `variants` add the caller's own ids to the target's."""

    def make(t: Side, o: Side, variant: str) -> Request | None:
        if variant != "ids" and variant not in variants:
            return None
        body = {**data(t), **(variants[variant](t, o) if variant != "ids" else {})}
        url = f"/api/3/action/{name}"
        if method == "GET":
            return "GET", url, {"query_string": body}
        if any(isinstance(v, tuple) for v in body.values()):  # a file: (stream, name)
            return "POST", url, {"data": body, "content_type": "multipart/form-data"}
        return "POST", url, {"json": body}

    return make


def _own_package(t: Side, o: Side) -> dict[str, Any]:
    return {"package_id": o.ds_id}


def _own_input(t: Side, o: Side) -> dict[str, Any]:
    return {"id": o.input_id}


WITH_PACKAGE = {"package_id": _own_package}
WITH_PACKAGE_OR_INPUT = {"package_id": _own_package, "own id": _own_input}


def _kode() -> str:
    """A new key for each row written, so a second allowed writer is not refused a duplicate."""
    return uuid.uuid4().hex[:8]


def _file(t: Side) -> dict[str, Any]:
    return {"id": t.input_id, "period": "2025",
            "upload": (io.BytesIO(_workbook([("07", "Disusupkan", 7)])), "data.xlsx")}


# (name, level, kind, make, variants, the object an allowed call uses up)
API: list[tuple[str, str, str, Make, tuple[str, ...], str | None]] = []


def _add(name: str, level: str, method: str, data: Callable[[Side], dict[str, Any]],
         variants: dict[str, Callable[[Side, Side], dict[str, Any]]],
         uses_up: str | None = None) -> None:
    API.append((name, level, "api", _api(name, method, data, variants),
                ("ids", *variants), uses_up))


_add("satudata_input_package_show", "read", "GET", lambda t: {"id": t.input_id}, WITH_PACKAGE)
_add("satudata_input_package_list", "read", "GET", lambda t: {"package_id": t.ds_id}, {})
_add("satudata_input_rows_list", "read", "GET",
     lambda t: {"id": t.input_id, "period": "2024"}, WITH_PACKAGE)
_add("satudata_input_import_show", "read", "GET", lambda t: {"import_id": t.import_id},
     WITH_PACKAGE_OR_INPUT)
_add("satudata_survey_link_list", "read", "GET", lambda t: {"id": t.input_id}, WITH_PACKAGE)
_add("satudata_survey_submission_list", "read", "GET", lambda t: {"id": t.input_id},
     WITH_PACKAGE)
_add("satudata_input_package_create", "write", "POST",
     lambda t: {"package_id": t.ds_id, "title": "Baru", "frequency": "tahunan",
                "columns": COLUMNS}, {})
_add("satudata_input_package_update", "write", "POST",
     lambda t: {"id": t.input_id, "title": "Diganti"}, WITH_PACKAGE, uses_up="input_id")
_add("satudata_input_package_delete", "write", "POST", lambda t: {"id": t.input_id},
     WITH_PACKAGE, uses_up="input_id")
_add("satudata_input_rows_save", "write", "POST",
     lambda t: {"id": t.input_id, "period": "2024",
                "rows": _rows((_kode(), "Disusupkan", "9"))},
     WITH_PACKAGE)
_add("satudata_input_import_check", "write", "POST", _file, WITH_PACKAGE)
_add("satudata_input_import_apply", "write", "POST",
     lambda t: {"import_id": t.import_id, "mode": "valid_only"}, WITH_PACKAGE_OR_INPUT,
     uses_up="import_id")
_add("satudata_survey_link_create", "write", "POST",
     lambda t: {"id": t.input_id, "period": "2025"}, WITH_PACKAGE)
_add("satudata_survey_link_revoke", "write", "POST", lambda t: {"link_id": t.link_id},
     WITH_PACKAGE_OR_INPUT, uses_up="link_id")
_add("satudata_survey_submission_review", "write", "POST",
     lambda t: {"submission_ids": [t.submission_id], "decision": "accept"},
     {**WITH_PACKAGE_OR_INPUT,
      "mixed list": lambda t, o: {"submission_ids": [o.submission_id, t.submission_id]}},
     uses_up="submission_id")


def _page(path: str, method: str = "GET",
          form: Callable[[Side], dict[str, Any]] | None = None) -> Make:
    """A page under /dataset/<dataset>/input/...; `own dataset url` puts the caller's."""

    def make(t: Side, o: Side, variant: str) -> Request | None:
        dataset = {"ids": t.ds_name, "own dataset url": o.ds_name}.get(variant)
        if dataset is None:
            return None
        url = f"/dataset/{dataset}/input" + path.format(t=t)
        return method, url, {"data": form(t)} if form else {}

    return make


PAGES: list[tuple[str, str, str, Make, tuple[str, ...], str | None]] = [
    ("page input list", "read", "page", _page(""), ("ids",), None),
    ("page input package", "read", "page", _page("/{t.input_id}"),
     ("ids", "own dataset url"), None),
    ("page rows", "read", "page", _page("/{t.input_id}/rows?period=2024"),
     ("ids", "own dataset url"), None),
    ("page template xlsx", "read", "page", _page("/{t.input_id}/template.xlsx"),
     ("ids", "own dataset url"), None),
    ("page template csv", "read", "page", _page("/{t.input_id}/template.csv"),
     ("ids", "own dataset url"), None),
    ("page staging", "read", "page", _page("/{t.input_id}/staging"),
     ("ids", "own dataset url"), None),
    ("page import summary", "read", "page", _page("/{t.input_id}/import/{t.import_id}"),
     ("ids", "own dataset url"), None),
    ("page edit", "write", "page", _page("/{t.input_id}/edit"),
     ("ids", "own dataset url"), None),
    ("page rows save", "write", "page",
     _page("/{t.input_id}/rows?period=2024", "POST",
           lambda t: {"r-0-kode": _kode(), "r-0-nama": "Lewat form", "r-0-jumlah": "8"}),
     ("ids", "own dataset url"), None),
    ("page import apply", "write", "page",
     _page("/{t.input_id}/import/{t.import_id}", "POST", lambda t: {"mode": "valid_only"}),
     ("ids", "own dataset url"), "import_id"),
    ("page link revoke", "write", "page",
     _page("/{t.input_id}/links/{t.link_id}/revoke", "POST"),
     ("ids", "own dataset url"), "link_id"),
    ("page staging review", "write", "page",
     _page("/{t.input_id}/staging", "POST",
           lambda t: {"submission": t.submission_id, "decision": "accept"}),
     ("ids", "own dataset url"), "submission_id"),
]


def run_cells(app, run: Run) -> None:
    for caller in CALLERS:
        client = Client(app, run, caller)
        for name, level, kind, make, variants, uses_up in API + PAGES:
            for variant in variants:
                want = expected(level, caller, variant, page=kind == "page")
                target = run.target
                if want == "ok" and uses_up:
                    target = run.fresh[(name, caller)]
                request = make(target, run.own[caller], variant)
                assert request is not None, (name, variant)
                clock = time.monotonic()
                before = snapshot(run) if want != "ok" else None
                run.checking += time.monotonic() - clock
                response = client.request(*request)
                run.cells += 1
                got = (_api_verdict if kind == "api" else _page_verdict)(response)
                where = f"{caller} {name} [{variant}]"
                if got != want:
                    run.mismatches.append(f"{where}: expected {want}, got {got} "
                                          f"{response.body[:200]!r}")
                if before is not None:
                    clock = time.monotonic()
                    changed = _difference(before, snapshot(run))
                    run.checking += time.monotonic() - clock
                    if changed:
                        run.mismatches.append(f"{where}: changed {changed}")
                if got != "ok" or want != "ok":
                    leaked = [m for m in run.markers if m in response.body]
                    if leaked:
                        run.mismatches.append(f"{where}: refused response carries {leaked}")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_input_access_matrix(app):
    started = time.monotonic()
    # Built in a request context of its own (survey links need url_for), closed before the
    # requests run so that it cannot pin the user of the set-up (see test_access_matrix).
    with app.flask_app.test_request_context():
        run = build()
    built = time.monotonic()
    run_cells(app, run)
    report("input", run, started, extra=f"build {built - started:.1f}s, matrix "
           f"{time.monotonic() - built:.1f}s (snapshots {run.checking:.1f}s), total ")


def test_expectations():
    """The rules the matrix asserts, for the cases of the issue."""
    assert expected("read", "other_operator", "package_id", page=False) == "denied"
    assert expected("write", "other_operator", "package_id", page=False) == "denied"
    assert expected("read", "other_verifikator", "ids", page=False) == "denied"
    assert expected("read", "walidata", "package_id", page=False) == "invalid"
    assert expected("write", "walidata", "ids", page=False) == "denied"
    assert expected("write", "sysadmin", "mixed list", page=False) == "invalid"
    assert expected("write", "verifikator", "own dataset url", page=True) == "invalid"
