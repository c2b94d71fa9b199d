"""Access matrix along entry paths: every way a dataset can become or stay public goes
through the same gate (DESIGN.md, "One gate to the public").

Entry paths: sysadmin package_create (public, rahasia, incomplete), the site user's create
as a harvester makes it, sysadmin package_update/patch of a published dataset, an
operator's package_patch of a directly published dataset, bulk_update_public, purge and
re-creation with the same id. For each, the anonymous read paths (API package_show,
package_search, the sitemap, /catalog.ttl, the dataset page, DataStore search and dump)
must show exactly what the gate allows; publications must leave a snapshot, a history
entry naming who published and how, the publication time as the public
`metadata_modified`, and the state in Solr equal to the state in the database.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.tests.helpers import call_action
from ckanext.datastore.backend.postgres import get_write_engine

from ckanext.satudata.ms_keg_sample import complete_ms_ind, complete_ms_keg
from ckanext.verifikasi.model import PublishedSnapshot, WorkflowEvent, WorkflowState
from ckanext.verifikasi.tests.world import World, make_world

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
              pytest.mark.slow]  # slow: left out by `make test-fast`

READ_PATHS = ("package_show", "package_search", "sitemap", "catalog.ttl", "dataset page",
              "datastore_search", "datastore dump")


def _complete(world: World, klass: str = "terbuka", **extra: Any) -> dict[str, Any]:
    name = extra.pop("name", None) or f"gerbang-{uuid.uuid4().hex[:10]}"
    title = extra.pop("title", f"Jumlah Puskesmas {name}")
    return {"name": name, "title": title, "owner_org": world.opd["id"],
            "kategori": "DATA_DASAR", "klasifikasi_akses": klass, "license_id": "cc-by",
            **complete_ms_keg("Jumlah Puskesmas", 2025, world.opd["title"]), **extra}


def _sysadmin(world: World) -> dict[str, Any]:
    return {"user": world.users["sysadmin"]["name"], "ignore_auth": False}


def _harvester() -> dict[str, Any]:
    """The context ckanext-harvest's harvesters create and update datasets with."""
    site_user = call_action("get_site_user", {"ignore_auth": True})
    return {"user": site_user["name"], "ignore_auth": True}


def _table(dataset_id: str, marker: str) -> str:
    """A DataStore table (added by the site user, as the loader does)."""
    result = call_action(
        "datastore_create", {"user": _harvester()["user"]},
        resource={"package_id": dataset_id, "name": "Tabel", "format": "CSV"},
        fields=[{"id": "kode", "type": "text"}, {"id": "nilai", "type": "text"}],
        records=[{"kode": "35.14.01", "nilai": marker}])
    return result["resource_id"]


def anonymous_reads(app, dataset: dict[str, Any], table_id: str | None = None
                    ) -> dict[str, bool]:
    """Which anonymous read paths show the dataset (or its data)."""
    ident, name = dataset["id"], dataset["name"]
    seen: dict[str, bool] = {}
    r = app.get("/api/3/action/package_show", query_string={"id": ident})
    seen["package_show"] = r.status_code == 200
    r = app.get("/api/3/action/package_search", query_string={"q": f"id:{ident}"})
    seen["package_search"] = ident in [d["id"] for d in r.json["result"]["results"]]
    # The sitemap's index names its parts; a few datasets fit in part 1.
    seen["sitemap"] = f"/dataset/{name}<" in app.get("/sitemap-1.xml").get_data(as_text=True)
    seen["catalog.ttl"] = ident in app.get("/catalog.ttl").get_data(as_text=True)
    seen["dataset page"] = app.get(f"/dataset/{name}").status_code == 200
    if table_id:
        r = app.get("/api/3/action/datastore_search", query_string={"resource_id": table_id})
        seen["datastore_search"] = r.status_code == 200
        seen["datastore dump"] = app.get(f"/datastore/dump/{table_id}").status_code == 200
    return seen


def _nothing_public(app, dataset: dict[str, Any], table_id: str | None = None) -> None:
    leaks = [path for path, shown in anonymous_reads(app, dataset, table_id).items() if shown]
    assert not leaks, f"LEAK to anonymous: {leaks}"


def _status(world: World, dataset_id: str) -> dict[str, Any]:
    return call_action("verifikasi_status_show", world.context("walidata"), id=dataset_id)


def _solr_state(dataset_id: str) -> str | None:
    """verifikasi_state as indexed (searched by a sysadmin, private included)."""
    for state in ("draft", "submitted", "verified", "published", "returned", "withdrawn"):
        found = call_action("package_search", {"ignore_auth": True}, q=f"id:{dataset_id}",
                            fq=f"verifikasi_state:{state}", include_private=True,
                            include_drafts=True)
        if found["count"]:
            return state
    return None


def _db_state(dataset_id: str) -> str | None:
    row = model.Session.get(WorkflowState, dataset_id, populate_existing=True)
    return row.state if row else None


def _publications(world: World, dataset_id: str) -> list[dict[str, Any]]:
    return [e for e in _status(world, dataset_id)["history"] if e["to_state"] == "published"]


def _published_time(dataset_id: str) -> dt.datetime:
    snapshot = model.Session.get(PublishedSnapshot, dataset_id, populate_existing=True)
    assert snapshot is not None, "a published dataset always has a published snapshot"
    return snapshot.published


def _refused(error: tk.ValidationError, field: str) -> None:
    assert field in error.value.error_dict, error.value.error_dict


# Entry: sysadmin package_create ---------------------------------------------------------

def test_sysadmin_create_of_public_rahasia_is_refused(app):
    world = make_world()
    data = _complete(world, "rahasia", private=False)
    with pytest.raises(tk.ValidationError) as error:
        call_action("package_create", _sysadmin(world), **data)
    _refused(error, "klasifikasi_akses")
    assert model.Package.get(data["name"]) is None
    # A harvester (the site user) cannot make it public either.
    with pytest.raises(tk.ValidationError) as error:
        call_action("package_create", _harvester(), **data)
    _refused(error, "klasifikasi_akses")
    assert model.Package.get(data["name"]) is None


def test_a_refused_create_with_resources_stores_nothing(app):
    """Core makes a new dataset's default views (a map for GeoJSON) with a context of its
    own; their commits stored and indexed the dataset before the gate refused it."""
    world = make_world()
    data = _complete(world, "rahasia", private=False, resources=[
        {"name": "Peta", "format": "GeoJSON", "url": "https://contoh.id/p.geojson"}])
    for context in (_sysadmin(world), _harvester()):
        with pytest.raises(tk.ValidationError) as error:
            call_action("package_create", context, **data)
        _refused(error, "klasifikasi_akses")
        model.Session.remove()
        assert model.Package.get(data["name"]) is None
        assert call_action("package_search", {"ignore_auth": True}, q=f"name:{data['name']}",
                           include_private=True, include_drafts=True)["count"] == 0


def test_sysadmin_create_of_public_incomplete_metadata_is_refused_naming_the_problems(app):
    world = make_world()
    data = {"name": f"minim-{uuid.uuid4().hex[:8]}", "title": "Data Minim",
            "owner_org": world.opd["id"], "kategori": "DATA_DASAR", "license_id": "cc-by",
            "klasifikasi_akses": "terbuka", "private": False}
    for context in (_sysadmin(world), _harvester()):
        with pytest.raises(tk.ValidationError) as error:
            call_action("package_create", context, **data)
        _refused(error, "metadata")
        assert error.value.error_dict["metadata"]  # every missing field named
        assert model.Package.get(data["name"]) is None


def test_sysadmin_create_without_private_is_a_private_draft(app):
    world = make_world()
    dataset = call_action("package_create", _sysadmin(world), **_complete(world))
    assert dataset["private"] is True
    assert _db_state(dataset["id"]) == "draft" == _solr_state(dataset["id"])
    _nothing_public(app, dataset)


def test_sysadmin_public_create_is_a_recorded_publication(app):
    world = make_world()
    dataset = call_action("package_create", _sysadmin(world),
                          **_complete(world, private=False))
    status = _status(world, dataset["id"])
    assert status["state"] == "published" and status["has_published"]
    (event,) = _publications(world, dataset["id"])
    assert event["actor"] == world.users["sysadmin"]["name"]
    assert event["actor_role"] == "sysadmin" and event["action"] == "publish"
    assert "package_create" in event["note"]
    assert _solr_state(dataset["id"]) == "published" == _db_state(dataset["id"])
    _published_time(dataset["id"])
    # A table added by the site user (as the loader does) changes the public dataset:
    # recorded publications (core's datastore_create creates, then updates the
    # resource: two), the last snapshot has the table.
    table_id = _table(dataset["id"], "nilaiterbuka")
    seen = anonymous_reads(app, dataset, table_id)
    assert all(seen.values()), seen
    assert len(_publications(world, dataset["id"])) > 1
    snapshot = model.Session.get(PublishedSnapshot, dataset["id"], populate_existing=True)
    assert table_id in [r["id"] for r in snapshot.data["resources"]]


def test_published_indicator_and_map_are_published_in_solr(app):
    """What the demo does for its `peta-*` datasets and indicators (created public)."""
    world = make_world()
    activity = call_action("package_create", _sysadmin(world),
                           **_complete(world, private=False))
    peta = call_action("package_create", _harvester(), **_complete(
        world, kategori="DATA_GEOSPASIAL", private=False, spatial=json.dumps(
            {"type": "Polygon", "coordinates": [[[112.6, -7.9], [113.1, -7.9], [113.1, -7.5],
                                                 [112.6, -7.5], [112.6, -7.9]]]}),
        resources=[{"name": "Peta", "format": "GeoJSON", "url": "https://contoh.id/p.geojson"}]))
    indikator = call_action("package_create", _harvester(), **{
        "name": f"indikator-{uuid.uuid4().hex[:8]}", "title": "Cakupan Posyandu Aktif",
        "owner_org": world.opd["id"], "kategori": "DATA_DASAR", "klasifikasi_akses": "terbuka",
        "license_id": "cc-by", "private": False,
        **complete_ms_ind("Cakupan Posyandu Aktif", activity["id"], ukuran="Persentase",
                          satuan="Persen", capaian=[{"tahun": 2025, "target": "80",
                                                     "realisasi": "78,5"}])})
    for dataset in (activity, peta, indikator):
        assert _db_state(dataset["id"]) == "published"
        assert _solr_state(dataset["id"]) == "published", (dataset["type"], dataset.get("kategori"))
        assert len(_publications(world, dataset["id"])) == 1


# Entry: package_update/patch of a published dataset -----------------------------------

def test_operator_edit_of_a_directly_published_dataset_keeps_the_published_version(app):
    world = make_world()
    dataset = call_action("package_create", _sysadmin(world),
                          **_complete(world, "terbatas", private=False))
    table_id = _table(dataset["id"], "nilaiterbatas")
    before = anonymous_reads(app, dataset, table_id)
    assert before["package_show"] and not before["datastore_search"]

    call_action("package_patch", world.context("operator"), id=dataset["id"],
                title="Judul revisi belum terverifikasi", klasifikasi_akses="terbuka")

    shown = app.get("/api/3/action/package_show", query_string={"id": dataset["id"]}).json
    assert shown["result"]["title"] == dataset["title"]
    assert shown["result"]["klasifikasi_akses"] == "terbatas"
    after = anonymous_reads(app, dataset, table_id)
    assert not after["datastore_search"] and not after["datastore dump"], after


def test_sysadmin_edit_of_published_is_a_recorded_publication_with_a_new_snapshot(app):
    world = make_world()
    dataset = world.dataset("terbuka")
    world.publish(dataset["id"])
    first = _published_time(dataset["id"])

    call_action("package_patch", _sysadmin(world), id=dataset["id"],
                title="Judul dibetulkan sysadmin")
    publications = _publications(world, dataset["id"])
    assert len(publications) == 2
    assert publications[-1]["actor"] == world.users["sysadmin"]["name"]
    assert "package_update" in publications[-1]["note"]
    assert _published_time(dataset["id"]) > first
    assert _status(world, dataset["id"])["state"] == "published"

    # The next operator edit starts an update; the public keeps the sysadmin's version.
    call_action("package_patch", world.context("operator"), id=dataset["id"],
                title="Judul usulan operator")
    shown = app.get("/api/3/action/package_show", query_string={"id": dataset["id"]}).json
    assert shown["result"]["title"] == "Judul dibetulkan sysadmin"


def test_sysadmin_edit_cannot_make_a_published_dataset_rahasia_and_public(app):
    world = make_world()
    dataset = world.dataset("terbuka")
    world.publish(dataset["id"])
    with pytest.raises(tk.ValidationError) as error:
        call_action("package_patch", _sysadmin(world), id=dataset["id"],
                    klasifikasi_akses="rahasia", private=False)
    _refused(error, "klasifikasi_akses")
    assert model.Package.get(dataset["id"]).extras["klasifikasi_akses"] == "terbuka"


def test_sysadmin_patch_making_a_draft_public_is_checked_and_recorded(app):
    world = make_world()
    rahasia = world.dataset("rahasia")
    with pytest.raises(tk.ValidationError) as error:
        call_action("package_patch", _sysadmin(world), id=rahasia["id"], private=False)
    _refused(error, "klasifikasi_akses")
    _nothing_public(app, rahasia)
    assert _db_state(rahasia["id"]) == "draft"

    terbuka = world.dataset("terbuka")
    call_action("package_patch", _sysadmin(world), id=terbuka["id"], private=False)
    assert _db_state(terbuka["id"]) == "published" == _solr_state(terbuka["id"])
    assert len(_publications(world, terbuka["id"])) == 1
    assert anonymous_reads(app, terbuka)["package_show"]


# Entry: bulk actions ------------------------------------------------------------------

def test_bulk_update_public_goes_through_the_gate(app):
    world = make_world()
    rahasia = world.dataset("rahasia")
    terbuka = world.dataset("terbuka")
    with pytest.raises(tk.ValidationError):
        call_action("bulk_update_public", _sysadmin(world), org_id=world.opd["id"],
                    datasets=[terbuka["id"], rahasia["id"]])
    for dataset in (rahasia, terbuka):  # all or nothing
        _nothing_public(app, dataset)
        assert _db_state(dataset["id"]) == "draft"

    call_action("bulk_update_public", _sysadmin(world), org_id=world.opd["id"],
                datasets=[terbuka["id"]])
    assert anonymous_reads(app, terbuka)["package_show"]
    assert _db_state(terbuka["id"]) == "published" == _solr_state(terbuka["id"])
    (event,) = _publications(world, terbuka["id"])
    assert "bulk_update_public" in event["note"]
    _published_time(terbuka["id"])


# Public metadata_modified ------------------------------------------------------------

def test_public_metadata_modified_is_the_time_of_the_last_publication(app):
    world = make_world()
    dataset = world.dataset("terbuka")
    world.publish(dataset["id"])
    call_action("package_patch", world.context("operator"), id=dataset["id"],
                title="Pembaruan periode 2026")
    edited = model.Package.get(dataset["id"]).metadata_modified
    world.publish(dataset["id"])
    published = _published_time(dataset["id"])
    assert published > edited

    shown = app.get("/api/3/action/package_show", query_string={"id": dataset["id"]}).json
    assert shown["result"]["title"] == "Pembaruan periode 2026"
    assert shown["result"]["metadata_modified"] == published.isoformat()
    found = app.get("/api/3/action/package_search",
                    query_string={"q": f"id:{dataset['id']}"}).json["result"]["results"]
    assert found[0]["metadata_modified"] == published.isoformat()
    # A harvester asking for what changed since the edit finds the publication.
    since = app.get("/api/3/action/package_search", query_string={
        "fq": f"metadata_modified:[{published.isoformat()}Z TO *]"}).json["result"]
    assert dataset["id"] in [d["id"] for d in since["results"]]


# Purge -------------------------------------------------------------------------------

def _tables(names: list[str]) -> set[str]:
    with get_write_engine().connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname = ANY(:n)"),
            {"n": names})
        return {r[0] for r in rows}


def test_purge_removes_workflow_rows_and_tables_and_recreation_starts_fresh(app):
    world = make_world()
    dataset = world.dataset("terbuka")
    table_id = _table(dataset["id"], "nilailama")
    world.publish(dataset["id"])
    # An update in progress keeps a published copy of the table.
    call_action("datastore_upsert", world.context("operator"), resource_id=table_id,
                method="insert", records=[{"kode": "35.14.02", "nilai": "baru"}])
    assert _tables([table_id, table_id + "_terbit"]) == {table_id, table_id + "_terbit"}

    call_action("dataset_purge", _sysadmin(world), id=dataset["id"])

    assert _tables([table_id, table_id + "_terbit"]) == set()
    for table in (WorkflowState, WorkflowEvent, PublishedSnapshot):
        assert not model.Session.execute(sa.select(table).where(
            table.package_id == dataset["id"])).first(), table.__tablename__

    again = call_action("package_create", _sysadmin(world),
                        **_complete(world, id=dataset["id"], name=dataset["name"]))
    status = _status(world, again["id"])
    assert status["state"] == "draft" and not status["has_published"]
    assert status["history"] == []
    _nothing_public(app, again)


def test_bulk_update_private_does_not_take_a_published_dataset_down_unrecorded(app):
    world = make_world()
    dataset = world.dataset("terbuka")
    world.publish(dataset["id"])
    with pytest.raises(tk.ValidationError) as error:
        call_action("bulk_update_private", world.context("walidata"), org_id=world.opd["id"],
                    datasets=[dataset["id"]])
    _refused(error, "datasets")
    assert anonymous_reads(app, dataset)["package_show"]
    assert _db_state(dataset["id"]) == "published"


# Migrations ------------------------------------------------------------------------

def test_dataset_published_before_snapshots_keeps_its_public_version_on_update(app):
    """The migration that gave old public datasets the state `published` took no
    snapshot: the first update keeps the live (published) version as one."""
    world = make_world()
    dataset = world.dataset("terbatas")
    table_id = _table(dataset["id"], "nilailegacy")
    model.Session.execute(sa.update(model.Package).where(model.Package.id == dataset["id"])
                          .values(private=False))
    model.Session.execute(sa.update(WorkflowState).where(
        WorkflowState.package_id == dataset["id"]).values(state="published",
                                                          has_published=True))
    model.Session.commit()
    search.rebuild(dataset["id"])
    assert anonymous_reads(app, dataset)["package_show"]

    call_action("package_patch", world.context("operator"), id=dataset["id"],
                title="Judul revisi", klasifikasi_akses="terbuka")

    shown = app.get("/api/3/action/package_show", query_string={"id": dataset["id"]}).json
    assert shown["result"]["title"] == dataset["title"]
    after = anonymous_reads(app, dataset, table_id)
    assert not after["datastore_search"], after
