"""Access matrix: every path x every kind of user x every workflow state x every class.

One world serves every state: one OPD with three datasets (terbuka, terbatas, rahasia)
per workflow state, each with an uploaded file and a DataStore table with a datatables
view; a grant holder and an expired-grant holder get access to each, and the
`verifikasi_*` actions move each to its state. Then every user requests every path of
every dataset, and every listing once, through CKAN's test client (API tokens in the
`Authorization` header, none for anonymous), so auth runs exactly as for a real client;
each listing is judged for each of the fifteen datasets. Every mismatch is collected and
reported at once; there are no exceptions.

States: draft, submitted, published, update in review (published, then the operator edits
title, file, DataStore rows and loosens the class to terbuka, and submits; the column is
the published class), withdrawn (published, then withdrawn by walidata). Outsiders try to
follow the operator and each dataset, so their dashboards are checked as well.

Besides the per-path verdicts, every response body is scanned for markers: the title of a
dataset the user may not see, the wording/file/rows of an unpublished update, and the
DataStore rows and file of a dataset whose data the user may not use.

Expected rules (DESIGN.md, "Access classes (firm)"):

* team = the owning OPD's roles (operator, verifikator, surveyor, walidata pendukung),
  walidata, sysadmin. Pembina Data reads what the team reads (metadata, data, unpublished
  updates, the verification history) without being part of it; walidata pendukung of
  another OPD is an outsider.
* A *published version* exists in `published` and while an update of published data is
  in review (it stays public meanwhile); not in `draft`, `submitted` or `withdrawn`.
* metadata visible = team, or a published version exists and the class is not rahasia,
  or the user holds an active grant and a published version exists.
* data usable (DataStore, dumps, downloads, previews) = team, or terbuka with a published
  version, or an active grant holder of a dataset with a published version.
* Unpublished content (the edited version of an update in review) = team only.
* Listings made with package_search without include_private (DCAT catalog, dcat.json,
  feeds) and core's organization activity list show public datasets only, to everyone.

Grants before publication: DESIGN.md says "Before publication, a dataset is visible only
to its OPD's roles and walidata" and "rahasia: ... OPD roles, walidata and explicit
grants only". We read the first as overriding the second: a grant gives access to what
has been published (it comes from a request about a dataset someone could find, and
withdrawal takes a dataset down for everyone outside the team). So a grant holder of a
draft, submitted or withdrawn dataset is treated like anyone else, whatever its class.

The operator of another OPD, a user without role and an expired-grant holder behave like
anonymous visitors for this OPD's data (only logged in).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.verifikasi.model import AccessGrant
from ckanext.verifikasi.tests.world import World, make_world

pytestmark = pytest.mark.slow  # left out by `make test-fast`

STATES = ("draft", "submitted", "published", "update_in_review", "withdrawn")
CLASSES = ("terbuka", "terbatas", "rahasia")
USERS = ("anonymous", "stranger", "operator", "verifikator", "surveyor", "other_operator",
         "walidata", "sysadmin", "grantee", "expired_grantee", "pembina", "walidata_pendukung",
         "other_pendukung")
TEAM = frozenset({"operator", "verifikator", "surveyor", "walidata", "sysadmin",
                  "walidata_pendukung"})
#: Who reads every dataset and its data, unpublished ones too: the team, and Pembina Data
#: (who reads but never acts). Walidata pendukung of another OPD is an outsider here.
READERS = TEAM | {"pembina"}
#: Activity listings are asked for this many items: all of the world's.
ACTIVITY_LIMIT = "1000"
NEXT_YEAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()


# Expectations -------------------------------------------------------------------------

def has_published_version(state: str) -> bool:
    return state in ("published", "update_in_review")


def holds_grant(user: str, state: str) -> bool:
    return user == "grantee" and has_published_version(state)


def publicly_visible(state: str, klass: str) -> bool:
    return has_published_version(state) and klass != "rahasia"


def sees_metadata(user: str, state: str, klass: str) -> bool:
    return user in READERS or publicly_visible(state, klass) or holds_grant(user, state)


def uses_data(user: str, state: str, klass: str) -> bool:
    return (user in READERS or (klass == "terbuka" and publicly_visible(state, klass))
            or holds_grant(user, state))


def expectation(kind: str, user: str, state: str, klass: str) -> bool | None:
    """True: must be allowed/listed; False: must be denied/absent; None: either."""
    if kind == "metadata":
        return sees_metadata(user, state, klass)
    if kind == "data":
        return uses_data(user, state, klass)
    if kind == "team":  # the verification history: the team and pembina
        return user in READERS
    if kind == "public":  # listings built on package_search without include_private
        return publicly_visible(state, klass)
    if kind == "activity":
        # Activity listings show what was recorded while the user could see the dataset,
        # so outsiders may or may not find an allowed one; never a hidden one.
        return True if user in READERS else (None if sees_metadata(user, state, klass)
                                             else False)
    if kind == "user_stream":  # an operator's own activity stream
        return user in ("operator", "walidata", "sysadmin")
    if kind == "followed":  # dashboards show what the user follows, if they may see it
        return None if sees_metadata(user, state, klass) else False
    if kind == "draft":  # finding the dataset by the wording of an unpublished update
        return None if user in READERS else False
    if kind == "leak_only":
        return None
    raise AssertionError(kind)


# The world ----------------------------------------------------------------------------

@dataclass
class Dataset:
    state: str
    klass: str
    id: str
    name: str
    title_marker: str
    draft_marker: str
    data_marker: str
    file_marker: str
    upload_id: str = ""
    upload_filename: str = ""
    table_id: str = ""
    view_id: str = ""


@dataclass
class Matrix:
    world: World
    tokens: dict[str, str]
    datasets: list[Dataset]
    mismatches: list[str] = field(default_factory=list)
    cells: int = 0
    requests: int = 0

    def headers(self, user: str) -> dict[str, str]:
        token = self.tokens.get(user)
        return {"Authorization": token} if token else {}

    def check(self, path: str, user: str, ds: Dataset, kind: str, allowed: bool,
              detail: str = "") -> None:
        self.cells += 1
        expected = expectation(kind, user, ds.state, ds.klass)
        if expected is not None and expected != allowed:
            verdict = "LEAK" if allowed else "denied"
            self.mismatches.append(
                f"{verdict}: {ds.state}/{ds.klass}/{user} {path}: expected "
                f"{'allowed' if expected else 'denied'}, got "
                f"{'allowed' if allowed else 'denied'} {detail}".rstrip())

    def scan(self, path: str, user: str, body: str) -> None:
        """No response may carry what the user may not see, whatever the path."""
        for ds in self.datasets:
            where = f"{ds.state}/{ds.klass}/{user} {path}"
            if not sees_metadata(user, ds.state, ds.klass) and ds.title_marker in body:
                self.mismatches.append(f"LEAK: {where}: title of a hidden dataset in the body")
            if user not in READERS and ds.draft_marker in body:
                self.mismatches.append(f"LEAK: {where}: unpublished update in the body")
            if not uses_data(user, ds.state, ds.klass):
                if ds.data_marker in body:
                    self.mismatches.append(f"LEAK: {where}: DataStore rows in the body")
                if ds.file_marker in body:
                    self.mismatches.append(f"LEAK: {where}: uploaded file in the body")


def _grant(world: World, user: str, dataset_id: str) -> None:
    call_action("verifikasi_access_grant", world.context("walidata"), id=dataset_id,
                user=world.users[user]["name"], expires=NEXT_YEAR, reason="Penelitian")


def _expire_grants(world: World) -> None:
    """Grants cannot be created in the past: age the expired holder's ones directly."""
    user_id = world.users["expired_grantee"]["id"]
    for grant in model.Session.query(AccessGrant).filter(AccessGrant.user_id == user_id):
        grant.expires = dt.date.today() - dt.timedelta(days=1)
    model.Session.commit()


def _marker(kind: str) -> str:
    """A unique word Solr's analysers keep whole (letters only, no Indonesian affix)."""
    return f"zq{kind}{uuid.uuid4().hex.translate(str.maketrans('0123456789', 'ghjkmnpqrs'))}x"


def _build_dataset(world: World, state: str, klass: str,
                   create_with_upload: Callable) -> Dataset:
    uid = uuid.uuid4().hex[:10]
    ds = Dataset(state=state, klass=klass, id="", name=f"matriks-{klass}-{uid}",
                 title_marker=_marker("t"),
                 draft_marker=_marker("d"), data_marker=_marker("v"), file_marker=_marker("f"))
    created = world.dataset(klass, name=ds.name, title=f"Data {klass} {ds.title_marker}")
    ds.id = created["id"]
    ds.upload_filename = f"lampiran-{uid}.txt"
    upload = create_with_upload(
        f"Lampiran\n{ds.file_marker}\n", ds.upload_filename,
        context={"user": world.users["operator"]["name"], "ignore_auth": False},
        package_id=ds.id, name="Lampiran", format="TXT", url="lampiran.txt")
    ds.upload_id = upload["id"]
    admin = {"user": world.users["sysadmin"]["name"]}
    table = call_action(
        "datastore_create", dict(admin),
        resource={"package_id": ds.id, "name": "Tabel", "format": "CSV"},
        fields=[{"id": "kode", "type": "text"}, {"id": "nilai", "type": "text"}],
        records=[{"kode": "35.14.01", "nilai": ds.data_marker}])
    ds.table_id = table["resource_id"]
    views = call_action("resource_view_list", dict(admin), id=ds.table_id)
    view = next((v for v in views if v["view_type"] == "datatables_view"), None) or call_action(
        "resource_view_create", dict(admin), resource_id=ds.table_id,
        view_type="datatables_view", title="Tabel")
    ds.view_id = view["id"]
    for user in ("grantee", "expired_grantee"):
        _grant(world, user, ds.id)
    return ds


OUTSIDERS = ("stranger", "other_operator", "grantee", "expired_grantee", "other_pendukung")


def _follow(world: World, action: str, object_id: str) -> None:
    """Outsiders try to follow (their dashboards then show what they may follow)."""
    for who in OUTSIDERS:
        with contextlib.suppress(tk.NotAuthorized):
            call_action(action, world.context(who), id=object_id)


def _act(world: World, who: str, action: str, ds: Dataset, **data: Any) -> None:
    call_action(f"verifikasi_{action}", world.context(who), id=ds.id, **data)


def _move_to(world: World, state: str, ds: Dataset, create_with_upload: Callable) -> None:
    _follow(world, "follow_dataset", ds.id)
    if state == "draft":
        return
    _act(world, "operator", "submit", ds)
    if state == "submitted":
        return
    _act(world, "verifikator", "approve", ds)
    _act(world, "walidata", "approve", ds)
    _follow(world, "follow_dataset", ds.id)
    if state == "update_in_review":
        # The update also loosens the class (the column is the published class): nothing
        # may open before walidata publishes the update.
        call_action("package_patch", world.context("operator"), id=ds.id,
                    title=f"Data {ds.klass} {ds.draft_marker}", klasifikasi_akses="terbuka")
        # A new period: the file is replaced and rows are added, all still unapproved.
        create_with_upload(
            f"Lampiran revisi\n{ds.draft_marker}\n", ds.upload_filename,
            context={"user": world.users["operator"]["name"], "ignore_auth": False},
            action="resource_patch", id=ds.upload_id, name=f"Lampiran {ds.draft_marker}")
        call_action("datastore_upsert", world.context("operator"), resource_id=ds.table_id,
                    method="insert", records=[{"kode": "35.14.02", "nilai": ds.draft_marker}])
        _act(world, "operator", "submit", ds)
    elif state == "withdrawn":
        _act(world, "walidata", "withdraw", ds, reason="Data pribadi belum dianonimkan")


def build(create_with_upload: Callable) -> Matrix:
    """One world: three datasets (one per class) in each workflow state."""
    world = make_world()
    tokens = {who: user["token"] for who, user in world.users.items() if user.get("token")}
    tokens["sysadmin"] = factories.APIToken(user=world.users["sysadmin"]["id"])["token"]
    datasets = [_build_dataset(world, state, klass, create_with_upload)
                for state in STATES for klass in CLASSES]
    _expire_grants(world)
    _follow(world, "follow_user", world.users["operator"]["id"])
    for ds in datasets:
        _move_to(world, ds.state, ds, create_with_upload)
        current = call_action("verifikasi_status_show", world.context("walidata"), id=ds.id)
        wanted = {"update_in_review": "submitted"}.get(ds.state, ds.state)
        assert current["state"] == wanted, (ds.state, ds.klass, current["state"])
    return Matrix(world=world, tokens=tokens, datasets=datasets)


# The paths ----------------------------------------------------------------------------

def _api(name: str) -> str:
    return f"/api/3/action/{name}"


def _ok(response) -> bool:
    return response.status_code == 200


def _api_ok(response) -> bool:
    return response.status_code == 200 and response.json.get("success") is True


def _has_file(r, ds: Dataset) -> bool:
    """The uploaded file: the published one, or the one replaced by an update."""
    return ds.file_marker in r.body or ds.draft_marker in r.body


# Per dataset: (path name, kind, request(ds) -> (method, url, kwargs), allowed(response, ds))
Request = tuple[str, str, dict[str, Any]]
DATASET_PATHS: list[tuple[str, str, Callable[[Dataset], Request], Callable[..., bool]]] = [
    ("api package_show", "metadata",
     lambda ds: ("GET", _api("package_show"), {"query_string": {"id": ds.id}}),
     lambda r, ds: _api_ok(r) and r.json["result"]["id"] == ds.id),
    ("api package_search q=name", "metadata",
     lambda ds: ("GET", _api("package_search"),
                 {"query_string": {"q": f"name:{ds.name}", "include_private": "true"}}),
     lambda r, ds: _api_ok(r) and ds.id in [d["id"] for d in r.json["result"]["results"]]),
    ("api resource_show (upload)", "metadata",
     lambda ds: ("GET", _api("resource_show"), {"query_string": {"id": ds.upload_id}}),
     lambda r, ds: _api_ok(r)),
    ("api resource_show (datastore)", "metadata",
     lambda ds: ("GET", _api("resource_show"), {"query_string": {"id": ds.table_id}}),
     lambda r, ds: _api_ok(r)),
    ("api resource_view_list", "metadata",
     lambda ds: ("GET", _api("resource_view_list"), {"query_string": {"id": ds.table_id}}),
     lambda r, ds: _api_ok(r)),
    ("api datastore_search", "data",
     lambda ds: ("GET", _api("datastore_search"), {"query_string": {"resource_id": ds.table_id}}),
     lambda r, ds: _api_ok(r)),
    ("api datastore_search_sql", "data",
     lambda ds: ("GET", _api("datastore_search_sql"),
                 {"query_string": {"sql": f'SELECT * FROM "{ds.table_id}"'}}),
     lambda r, ds: _api_ok(r)),
    ("api datastore_info", "data",
     lambda ds: ("GET", _api("datastore_info"), {"query_string": {"id": ds.table_id}}),
     lambda r, ds: _api_ok(r)),
    ("datastore dump", "data",
     lambda ds: ("GET", f"/datastore/dump/{ds.table_id}", {}),
     lambda r, ds: _ok(r) and ds.data_marker in r.body),
    ("datastore dump json", "data",
     lambda ds: ("GET", f"/datastore/dump/{ds.table_id}", {"query_string": {"format": "json"}}),
     lambda r, ds: _ok(r) and ds.data_marker in r.body),
    ("upload download", "data",
     lambda ds: ("GET", f"/dataset/{ds.id}/resource/{ds.upload_id}/download/"
                        f"{ds.upload_filename}", {}),
     lambda r, ds: _ok(r) and _has_file(r, ds)),
    ("upload download (no filename)", "data",
     lambda ds: ("GET", f"/dataset/{ds.name}/resource/{ds.upload_id}/download", {}),
     lambda r, ds: _ok(r) and _has_file(r, ds)),
    ("datatables preview data", "data",
     lambda ds: ("POST", f"/datatables/ajax/{ds.view_id}",
                 {"data": {"draw": "1", "start": "0", "length": "10", "search[value]": "",
                           "order[0][column]": "0", "order[0][dir]": "asc",
                           "columns[0][data]": "kode", "columns[0][searchable]": "true",
                           "columns[0][search][value]": ""}}),
     lambda r, ds: _ok(r) and ds.data_marker in r.body),
    ("resource page", "metadata",
     lambda ds: ("GET", f"/dataset/{ds.name}/resource/{ds.upload_id}", {}),
     lambda r, ds: _ok(r)),
    ("resource view page", "metadata",
     lambda ds: ("GET", f"/dataset/{ds.name}/resource/{ds.table_id}/view/{ds.view_id}", {}),
     lambda r, ds: _ok(r)),
    ("dataset page", "metadata",
     lambda ds: ("GET", f"/dataset/{ds.name}", {}),
     lambda r, ds: _ok(r)),
    ("dataset activity page", "metadata",
     lambda ds: ("GET", f"/dataset/activity/{ds.name}", {}),
     lambda r, ds: _ok(r)),
    ("api package_activity_list", "metadata",
     lambda ds: ("GET", _api("package_activity_list"), {"query_string": {"id": ds.id}}),
     lambda r, ds: _api_ok(r)),
    ("dcat dataset .ttl", "metadata",
     lambda ds: ("GET", f"/dataset/{ds.name}.ttl", {}),
     lambda r, ds: _ok(r) and ds.id in r.body),
    ("dcat dataset .jsonld", "metadata",
     lambda ds: ("GET", f"/dataset/{ds.name}.jsonld", {}),
     lambda r, ds: _ok(r) and ds.id in r.body),
    ("dcat dataset .rdf", "metadata",
     lambda ds: ("GET", f"/dataset/{ds.name}.rdf", {}),
     lambda r, ds: _ok(r) and ds.id in r.body),
    ("dcat dataset content negotiation", "metadata",
     lambda ds: ("GET", f"/dataset/{ds.name}", {"headers": {"Accept": "text/turtle"}}),
     lambda r, ds: _ok(r) and ds.id in r.body),
    ("api satudata_indah_export", "metadata",
     lambda ds: ("GET", _api("satudata_indah_export"), {"query_string": {"id": ds.id}}),
     lambda r, ds: _api_ok(r)),
    ("api satudata_metadata_check", "metadata",
     lambda ds: ("GET", _api("satudata_metadata_check"), {"query_string": {"id": ds.id}}),
     lambda r, ds: _api_ok(r)),
    ("verification history page", "team",
     lambda ds: ("GET", f"/verifikasi/dataset/{ds.name}", {}),
     lambda r, ds: _ok(r)),
    ("api verifikasi_status_show", "team",
     lambda ds: ("GET", _api("verifikasi_status_show"), {"query_string": {"id": ds.id}}),
     lambda r, ds: _api_ok(r)),
]


def _facet_names(r) -> set[str]:
    return {item["name"] for item in r.json["result"]["search_facets"]["name"]["items"]}


def _listed(r, ds: Dataset) -> bool:
    return _ok(r) and (ds.name in r.body or ds.id in r.body)


# Per user, covering every dataset at once: (path name, kind, request(m), listed(r, ds))
LISTING_PATHS: list[tuple[str, str, Callable[[Matrix], Request], Callable[..., bool]]] = [
    ("api package_search facets", "metadata",
     lambda m: ("GET", _api("package_search"),
                {"query_string": {"q": "*:*", "rows": "0", "include_private": "true",
                                  "facet.field": '["name"]', "facet.limit": "-1"}}),
     lambda r, ds: _api_ok(r) and ds.name in _facet_names(r)),
    ("api package_search by draft wording", "draft",
     lambda m: ("GET", _api("package_search"),
                {"query_string": {"include_private": "true", "q": " OR ".join(
                    d.draft_marker for d in m.datasets)}}),
     lambda r, ds: _api_ok(r) and ds.id in [d["id"] for d in r.json["result"]["results"]]),
    ("dataset search page", "metadata",
     lambda m: ("GET", "/dataset/", {}), _listed),
    ("organization page", "metadata",
     lambda m: ("GET", f"/organization/{m.world.opd['name']}", {}), _listed),
    ("dcat catalog .ttl", "public", lambda m: ("GET", "/catalog.ttl", {}), _listed),
    ("dcat catalog .jsonld", "public", lambda m: ("GET", "/catalog.jsonld", {}), _listed),
    ("dcat catalog .rdf", "public", lambda m: ("GET", "/catalog.rdf", {}), _listed),
    ("dcat.json", "public", lambda m: ("GET", "/dcat.json", {}), _listed),
    # The index names the parts; all of the matrix's datasets fit in part 1.
    ("sitemap part", "public", lambda m: ("GET", "/sitemap-1.xml", {}), _listed),
    # The portal's own public pages: each is one anonymous search.
    ("home page newest data", "public", lambda m: ("GET", "/", {}), _listed),
    ("eksplorasi category page", "public",
     lambda m: ("GET", "/eksplorasi/data-dasar", {}), _listed),
    ("data terbaru", "public", lambda m: ("GET", "/data-terbaru", {}), _listed),
    ("data terbaru.atom", "public", lambda m: ("GET", "/data-terbaru.atom", {}), _listed),
    ("feed dataset.atom", "public", lambda m: ("GET", "/feeds/dataset.atom", {}), _listed),
    ("feed organization.atom", "public",
     lambda m: ("GET", f"/feeds/organization/{m.world.opd['name']}.atom", {}), _listed),
    ("feed custom.atom", "public",
     lambda m: ("GET", "/feeds/custom.atom",
                {"query_string": {"q": f"organization:{m.world.opd['name']}"}}), _listed),
    # Core lists only the activities of currently public datasets of an organization.
    ("api organization_activity_list", "public",
     lambda m: ("GET", _api("organization_activity_list"),
                {"query_string": {"id": m.world.opd["id"], "limit": ACTIVITY_LIMIT}}), _listed),
    ("api recently_changed_packages_activity_list", "activity",
     lambda m: ("GET", _api("recently_changed_packages_activity_list"),
                {"query_string": {"limit": ACTIVITY_LIMIT}}), _listed),
    ("api user_activity_list (operator)", "user_stream",
     lambda m: ("GET", _api("user_activity_list"),
                {"query_string": {"id": m.world.users["operator"]["id"], "limit": ACTIVITY_LIMIT}}),
     _listed),
    ("api dashboard_activity_list (follows)", "followed",
     lambda m: ("GET", _api("dashboard_activity_list"),
                {"query_string": {"limit": ACTIVITY_LIMIT}}),
     _listed),
    ("organization activity page", "public",
     lambda m: ("GET", f"/organization/activity/{m.world.opd['name']}", {}), _listed),
    ("home page", "leak_only", lambda m: ("GET", "/", {}), _listed),
]


_CSRF = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')


class Client:
    """Requests as one user: API token in the header, or an anonymous browser session."""

    def __init__(self, app, matrix: Matrix, user: str):
        self.client = app.test_client(use_cookies=True)
        self.headers = matrix.headers(user)
        self.matrix = matrix
        self.csrf: str | None = None

    def request(self, method: str, url: str, kwargs: dict[str, Any]):
        kwargs = dict(kwargs)
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if method == "POST" and not self.headers:
            # Anonymous browsers post with the CSRF token of their session.
            if self.csrf is None:
                page = self.client.get("/dataset/", follow_redirects=False)
                self.csrf = _CSRF.search(page.body).group(1)
            headers["X-CSRFToken"] = self.csrf
        self.matrix.requests += 1
        # Redirects are not followed: a redirect to the login page is a denial.
        return self.client.open(url, method=method, headers=headers, follow_redirects=False,
                                **kwargs)


def _word(expected: bool | None) -> str:
    return {True: "allowed", False: "denied", None: "either"}[expected]


def run_matrix(app, matrix: Matrix) -> None:
    for user in USERS:
        client = Client(app, matrix, user)
        for ds in matrix.datasets:
            for path, kind, make, allowed in DATASET_PATHS:
                method, url, kwargs = make(ds)
                response = client.request(method, url, kwargs)
                if response.status_code >= 500:
                    expected = expectation(kind, user, ds.state, ds.klass)
                    matrix.mismatches.append(
                        f"ERROR: {ds.state}/{ds.klass}/{user} {path}: "
                        f"{response.status_code} (expected {_word(expected)})")
                matrix.check(path, user, ds, kind, allowed(response, ds),
                             f"({response.status_code})")
                matrix.scan(path, user, response.body)
        for path, kind, make, listed in LISTING_PATHS:
            method, url, kwargs = make(matrix)
            response = client.request(method, url, kwargs)
            if response.status_code >= 500:
                matrix.mismatches.append(f"ERROR: {user} {path}: {response.status_code}")
            for ds in matrix.datasets:
                matrix.check(path, user, ds, kind, listed(response, ds),
                             f"({response.status_code})")
            matrix.scan(path, user, response.body)


@pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true")
# Fifteen datasets' activities: the activity listings are read whole.
@pytest.mark.ckan_config("ckan.activity_list_limit_max", ACTIVITY_LIMIT)
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_access_matrix(app, create_with_upload):
    started = time.monotonic()
    # The world is built in a request context of its own, closed before the matrix runs:
    # an outer application context would be reused by the client's requests and pin
    # `current_user` to the anonymous user of the set-up.
    with app.flask_app.test_request_context():
        matrix = build(create_with_upload)
    built = time.monotonic()
    run_matrix(app, matrix)
    print(f"\n{len(matrix.datasets)} datasets in {len(STATES)} states: {matrix.cells} cells, "
          f"{matrix.requests} requests, build {built - started:.1f}s, "
          f"matrix {time.monotonic() - built:.1f}s")
    assert not matrix.mismatches, (f"{len(matrix.mismatches)} mismatch(es):\n"
                                   + "\n".join(matrix.mismatches))


def test_expectations_follow_the_design():
    """The rules the matrix asserts, spelled out for the cases people ask about."""
    assert not sees_metadata("grantee", "draft", "rahasia")
    assert sees_metadata("grantee", "published", "rahasia")
    assert uses_data("grantee", "update_in_review", "terbatas")
    assert not uses_data("expired_grantee", "published", "terbatas")
    assert sees_metadata("anonymous", "published", "terbatas")
    assert not uses_data("anonymous", "published", "terbatas")
    assert not sees_metadata("other_operator", "submitted", "terbuka")
    assert not sees_metadata("anonymous", "withdrawn", "terbuka")
    assert uses_data("surveyor", "draft", "rahasia")
    assert expectation("activity", "anonymous", "published", "terbuka") is None
    assert expectation("activity", "anonymous", "withdrawn", "terbuka") is False
    # Pembina Data reads everything, unpublished and rahasia included; walidata pendukung
    # is team in its own OPD and an outsider in another.
    assert uses_data("pembina", "draft", "rahasia")
    assert expectation("team", "pembina", "submitted", "terbuka") is True
    assert uses_data("walidata_pendukung", "submitted", "rahasia")
    assert not sees_metadata("other_pendukung", "draft", "terbuka")
