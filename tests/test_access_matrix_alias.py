"""Access matrix through DataStore aliases, while an update of published data is in review.

A DataStore alias is a view on a resource's table. Outside the dataset's team, reads of a
published dataset whose update is in review go to the kept published copy
(`<resource id>_terbit`); the same must hold when the table is named by an alias, on every
read path (datastore_search, datastore_info, the dumps, datastore_search_sql). The users:
anonymous, a user without role, the operator of a foreign OPD, a grant holder, the owning
OPD's roles, walidata and sysadmin; the classes: terbuka and terbatas (published class).

Alias creation itself: a name starting with a resource id (a resource's own table, a
published copy `<id>_terbit`, another resource's id) is refused, for every role.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import World, make_world
from tests.test_access_matrix import READERS, _marker, uses_data

pytestmark = pytest.mark.slow  # left out by `make test-fast`

STATE = "update_in_review"
USERS = ("anonymous", "stranger", "other_operator", "grantee", "operator", "verifikator",
         "surveyor", "walidata", "sysadmin", "pembina", "walidata_pendukung", "other_pendukung")
NEXT_YEAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()


def _api(name: str) -> str:
    return f"/api/3/action/{name}"


# (path, request(alias) -> (url, query string))
PATHS = [
    ("api datastore_search", lambda a: (_api("datastore_search"), {"resource_id": a})),
    ("api datastore_search sorted", lambda a: (
        _api("datastore_search"), {"resource_id": a, "sort": "kode desc"})),
    ("api datastore_info", lambda a: (_api("datastore_info"), {"id": a})),
    ("api datastore_search_sql", lambda a: (
        _api("datastore_search_sql"), {"sql": f'SELECT * FROM "{a}"'})),
    ("api datastore_search_sql unquoted", lambda a: (
        _api("datastore_search_sql"), {"sql": f"SELECT {a}.nilai FROM public.{a}"})),
    ("datastore dump csv", lambda a: (f"/datastore/dump/{a}", {})),
    ("datastore dump json", lambda a: (f"/datastore/dump/{a}", {"format": "json"})),
]


def _build(world: World, klass: str) -> dict[str, Any]:
    """A published dataset of `klass`; then the operator aliases its table (which starts
    an update), adds unapproved rows and submits the update."""
    published, draft = _marker("v"), _marker("d")
    created = world.dataset(klass, title=f"Imunisasi {klass}")
    table = call_action(
        "datastore_create", world.context("operator"),
        resource={"package_id": created["id"], "name": "Tabel", "format": "CSV"},
        fields=[{"id": "kode", "type": "text"}, {"id": "nilai", "type": "text"}],
        records=[{"kode": "35.14.01", "nilai": published}])
    call_action("verifikasi_access_grant", world.context("walidata"), id=created["id"],
                user=world.users["grantee"]["name"], expires=NEXT_YEAR, reason="Penelitian")
    world.publish(created["id"])
    alias = f"imunisasi_alias_{klass}_{uuid.uuid4().hex[:6]}"
    call_action("datastore_create", world.context("operator"), resource_id=table["resource_id"],
                aliases=alias, force=True)
    call_action("datastore_upsert", world.context("operator"), resource_id=table["resource_id"],
                method="insert", records=[{"kode": "35.14.02", "nilai": draft}])
    call_action("verifikasi_submit", world.context("operator"), id=created["id"])
    return {"klass": klass, "alias": alias, "resource_id": table["resource_id"],
            "published": published, "draft": draft}


@pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_reads_through_an_alias_show_outsiders_only_the_published_rows(app):
    with app.flask_app.test_request_context():
        world = make_world()
        world.users["sysadmin"]["token"] = factories.APIToken(
            user=world.users["sysadmin"]["id"])["token"]
        tables = [_build(world, klass) for klass in ("terbuka", "terbatas")]
    mismatches: list[str] = []
    for user in USERS:
        token = world.users[user]["token"] if user != "anonymous" else None
        headers = {"Authorization": token} if token else {}
        for table in tables:
            may_use = uses_data(user, STATE, table["klass"])
            for path, make in PATHS:
                url, query = make(table["alias"])
                response = app.get(url, query_string=query, headers=headers,
                                   follow_redirects=False)
                body = response.body
                where = f"{table['klass']}/{user} {path} ({response.status_code})"
                if response.status_code >= 500:
                    mismatches.append(f"ERROR: {where}")
                    continue
                if table["draft"] in body and user not in READERS:
                    mismatches.append(f"LEAK: {where}: unapproved rows")
                if not may_use:
                    if response.status_code == 200 or table["published"] in body:
                        mismatches.append(f"LEAK: {where}: data of a restricted dataset")
                    continue
                if response.status_code != 200:
                    mismatches.append(f"denied: {where}")
                    continue
                if "datastore_info" in path:
                    continue  # field definitions only, no rows
                wanted = (table["published"], table["draft"]) if user in READERS \
                    else (table["published"],)
                mismatches += [f"missing rows: {where}" for m in wanted if m not in body]
    # A name spelled so no rewrite sees it (a Unicode escape) reads the live table: refused.
    terbuka = tables[0]
    escaped = "".join(f"\\{ord(c):04x}" for c in terbuka["alias"])
    for user in ("anonymous", "other_operator"):
        token = world.users[user]["token"] if user != "anonymous" else None
        response = app.get(_api("datastore_search_sql"), headers={"Authorization": token}
                           if token else {}, query_string={"sql": f'SELECT * FROM U&"{escaped}"'})
        if response.status_code != 403 or terbuka["draft"] in response.body:
            mismatches.append(f"LEAK: terbuka/{user} sql U& escape ({response.status_code})")
    assert not mismatches, f"{len(mismatches)} mismatch(es):\n" + "\n".join(mismatches)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_alias_names_that_start_with_a_resource_id_are_refused():
    world = make_world()
    mine = world.dataset("terbuka")
    other = world.dataset("terbuka")
    table = call_action(
        "datastore_create", world.context("operator"),
        resource={"package_id": mine["id"], "name": "Tabel", "format": "CSV"},
        fields=[{"id": "kode", "type": "text"}], records=[{"kode": "35.14.01"}])
    # A resource without a table yet: an alias with its id would answer for it.
    empty = call_action("resource_create", world.context("operator"), package_id=other["id"],
                        name="Kosong", url="http://contoh.go.id/kosong.csv", format="CSV")
    reserved = (empty["id"], f"{table['resource_id']}_terbit", f"{empty['id']}_terbit",
                empty["id"].upper())
    for who in ("operator", "walidata", "sysadmin"):
        for name in reserved:
            with pytest.raises(tk.ValidationError) as error:
                call_action("datastore_create", world.context(who),
                            resource_id=table["resource_id"], aliases=[name], force=True)
            assert "aliases" in error.value.error_dict, (who, name)
    # An alias on another OPD's table: the table's own auth refuses it.
    with pytest.raises(tk.NotAuthorized):
        call_action("datastore_create", world.context("other_operator"),
                    resource_id=table["resource_id"], aliases=["punya_orang_lain"], force=True)
    # An ordinary name works, and reads answer with the resource it stands for.
    alias = f"posyandu_pasuruan_{uuid.uuid4().hex[:6]}"  # the DataStore outlives clean_db
    call_action("datastore_create", world.context("operator"), resource_id=table["resource_id"],
                aliases=[alias], force=True)
    found = call_action("datastore_search", {"user": world.users["operator"]["name"]},
                        resource_id=alias)
    assert found["resource_id"] == table["resource_id"]
    assert [r["kode"] for r in found["records"]] == ["35.14.01"]
