"""Access matrix of the roles Pembina Data and Walidata Pendukung (issue 14) on every
class of verifikasi's own actions and pages, for every kind of caller.

Pembina Data (global) reads everything and comments in the review history, but never
takes a workflow step, edits, grants or assigns roles. Walidata Pendukung holds the
walidata's powers (the walidata stage's steps, withdrawal, access grants, the walidata
inbox) for the datasets of its OPD only (`walidata_pendukung` in the world's first OPD,
`other_pendukung` in the second); it never manages roles or reads the audit log.
Comments: pembina, walidata (pendukung of the owning OPD too), sysadmin, and the owning
OPD's operators and verifikators.

Every call goes through CKAN's test client as a real client would (API tokens in the
`Authorization` header, none for anonymous); every mismatch is collected and reported at
once. Reading datasets and their data (package_show, search, DataStore, downloads, the
review page) by these roles is part of tests/test_access_matrix.py.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import World, make_world
from tests.test_access_matrix import Client

pytestmark = pytest.mark.slow  # left out by `make test-fast`

CALLERS = ("anonymous", "stranger", "surveyor", "operator", "verifikator", "other_operator",
           "other_verifikator", "walidata", "sysadmin", "pembina", "walidata_pendukung",
           "other_pendukung")
WALIDATA = frozenset({"walidata", "sysadmin"})
#: Walidata for the datasets of the world's first OPD (the owning OPD below).
OPD_WALIDATA = WALIDATA | {"walidata_pendukung"}
#: Read the owning OPD's unpublished datasets and their history.
READERS = OPD_WALIDATA | {"operator", "verifikator", "surveyor", "pembina"}
COMMENTERS = OPD_WALIDATA | {"operator", "verifikator", "pembina"}
NEXT_YEAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()
LATER = (dt.date.today() + dt.timedelta(days=400)).isoformat()


@dataclass
class Run:
    world: World
    tokens: dict[str, str]
    mismatches: list[str] = field(default_factory=list)
    cells: int = 0

    def check(self, what: str, caller: str, expected: bool, got: bool, detail: Any) -> None:
        self.cells += 1
        if expected != got:
            self.mismatches.append(
                f"{'LEAK' if got else 'denied'}: {caller} {what}: expected "
                f"{'allowed' if expected else 'denied'} ({detail})")

    def client(self, app: Any, caller: str) -> Client:
        return Client(app, self, caller)  # type: ignore[arg-type]

    def headers(self, caller: str) -> dict[str, str]:
        token = self.tokens.get(caller)
        return {"Authorization": token} if token else {}

    requests: int = 0


def _api(name: str) -> str:
    return f"/api/3/action/{name}"


def _ok(response: Any) -> bool:
    return response.status_code == 200 and response.json.get("success") is True


def _dataset(world: World, state: str, klass: str = "terbatas") -> dict[str, Any]:
    """A dataset of the first OPD moved to `state` (draft, submitted, verified, published)."""
    ds = world.dataset(klass, title=f"Data peran {uuid.uuid4().hex[:8]}")
    if state == "draft":
        return ds
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
    if state == "submitted":
        return ds
    call_action("verifikasi_approve", world.context("verifikator"), id=ds["id"])
    if state == "verified":
        return ds
    call_action("verifikasi_approve", world.context("walidata"), id=ds["id"])
    assert state == "published"
    return ds


def build() -> Run:
    world = make_world()
    tokens = {who: user["token"] for who, user in world.users.items() if user.get("token")}
    tokens["sysadmin"] = factories.APIToken(user=world.users["sysadmin"]["id"])["token"]
    return Run(world=world, tokens=tokens)


#: Workflow steps: (step, state the dataset must be in, who may take it, payload).
STEPS: list[tuple[str, str, frozenset[str], dict[str, str]]] = [
    ("submit", "draft", frozenset({"operator", "sysadmin"}), {}),
    ("approve", "submitted", frozenset({"verifikator", "sysadmin"}), {}),
    ("approve", "verified", OPD_WALIDATA, {}),
    ("return", "submitted", OPD_WALIDATA | {"verifikator"}, {"note": "Perbaiki judul"}),
    ("return", "verified", OPD_WALIDATA, {"note": "Perbaiki judul"}),
    ("withdraw", "published", OPD_WALIDATA, {"reason": "Data pribadi"}),
]


def _workflow_cells(app: Any, run: Run) -> None:
    """Each step as each caller: denied ones on one shared dataset (nothing moves), each
    allowed one on a dataset of its own in the step's state."""
    world = run.world
    for step, state, allowed, payload in STEPS:
        shared = _dataset(world, state)
        for caller in CALLERS:
            expected = caller in allowed
            ds = _dataset(world, state) if expected else shared
            response = run.client(app, caller).request(
                "POST", _api(f"verifikasi_{step}"), {"json": {"id": ds["id"], **payload}})
            run.check(f"verifikasi_{step} from {state}", caller, expected, _ok(response),
                      response.status_code)
        status = call_action("verifikasi_status_show", world.context("walidata"),
                             id=shared["id"])
        assert status["state"] == state, (step, state, status["state"])


def _grant_cells(app: Any, run: Run) -> None:
    world = run.world
    ds = _dataset(world, "published")
    # The same world seen from the other OPD: its operator makes the dataset.
    other = World(opd=world.other_opd, other_opd=world.opd,
                  users={**world.users, "operator": world.users["other_operator"]}
                  ).dataset("terbatas", title="Data OPD lain")
    for caller in CALLERS:
        client = run.client(app, caller)
        expected = caller in OPD_WALIDATA
        grantee = factories.User()["name"]
        response = client.request("POST", _api("verifikasi_access_grant"), {"json": {
            "id": ds["id"], "user": grantee, "expires": NEXT_YEAR, "reason": "Penelitian"}})
        run.check("verifikasi_access_grant", caller, expected, _ok(response),
                  response.status_code)
        # A grant (made by walidata) to extend and revoke.
        grant = call_action("verifikasi_access_grant", world.context("walidata"), id=ds["id"],
                            user=factories.User()["name"], expires=NEXT_YEAR)
        response = client.request("POST", _api("verifikasi_access_grant_extend"),
                                  {"json": {"grant_id": grant["id"], "expires": LATER}})
        run.check("verifikasi_access_grant_extend", caller, expected, _ok(response),
                  response.status_code)
        response = client.request("POST", _api("verifikasi_access_revoke"),
                                  {"json": {"id": ds["id"], "user": grant["user_id"]}})
        run.check("verifikasi_access_revoke", caller, expected, _ok(response),
                  response.status_code)
        # The list: walidata all grants, walidata pendukung those of its OPD's datasets.
        response = client.request("GET", _api("verifikasi_access_grant_list"), {})
        listed = {g["package_id"] for g in response.json["result"]["results"]} \
            if _ok(response) else set()
        run.check("verifikasi_access_grant_list (own OPD's grants)", caller, expected,
                  ds["id"] in listed, response.status_code)
        run.check("verifikasi_access_grant_list answers", caller,
                  caller in OPD_WALIDATA | {"other_pendukung"}, _ok(response),
                  response.status_code)
        # A grant of the other OPD's dataset: walidata pendukung of the first may not.
        response = client.request("POST", _api("verifikasi_access_grant"), {"json": {
            "id": other["id"], "user": factories.User()["name"], "expires": NEXT_YEAR}})
        run.check("verifikasi_access_grant (other OPD's dataset)", caller,
                  caller in WALIDATA | {"other_pendukung"}, _ok(response),
                  response.status_code)
        response = client.request("GET", "/verifikasi/akses", {})
        run.check("grants page", caller, caller in OPD_WALIDATA | {"other_pendukung"},
                  response.status_code == 200, response.status_code)


def _comment_cells(app: Any, run: Run) -> None:
    world = run.world
    ds = _dataset(world, "submitted")
    for caller in CALLERS:
        client = run.client(app, caller)
        expected = caller in COMMENTERS
        text = f"Komentar {caller} {uuid.uuid4().hex[:6]}"
        response = client.request("POST", _api("verifikasi_comment_create"),
                                  {"json": {"id": ds["id"], "text": text}})
        run.check("verifikasi_comment_create", caller, expected, _ok(response),
                  response.status_code)
        response = client.request("POST", f"/verifikasi/dataset/{ds['name']}/comment",
                                  {"data": {"text": text + " web"}})
        went = response.headers.get("Location", "")
        run.check("comment form post", caller, expected,
                  response.status_code == 302 and "/user/login" not in went
                  and "/verifikasi/dataset/" in went,
                  response.status_code)
        history = call_action("verifikasi_status_show", world.context("walidata"),
                              id=ds["id"])["history"]
        notes = [e["note"] for e in history if e["action"] == "comment"]
        run.check("comment kept in the history", caller, expected,
                  text in notes and text + " web" in notes, len(notes))
        # Reading the history (API and review page): the OPD's team and pembina.
        response = client.request("GET", _api("verifikasi_status_show"),
                                  {"query_string": {"id": ds["id"]}})
        run.check("verifikasi_status_show", caller, caller in READERS, _ok(response),
                  response.status_code)
        response = client.request("GET", f"/verifikasi/dataset/{ds['name']}", {})
        page_ok = response.status_code == 200
        run.check("review page", caller, caller in READERS, page_ok, response.status_code)
        run.check("review page comment form", caller, expected,
                  page_ok and 'id="verifikasi-comment-form"' in response.body,
                  response.status_code)


def _edit_and_manage_cells(app: Any, run: Run) -> None:
    world = run.world
    ds = _dataset(world, "draft")
    admin = {"user": world.users["sysadmin"]["name"]}
    table = call_action("datastore_create", dict(admin),
                        resource={"package_id": ds["id"], "name": "Tabel", "format": "CSV"},
                        fields=[{"id": "kode", "type": "text"}], records=[{"kode": "1"}])
    bulk = _dataset(world, "draft", "terbuka")
    queued = {"verified": _dataset(world, "verified"), "submitted": _dataset(world, "submitted")}
    inbox = {"verified": OPD_WALIDATA | {"pembina"},
             "submitted": frozenset({"verifikator", "pembina"})}
    for caller in CALLERS:
        client = run.client(app, caller)
        editors = frozenset({"operator", "sysadmin"})
        response = client.request("POST", _api("package_patch"),
                                  {"json": {"id": ds["id"], "notes": f"Ubah {caller}"}})
        run.check("package_patch (draft)", caller, caller in editors, _ok(response),
                  response.status_code)
        response = client.request("POST", _api("datastore_upsert"), {"json": {
            "resource_id": table["resource_id"], "method": "insert",
            "records": [{"kode": caller}]}})
        run.check("datastore_upsert (draft)", caller, caller in editors, _ok(response),
                  response.status_code)
        # Publication outside the workflow: walidata may keep drafts private in bulk; only
        # a sysadmin publishes in bulk (through the gate). Pembina never publishes.
        response = client.request("POST", _api("bulk_update_private"), {"json": {
            "org_id": world.opd["id"], "datasets": [bulk["id"]]}})
        run.check("bulk_update_private (draft)", caller, caller in WALIDATA, _ok(response),
                  response.status_code)
        response = client.request("POST", _api("bulk_update_public"), {"json": {
            "org_id": world.opd["id"], "datasets": [bulk["id"]]}})
        run.check("bulk_update_public", caller, caller == "sysadmin", _ok(response),
                  response.status_code)
        response = client.request("POST", _api("verifikasi_role_assign"), {"json": {
            "user": factories.User()["name"], "role": "operator",
            "organization": world.opd["id"]}})
        run.check("verifikasi_role_assign", caller, caller in WALIDATA, _ok(response),
                  response.status_code)
        response = client.request("GET", "/verifikasi/roles", {})
        run.check("roles page", caller, caller in WALIDATA, response.status_code == 200,
                  response.status_code)
        response = client.request("GET", _api("verifikasi_audit_list"), {})
        run.check("verifikasi_audit_list", caller, caller in WALIDATA, _ok(response),
                  response.status_code)
        response = client.request("GET", _api("verifikasi_queue_list"), {})
        waiting = {i["id"] for i in response.json["result"]["waiting"]} \
            if _ok(response) else set()
        for state, ds_q in queued.items():
            run.check(f"inbox lists a {state} dataset", caller, caller in inbox[state],
                      ds_q["id"] in waiting, response.status_code)
        response = client.request("GET", "/verifikasi/inbox", {})
        run.check("inbox page", caller, caller != "anonymous", response.status_code == 200,
                  response.status_code)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("part", ["workflow", "grants", "comments", "edit_and_manage"])
def test_roles_matrix(app, part):
    with app.flask_app.test_request_context():
        run = build()
    cells: dict[str, Callable[[Any, Run], None]] = {
        "workflow": _workflow_cells, "grants": _grant_cells, "comments": _comment_cells,
        "edit_and_manage": _edit_and_manage_cells}
    cells[part](app, run)
    print(f"\n{part}: {run.cells} cells")
    assert not run.mismatches, (f"{len(run.mismatches)} mismatch(es):\n"
                                + "\n".join(run.mismatches))


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_comment_input_and_history(app):
    """Bad input answers 409/400 naming the field; a comment moves nothing and shows in
    the review page's history with its role; the OPD is notified."""
    with app.flask_app.test_request_context():
        run = build()
        ds = _dataset(run.world, "submitted")
    client = run.client(app, "pembina")
    for text in ("", "   ", "x" * 2001):
        response = client.request("POST", _api("verifikasi_comment_create"),
                                  {"json": {"id": ds["id"], "text": text}})
        assert response.status_code == 409, (len(text), response.body)
        assert "text" in response.json["error"]
    response = client.request("POST", f"/verifikasi/dataset/{ds['name']}/comment",
                              {"data": {"text": "x" * 2001}})
    assert response.status_code == 400
    assert 'id="field-comment-text"' in response.body
    response = client.request("POST", _api("verifikasi_comment_create"),
                              {"json": {"id": "tidak-ada", "text": "Halo"}})
    assert response.status_code == 404
    text = "Satuan pada kolom nilai belum diisi " + uuid.uuid4().hex[:6]
    response = client.request("POST", _api("verifikasi_comment_create"),
                              {"json": {"id": ds["name"], "text": text}})
    assert response.status_code == 200, response.body
    entry = response.json["result"]
    assert (entry["action"], entry["actor_role"], entry["note"]) == ("comment", "pembina", text)
    status = call_action("verifikasi_status_show", run.world.context("walidata"), id=ds["id"])
    assert status["state"] == "submitted"
    assert [e["action"] for e in status["history"]] == ["submit", "comment"]
    page = run.client(app, "operator").request("GET", f"/verifikasi/dataset/{ds['name']}", {})
    assert page.status_code == 200 and text in page.body
    notes = call_action("verifikasi_notification_list", run.world.context("operator"))
    assert any(text in n["body"] for n in notes["notifications"])
    audit = call_action("verifikasi_audit_list", run.world.context("walidata"),
                        object_id=ds["id"], action="comment")
    assert [a["detail"]["note"] for a in audit] == [text]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_pendukung_step_is_recorded_as_such(app):
    """A walidata step by walidata pendukung: its role in the history, and the roles page
    offers both new roles (walidata pendukung needs an OPD, pembina none)."""
    with app.flask_app.test_request_context():
        run = build()
        ds = _dataset(run.world, "verified")
    event = call_action("verifikasi_approve", run.world.context("walidata_pendukung"),
                        id=ds["id"])
    assert (event["to_state"], event["actor_role"]) == ("published", "walidata_pendukung")
    client = run.client(app, "walidata")
    page = client.request("GET", "/verifikasi/roles", {})
    assert 'value="pembina"' in page.body and 'value="walidata_pendukung"' in page.body
    user = factories.User()["name"]
    response = client.request("POST", "/verifikasi/roles/assign",
                              {"data": {"user": user, "role": "walidata_pendukung"}})
    assert response.status_code == 400  # an OPD is required
    response = client.request("POST", "/verifikasi/roles/assign", {"data": {
        "user": user, "role": "pembina", "organization": run.world.opd["id"]}})
    assert response.status_code == 302
    held = call_action("verifikasi_role_list", run.world.context("walidata"), user=user)
    assert [(r["role"], r["organization_id"]) for r in held] == [("pembina", None)]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_walidata_pendukung_is_told_of_its_opds_walidata_stage(app):
    """A dataset reaching the walidata stage notifies walidata and the walidata pendukung
    of its OPD, not the one of another OPD; the role is named, not coded."""
    with app.flask_app.test_request_context():
        run = build()
        ds = _dataset(run.world, "verified")

        def told(who: str) -> list[str]:
            found = call_action("verifikasi_notification_list", run.world.context(who))
            return [n["body"] for n in found["notifications"] if n["package_id"] == ds["id"]]

        assert told("walidata") and told("walidata_pendukung")
        assert not told("other_pendukung") and not told("pembina")
        call_action("verifikasi_return", run.world.context("walidata_pendukung"),
                    id=ds["id"], note="Satuan belum diisi")
        assert any("walidata_pendukung" not in body and "Satuan belum diisi" in body
                   for body in told("operator"))
        assert any("Satuan belum diisi" in body for body in told("verifikator"))
