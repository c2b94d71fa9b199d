"""What the access matrices of the features share (tests/test_access_matrix_*.py): the
callers and who reads each OPD's objects, the world's API tokens, requests as a caller,
the verdict of an answer and the loop over the cells of an API matrix.

Each matrix keeps its own cells, world and snapshot of what a refused call must not
change; only the harness is here.
"""
from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from typing import Any, Protocol

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import World
from tests.test_access_matrix import Client

__all__ = ["CALLERS", "MANAGERS", "READERS", "Client", "Request", "any_reader", "api_get",
           "api_post", "check_api_cells", "manager", "mark_opd_titles", "own",
           "reader", "report", "response_text", "tokens_of", "unique_marker", "verdict", "wanted"]

#: The callers of a matrix: no account, an account without role, the roles of the owning
#: OPD ("opd") and of a foreign one ("other_opd"), walidata and sysadmin; Pembina Data
#: and Walidata Pendukung of each OPD (verifikasi roles: they read and act on datasets,
#: not on these features, which let them in nowhere).
CALLERS = ("anonymous", "stranger", "surveyor", "operator", "verifikator", "other_operator",
           "other_verifikator", "walidata", "sysadmin", "pembina", "walidata_pendukung",
           "other_pendukung")
MANAGERS = frozenset({"walidata", "sysadmin"})
#: Who reads each OPD's objects.
READERS = {"opd": MANAGERS | {"operator", "verifikator"},
           "other_opd": MANAGERS | {"other_operator", "other_verifikator"}}

#: (method, url, keyword arguments of the test client's open())
Request = tuple[str, str, dict[str, Any]]


class Matrix(Protocol):
    tokens: dict[str, str]
    mismatches: list[str]
    requests: int
    cells: int

    def headers(self, user: str) -> dict[str, str]: ...


class TokenHeaders:
    """`headers(user)` of a run holding the callers' API tokens in `tokens`."""

    tokens: dict[str, str]

    def headers(self, user: str) -> dict[str, str]:
        token = self.tokens.get(user)
        return {"Authorization": token} if token else {}


def tokens_of(world: World) -> dict[str, str]:
    """The API token of every user of the world, the sysadmin's made here."""
    tokens = {who: user["token"] for who, user in world.users.items() if user.get("token")}
    tokens["sysadmin"] = factories.APIToken(user=world.users["sysadmin"]["id"])["token"]
    return tokens


def unique_marker(prefix: str) -> str:
    """A word found nowhere else, to spot an object's title in an answer."""
    return f"{prefix}{uuid.uuid4().hex[:12]}x"


def mark_opd_titles(world: World, prefix: str) -> dict[str, str]:
    """Each OPD's title gets a marker ("Dinas <marker>"); "opd"/"other_opd" -> marker."""
    markers = {}
    for where in ("opd", "other_opd"):
        found = unique_marker(prefix)
        call_action("organization_patch", {"user": world.users["sysadmin"]["name"]},
                    id=getattr(world, where)["id"], title=f"Dinas {found}")
        markers[where] = found
    return markers


# --- who may ------------------------------------------------------------------------------

def reader(where: str) -> Callable[[str], bool]:
    return lambda caller: caller in READERS[where]


def manager(caller: str) -> bool:
    return caller in MANAGERS


def any_reader(caller: str) -> bool:
    return caller in READERS["opd"] | READERS["other_opd"]


def own(caller: str) -> set[str]:
    """The OPDs whose objects `caller` reads."""
    return {where for where, readers in READERS.items() if caller in readers}


# --- requests and answers ---------------------------------------------------------------

def api_get(name: str, body: Callable[[Any], dict[str, Any]]) -> Callable[[Any], Request]:
    return lambda run: ("GET", f"/api/3/action/{name}", {"query_string": body(run)})


def api_post(name: str, body: Callable[[Any], dict[str, Any]]) -> Callable[[Any], Request]:
    """A POST of JSON, or of multipart/form-data when a value is a file (stream, name)."""
    def make(run: Any) -> Request:
        data = body(run)
        if any(isinstance(v, tuple) for v in data.values()):
            return ("POST", f"/api/3/action/{name}",
                    {"data": data, "content_type": "multipart/form-data"})
        return "POST", f"/api/3/action/{name}", {"json": data}
    return make


def verdict(response: Any, refusals: dict[int, str] | None = None,
            pages: bool = False) -> str:
    """ok (a successful action), or what the status says: denied (403), not found (404)
    and the `refusals` given. `pages`: a page (200 not JSON) is ok too, and a redirect to
    the login page is denied."""
    if response.status_code == 200 and (
            (pages and not response.content_type.startswith("application/json"))
            or response.json.get("success") is True):
        return "ok"
    if pages and response.status_code == 302 and \
            "/user/login" in response.headers.get("Location", ""):
        return "denied"
    return {403: "denied", 404: "not found", **(refusals or {})}.get(
        response.status_code, f"status {response.status_code}")


def wanted(name: str, allowed: bool) -> str:
    """The verdict a cell expects: a caller allowed to use an unknown id gets not found."""
    if not allowed:
        return "denied"
    return "not found" if name.endswith("unknown id") else "ok"


def response_text(response: Any, all_sheets: bool = True) -> str:
    """The answer's text; of a workbook, its cells (every sheet's, or the active one's)."""
    if response.headers.get("Content-Type", "").startswith("application/vnd.openxml"):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.data))
        sheets = list(book) if all_sheets else [book.active]
        return "\n".join(str(c.value) for sheet in sheets for row in sheet.iter_rows()
                         for c in row)
    return response.data.decode("utf-8", "replace")


# --- running ------------------------------------------------------------------------------

def check_api_cells(app: Any, run: Matrix,
                    cells: Iterable[tuple[str, Callable[[str], bool], Callable[[Any], Request]]],
                    *, snapshot: Callable[[], Any], changed: str,
                    leaks: Callable[[str, str], list[str]],
                    callers: Sequence[str] = CALLERS,
                    judge: Callable[[Any], str] = verdict,
                    make_in_request: bool = False,
                    on_caller: Callable[[str], None] | None = None) -> None:
    """Every caller calls every cell (name, who may, request maker): the verdict must be
    the expected one, a refused call must leave `snapshot()` as it was (else "refused,
    but `changed` changed"), and `leaks(caller, body)` names what the answer must not
    carry. `make_in_request`: build each request in a request context of its own."""
    cells = list(cells)
    for caller in callers:
        if on_caller is not None:
            on_caller(caller)
        client = Client(app, run, caller)  # type: ignore[arg-type]  # same headers()
        for name, may, make in cells:
            want = wanted(name, may(caller))
            with app.flask_app.test_request_context() if make_in_request else nullcontext():
                request = make(run)
            if make_in_request:
                model.Session.remove()
            before = snapshot() if want != "ok" else None
            response = client.request(*request)
            run.cells += 1
            got = judge(response)
            where = f"{caller} {name}"
            if got != want:
                run.mismatches.append(f"{where}: expected {want}, got {got} "
                                      f"{response.body[:300]!r}")
            if before is not None and snapshot() != before:
                run.mismatches.append(f"{where}: refused, but {changed} changed")
            run.mismatches += [f"{where}: {leak}" for leak in leaks(caller, response.body)]
            model.Session.remove()


def report(label: str, run: Matrix, started: float, cells: int | None = None,
           extra: str = "") -> None:
    """Print the matrix's size and time, and fail with every mismatch."""
    print(f"\n{label} matrix: {run.cells if cells is None else cells} cells, "
          f"{run.requests} requests, {extra}{time.monotonic() - started:.1f}s")
    assert not run.mismatches, f"{len(run.mismatches)} mismatch(es):\n" + "\n".join(
        run.mismatches)
