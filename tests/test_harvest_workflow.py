"""Harvested datasets enter the portal's workflow; deletions at the source propagate
(issue 15).

A stock-CKAN-like remote (`ckan` source) and a DCAT remote (`dcat_rdf` source) are real
HTTP servers on 127.0.0.1 (tests/harvest_remote.py); every harvest runs the real
gather, fetch and import stages of the registered harvesters in-process, with
ckanext-harvest's own `fetch_and_import_stages`. Checked here:

* by default a harvested dataset is a private draft of the source's OPD: its team sees
  it, anonymous callers do not (package_show, package_search);
* a *terpercaya* source (`satudata_terpercaya`, set by the walidata; the portal
  records who and when) publishes through verifikasi's gate with a history entry
  naming the source and the walidata; the gate still refuses incomplete metadata and
  personal data, and the harvest object fails with its message;
* `rahasia` is never public, on a trusted source and on re-harvest; `terbatas` data
  answers 403 to anonymous callers;
* a dataset gone from the remote is withdrawn (published) with the reason in its
  history, or deleted (never published; not purged), for both source types.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.satudata.ms_keg_sample import complete_ms_keg
from ckanext.verifikasi.tests.world import World, make_world
from tests.harvest_remote import ALLOW_LOCAL, static_files, stock_ckan, stock_dataset

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
              pytest.mark.ckan_config(*ALLOW_LOCAL)]

DEFAULTS = {"kategori": "DATA_DASAR", "klasifikasi_akses": "terbuka", "license_id": "cc-by",
            "sektor_kegiatan": "KESEHATAN", "frekuensi_penyelenggaraan": "TAHUNAN"}
LATER = "2099-01-01T00:00:00.000000"  # a remote change newer than any local copy


def _admin(world: World) -> dict[str, Any]:
    return {"user": world.users["sysadmin"]["name"]}


def _source(world: World, url: str, source_type: str = "ckan", *,
            trusted: bool = False, title: str = "Portal Provinsi Jawa Timur"
            ) -> dict[str, Any]:
    source = call_action(
        "harvest_source_create", _admin(world), url=url, title=title,
        name=f"sumber-{uuid.uuid4().hex[:8]}", source_type=source_type,
        owner_org=world.opd["id"], config=json.dumps({"satudata_defaults": DEFAULTS}))
    if trusted:
        _trust(world, source)
    return source


def _trust(world: World, source: dict[str, Any], value: Any = True,
           **extra: Any) -> dict[str, Any]:
    config = {"satudata_defaults": DEFAULTS, "satudata_terpercaya": value, **extra}
    return call_action("harvest_source_patch", world.context("walidata"),
                       id=source["id"], config=json.dumps(config))


def _harvest(world: World, source: dict[str, Any]) -> dict[str, list[str]]:
    """One harvest job of the source through the real stages; the errors of its
    objects by guid, and `_gather` for the gather errors."""
    from ckanext.harvest.model import (
        HarvestGatherError,
        HarvestJob,
        HarvestObject,
        HarvestObjectError,
    )
    from ckanext.harvest.queue import fetch_and_import_stages, get_harvester

    job = call_action("harvest_job_create", _admin(world), source_id=source["id"], run=False)
    job_obj = HarvestJob.get(job["id"])
    job_obj.status, job_obj.gather_started = "Running", dt.datetime.utcnow()
    job_obj.save()
    harvester = get_harvester(source["source_type"])
    object_ids = harvester.gather_stage(job_obj) or []
    job_obj.gather_finished = dt.datetime.utcnow()
    job_obj.save()
    for object_id in object_ids:
        fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    job_obj.status, job_obj.finished = "Finished", dt.datetime.utcnow()
    job_obj.save()
    errors: dict[str, list[str]] = {"_gather": [
        e.message for e in HarvestGatherError.filter(harvest_job_id=job["id"]).all()]}
    for obj in HarvestObject.filter(harvest_job_id=job["id"]).all():
        messages = [e.message for e in HarvestObjectError.filter(harvest_object_id=obj.id)]
        if messages:
            errors[obj.guid] = messages
    return errors


def _status(world: World, package_id: str) -> dict[str, Any]:
    return call_action("verifikasi_status_show", world.context("walidata"), id=package_id)


def _anonymous_sees(app, package_id: str) -> bool:
    shown = app.get("/api/3/action/package_show", query_string={"id": package_id})
    found = app.get("/api/3/action/package_search",
                    query_string={"q": f'id:"{package_id}"'}).json["result"]["count"]
    assert (shown.status_code == 200) == bool(found), (shown.status_code, found)
    return shown.status_code == 200


def _complete_remote(title: str, **fields: Any) -> dict[str, Any]:
    """A remote dataset of another Satu Data portal: every SDI field filled."""
    return stock_dataset(title, **{"kategori": "DATA_DASAR", "klasifikasi_akses": "terbuka",
                                   **complete_ms_keg(title, 2025, "Dinas Kesehatan"),
                                   **fields})


# 1. Default: private drafts of the source's OPD ---------------------------------------

def test_stock_ckan_datasets_land_as_private_drafts_of_the_opd(app):
    world = make_world()
    remote = [stock_dataset("Jumlah Puskesmas"), stock_dataset("Jumlah Posyandu")]
    with stock_ckan(remote) as server:
        source = _source(world, server.url)
        errors = _harvest(world, source)
    assert set(errors) == {"_gather"} and not errors["_gather"], errors
    for dataset in remote:
        pkg = model.Package.get(dataset["id"])
        assert pkg is not None and pkg.state == "active", dataset["title"]
        assert pkg.owner_org == world.opd["id"] and pkg.private
        assert pkg.extras["kategori"] == "DATA_DASAR"  # the source's defaults
        assert _status(world, pkg.id)["state"] == "draft"
        assert not _anonymous_sees(app, pkg.id)
    # The OPD's team finds them in its lists; another OPD does not.
    for who, expected in (("operator", 2), ("verifikator", 2), ("walidata", 2),
                          ("other_operator", 0)):
        found = call_action("package_search", world.context(who), include_private=True,
                            fq=f'owner_org:"{world.opd["id"]}"')
        assert found["count"] == expected, who
    # The source's public page lists what each viewer may see: the drafts' titles
    # reach the walidata and the OPD, never a visitor or another OPD.
    for who, sees in (("walidata", True), ("operator", True), ("other_operator", False),
                      (None, False)):
        headers = {"Authorization": world.users[who]["token"]} if who else {}
        page = app.get(f"/harvest/{source['name']}", headers=headers)
        assert page.status_code == 200, who
        assert ("Jumlah Puskesmas" in page.body) is sees, who
    assert app.get(f"/harvest/{source['name']}?page=abc").status_code == 400


def _turtle(datasets: list[tuple[str, str]], base: str = "http://remote.contoh.id",
            modified: str | None = None) -> str:
    lines = ["@prefix dcat: <http://www.w3.org/ns/dcat#> .",
             "@prefix dct: <http://purl.org/dc/terms/> .", "",
             f"<{base}/catalog> a dcat:Catalog ; dct:title \"Katalog Remote\" ;"]
    lines.append("    dcat:dataset " + ", ".join(f"<{base}/dataset/{k}>" for k, _ in datasets)
                 + " ." if datasets else "    dct:description \"kosong\" .")
    for key, title in datasets:
        lines += ["", f"<{base}/dataset/{key}> a dcat:Dataset ;",
                  f"    dct:title \"{title}\" ;",
                  f"    dct:description \"{title} dari katalog DCAT.\" ;",
                  f"    dct:identifier \"{key}\" ;",
                  *([f"    dct:modified \"{modified}\" ;"] if modified else []),
                  "    dcat:keyword \"kesehatan\" ;",
                  f"    dcat:distribution <{base}/dataset/{key}/csv> .",
                  f"<{base}/dataset/{key}/csv> a dcat:Distribution ;",
                  "    dct:title \"Tabel\" ; dct:format \"CSV\" ;",
                  f"    dcat:accessURL <{base}/files/{key}.csv> ."]
    return "\n".join(lines) + "\n"


def _by_guid(guid: str) -> model.Package | None:
    from ckanext.harvest.model import HarvestObject
    obj = model.Session.query(HarvestObject).filter(HarvestObject.guid == guid,
                                                    HarvestObject.package_id.isnot(None)
                                                    ).order_by(HarvestObject.gathered.desc()
                                                               ).first()
    return model.Package.get(obj.package_id) if obj else None


def test_dcat_datasets_land_as_private_drafts_of_the_opd(app):
    world = make_world()
    files = {"/catalog.ttl": (_turtle([("a", "Jumlah Bidan"), ("b", "Jumlah Dokter")]),
                              "text/turtle")}
    with static_files(files) as server:
        source = _source(world, f"{server.url}/catalog.ttl", "dcat_rdf")
        errors = _harvest(world, source)
    assert set(errors) == {"_gather"} and not errors["_gather"], errors
    for key in ("a", "b"):
        pkg = _by_guid(f"http://remote.contoh.id/dataset/{key}")
        assert pkg is not None and pkg.state == "active", key
        assert pkg.owner_org == world.opd["id"] and pkg.private
        assert pkg.extras["klasifikasi_akses"] == "terbuka"
        assert _status(world, pkg.id)["state"] == "draft"
        assert not _anonymous_sees(app, pkg.id)


# 2. A trusted source --------------------------------------------------------------------

def _stored_config(source: dict[str, Any]) -> dict[str, Any]:
    from ckanext.harvest.model import HarvestSource
    model.Session.expire_all()
    return json.loads(HarvestSource.get(source["id"]).config)


def test_the_portal_records_who_marked_a_source_trusted(app):
    world = make_world()
    source = _source(world, "https://remote.contoh.id/")
    # A record sent by the caller is refused (409 naming the key), nothing stored.
    forged = {"oleh": "orang-lain", "pada": "2020-01-01T00:00:00"}
    r = app.post("/api/3/action/harvest_source_patch",
                 json={"id": source["id"], "config": json.dumps(
                     {"satudata_defaults": DEFAULTS, "satudata_terpercaya": True,
                      "satudata_terpercaya_dicatat": forged})},
                 headers={"Authorization": world.users["walidata"]["token"]})
    assert r.status_code == 409, r.json
    assert any("satudata_terpercaya_dicatat" in m for m in r.json["error"]["config"])
    assert "satudata_terpercaya" not in _stored_config(source)
    # The acting walidata is recorded.
    before = dt.datetime.utcnow().replace(microsecond=0)
    _trust(world, source)
    record = _stored_config(source)["satudata_terpercaya_dicatat"]
    assert record["oleh"] == world.users["walidata"]["name"]
    assert dt.datetime.fromisoformat(record["pada"]) >= before
    shown = call_action("harvest_source_show", world.context("walidata"), id=source["id"])
    assert json.loads(shown["config"])["satudata_terpercaya_dicatat"] == record
    # Saved again by a sysadmin with the record as shown, still trusted: it stays.
    call_action("harvest_source_patch", _admin(world), id=source["id"],
                config=json.dumps(_stored_config(source)))
    assert _stored_config(source)["satudata_terpercaya_dicatat"] == record
    # No longer trusted: the record goes.
    _trust(world, source, value=False)
    assert "satudata_terpercaya_dicatat" not in _stored_config(source)
    # Not a boolean: refused (409) naming the key, nothing stored.
    r = app.post("/api/3/action/harvest_source_patch",
                 json={"id": source["id"], "config": json.dumps(
                     {"satudata_defaults": DEFAULTS, "satudata_terpercaya": "ya"})},
                 headers={"Authorization": world.users["walidata"]["token"]})
    assert r.status_code == 409, r.json
    assert any("satudata_terpercaya" in m for m in r.json["error"]["config"]), r.json
    assert _stored_config(source)["satudata_terpercaya"] is False
    # Not even by an internal call that skips auth on behalf of an OPD operator.
    with pytest.raises(tk.NotAuthorized):
        call_action("harvest_source_patch", {"user": world.users["operator"]["name"],
                                             "ignore_auth": True},
                    id=source["id"], config=json.dumps(
                        {"satudata_defaults": DEFAULTS, "satudata_terpercaya": True}))
    assert _stored_config(source)["satudata_terpercaya"] is False
    # OPD roles cannot set it (sources are the walidata's).
    r = app.post("/api/3/action/harvest_source_patch",
                 json={"id": source["id"], "config": json.dumps(
                     {"satudata_defaults": DEFAULTS, "satudata_terpercaya": True})},
                 headers={"Authorization": world.users["operator"]["token"]})
    assert r.status_code == 403
    assert _stored_config(source)["satudata_terpercaya"] is False


def test_a_trusted_source_publishes_directly_with_a_history_entry(app):
    world = make_world()
    remote = [_complete_remote("Jumlah Puskesmas"), _complete_remote("Jumlah Posyandu")]
    with stock_ckan(remote) as server:
        source = _source(world, server.url, trusted=True, title="Portal Jatim")
        errors = _harvest(world, source)
    assert set(errors) == {"_gather"}, errors
    walidata = world.users["walidata"]["name"]
    for dataset in remote:
        pkg = model.Package.get(dataset["id"])
        assert not pkg.private
        status = _status(world, pkg.id)
        assert status["state"] == "published" and status["has_published"]
        entry = status["history"][-1]
        assert entry["to_state"] == "published" and entry["action"] == "publish"
        assert "Portal Jatim" in entry["note"] and server.url in entry["note"], entry
        assert walidata in entry["note"], entry
        assert _anonymous_sees(app, pkg.id)


def test_a_trusted_source_still_meets_the_gate_incomplete_metadata(app):
    world = make_world()
    remote = [stock_dataset("Jumlah Puskesmas")]  # no SDI metadata beyond the defaults
    with stock_ckan(remote) as server:
        source = _source(world, server.url, trusted=True)
        errors = _harvest(world, source)
    messages = " ".join(errors.get(remote[0]["id"], []))
    assert messages.startswith("metadata:"), errors
    pkg = model.Package.get(remote[0]["id"])
    assert pkg.private and _status(world, pkg.id)["state"] == "draft"
    assert not _anonymous_sees(app, pkg.id)


def test_a_trusted_source_still_meets_the_gate_personal_data(app):
    world = make_world()
    dataset = stock_dataset("Penerima Bantuan")
    remote = [dataset]
    with stock_ckan(remote) as server:
        source = _source(world, server.url, trusted=True)
        assert _harvest(world, source).get(dataset["id"])  # incomplete: refused
        # Its table is loaded (with NIKs), then the remote completes the metadata.
        call_action("datastore_create", _admin(world),
                    resource_id=dataset["resources"][0]["id"], force=True,
                    fields=[{"id": "nik", "type": "text"}, {"id": "jumlah", "type": "int4"}],
                    records=[{"nik": f"35140152049{i:05d}", "jumlah": i}
                             for i in range(1, 21)])
        remote[0] = _complete_remote("Penerima Bantuan", id=dataset["id"],
                                     name=dataset["name"], resources=dataset["resources"],
                                     metadata_modified=LATER)
        errors = _harvest(world, source)
    messages = " ".join(errors.get(dataset["id"], []))
    assert "data_pribadi:" in messages, errors
    assert "35140152049" not in messages
    pkg = model.Package.get(dataset["id"])
    assert pkg.private and _status(world, pkg.id)["state"] == "draft"
    assert not _anonymous_sees(app, pkg.id)


def test_a_trusted_dcat_source_meets_the_gate_too(app):
    world = make_world()
    files = {"/catalog.ttl": (_turtle([("a", "Jumlah Bidan")]), "text/turtle")}
    with static_files(files) as server:
        source = _source(world, f"{server.url}/catalog.ttl", "dcat_rdf", trusted=True)
        errors = _harvest(world, source)
    messages = " ".join(errors.get("http://remote.contoh.id/dataset/a", []))
    assert "metadata:" in messages, errors  # a plain DCAT dataset lacks the SDI fields
    pkg = _by_guid("http://remote.contoh.id/dataset/a")
    assert pkg.private and _status(world, pkg.id)["state"] == "draft"
    assert not _anonymous_sees(app, pkg.id)


# 3. rahasia never public; terbatas data protected ----------------------------------------

def test_rahasia_is_never_public_even_from_a_trusted_source(app):
    world = make_world()
    secret = _complete_remote("Data Kasus", klasifikasi_akses="rahasia", private=False)
    opened = _complete_remote("Data Layanan")
    remote = [secret, opened]
    with stock_ckan(remote) as server:
        source = _source(world, server.url, trusted=True)
        assert _harvest(world, source) == {"_gather": []}
        assert model.Package.get(secret["id"]).private
        assert _status(world, secret["id"])["state"] == "draft"
        assert not _anonymous_sees(app, secret["id"])
        assert _anonymous_sees(app, opened["id"])
        # Re-harvest: the published dataset is rahasia at the source now.
        remote[1] = {**opened, "klasifikasi_akses": "rahasia", "private": False,
                     "metadata_modified": LATER}
        remote[0] = {**secret, "metadata_modified": LATER}
        _harvest(world, source)
    for dataset in remote:
        pkg = model.Package.get(dataset["id"])
        assert pkg.private, dataset["title"]
        assert not _anonymous_sees(app, pkg.id), dataset["title"]
    status = _status(world, opened["id"])
    assert status["state"] == "withdrawn", status
    assert model.Package.get(opened["id"]).extras["klasifikasi_akses"] == "rahasia"
    assert "Portal Provinsi Jawa Timur" in status["history"][-1]["note"]


def test_terbatas_data_from_a_trusted_source_stays_protected(app):
    world = make_world()
    dataset = _complete_remote("Data Bantuan Sosial", klasifikasi_akses="terbatas")
    for resource in dataset["resources"]:  # the remote says nothing of our DataStore
        resource.pop("datastore_active")
    remote = [dataset]
    resource_id = dataset["resources"][0]["id"]
    with stock_ckan(remote) as server:
        source = _source(world, server.url)
        assert _harvest(world, source) == {"_gather": []}
        # Its table is loaded while it is a draft; then the source is trusted.
        call_action("datastore_create", _admin(world), resource_id=resource_id, force=True,
                    fields=[{"id": "kecamatan", "type": "text"},
                            {"id": "jumlah", "type": "int4"}],
                    records=[{"kecamatan": f"K{i:02d}", "jumlah": i} for i in range(1, 6)])
        _trust(world, source)
        remote[0] = {**dataset, "metadata_modified": LATER}
        assert _harvest(world, source) == {"_gather": []}
    assert _status(world, dataset["id"])["state"] == "published"
    assert _anonymous_sees(app, dataset["id"])  # its metadata is public
    download = f"/dataset/{dataset['id']}/resource/{resource_id}/download"
    assert app.get(download, follow_redirects=False).status_code == 403
    for action in ("datastore_search", "datastore_info"):
        r = app.get(f"/api/3/action/{action}",
                    query_string={"resource_id": resource_id, "id": resource_id})
        assert r.status_code == 403, action
    # Refused too, but as a 404 (satudata's exports answer so; tests/test_exports.py).
    for fmt in ("csv", "json"):
        r = app.get(f"/datastore/dump/{resource_id}", query_string={"format": fmt})
        assert r.status_code in (403, 404) and "K01" not in r.body, fmt
    # The OPD's operator reads its data.
    r = app.get(f"/datastore/dump/{resource_id}",
                headers={"Authorization": world.users["operator"]["token"]})
    assert r.status_code == 200


# 4. Deletions at the source ------------------------------------------------------------------

def test_a_dataset_deleted_at_a_ckan_source_is_withdrawn_with_the_reason(app):
    world = make_world()
    remote = [_complete_remote(f"Jumlah Fasilitas {i}") for i in range(3)]
    gone = remote[1]
    with stock_ckan(remote) as server:
        source = _source(world, server.url, trusted=True, title="Portal Jatim")
        assert _harvest(world, source) == {"_gather": []}
        assert all(_anonymous_sees(app, d["id"]) for d in remote)
        remote.remove(gone)
        errors = _harvest(world, source)
    assert errors == {"_gather": []}, errors
    pkg = model.Package.get(gone["id"])
    assert pkg is not None and pkg.state == "active" and pkg.private  # not purged
    status = _status(world, gone["id"])
    assert status["state"] == "withdrawn"
    entry = status["history"][-1]
    assert entry["action"] == "withdraw" and entry["from_state"] == "published"
    assert "Portal Jatim" in entry["note"] and server.url in entry["note"], entry
    assert not _anonymous_sees(app, gone["id"])
    for kept in remote:
        assert _status(world, kept["id"])["state"] == "published"
        assert _anonymous_sees(app, kept["id"])
    from ckanext.harvest.model import HarvestObject
    last = model.Session.query(HarvestObject).filter_by(guid=gone["id"]).order_by(
        HarvestObject.gathered.desc()).first()
    assert last.report_status == "deleted" and last.state == "COMPLETE"


def test_an_empty_answer_of_a_ckan_source_withdraws_nothing(app):
    world = make_world()
    dataset = _complete_remote("Jumlah Pasar")
    remote = [dataset]
    with stock_ckan(remote) as server:
        source = _source(world, server.url, trusted=True)
        _harvest(world, source)
        remote.clear()
        _harvest(world, source)
    assert _status(world, dataset["id"])["state"] == "published"
    assert _anonymous_sees(app, dataset["id"])


def test_datasets_deleted_at_a_dcat_source_are_withdrawn_or_deleted(app):
    world = make_world()
    keys = [("a", "Jumlah Bidan"), ("b", "Jumlah Dokter"), ("c", "Jumlah Perawat")]
    files = {"/catalog.ttl": (_turtle(keys), "text/turtle")}
    with static_files(files) as server:
        source = _source(world, f"{server.url}/catalog.ttl", "dcat_rdf",
                         title="Katalog DCAT Provinsi")
        assert _harvest(world, source) == {"_gather": []}
        published, draft, kept = (_by_guid(f"http://remote.contoh.id/dataset/{k}")
                                  for k, _ in keys)
        # The OPD completes one draft and it is published through the workflow.
        call_action("package_patch", world.context("operator"), id=published.id,
                    **complete_ms_keg("Jumlah Bidan", 2025, world.opd["title"]))
        world.publish(published.id)
        assert _anonymous_sees(app, published.id)
        files["/catalog.ttl"] = (_turtle([keys[2]]), "text/turtle")
        errors = _harvest(world, source)
    assert not any(v for v in errors.values()), errors
    model.Session.expire_all()
    status = _status(world, published.id)
    assert status["state"] == "withdrawn"
    assert "Katalog DCAT Provinsi" in status["history"][-1]["note"]
    assert model.Package.get(published.id).state == "active"
    assert not _anonymous_sees(app, published.id)
    # Never published: deleted (state deleted), not purged.
    assert model.Package.get(draft.id).state == "deleted"
    assert model.Package.get(kept.id).state == "active"
    assert _status(world, kept.id)["state"] == "draft"


def test_an_empty_dcat_catalogue_withdraws_nothing(app):
    """ckanext-dcat marks every dataset of the source for deletion when the remote graph
    lists none: an empty answer (a broken export) gathers nothing and withdraws nothing,
    and the job says why."""
    world = make_world()
    keys = [("a", "Jumlah Bidan")]
    files = {"/catalog.ttl": (_turtle(keys), "text/turtle")}
    with static_files(files) as server:
        source = _source(world, f"{server.url}/catalog.ttl", "dcat_rdf")
        _harvest(world, source)
        harvested = _by_guid("http://remote.contoh.id/dataset/a")
        call_action("package_patch", world.context("operator"), id=harvested.id,
                    **complete_ms_keg("Jumlah Bidan", 2025, world.opd["title"]))
        world.publish(harvested.id)
        files["/catalog.ttl"] = (_turtle([]), "text/turtle")
        errors = _harvest(world, source)
    assert any("Check the source" in str(e) or "alamat sumber" in str(e)
               for e in errors.get("_gather", [])), errors
    model.Session.expire_all()
    assert _status(world, harvested.id)["state"] == "published"
    assert _anonymous_sees(app, harvested.id)


# Changes of a published dataset from a source that is not trusted ------------------------

def _public_title(app, package_id: str) -> str:
    return app.get("/api/3/action/package_show",
                   query_string={"id": package_id}).json["result"]["title"]


def test_an_untrusted_ckan_source_changes_a_published_dataset_through_an_update(app):
    world = make_world()
    dataset = _complete_remote("Jumlah Puskesmas")
    remote = [dataset]
    with stock_ckan(remote) as server:
        source = _source(world, server.url)
        assert _harvest(world, source) == {"_gather": []}
        world.publish(dataset["id"])
        published = len(_status(world, dataset["id"])["history"])
        remote[0] = {**dataset, "title": "Jumlah Puskesmas (revisi)",
                     "metadata_modified": LATER}
        assert _harvest(world, source) == {"_gather": []}
    status = _status(world, dataset["id"])
    assert status["state"] == "draft" and status["has_published"], status
    assert len(status["history"]) == published  # no publication of the change
    assert _public_title(app, dataset["id"]) == "Jumlah Puskesmas"
    live = call_action("package_show", world.context("operator"), id=dataset["id"])
    assert live["title"] == "Jumlah Puskesmas (revisi)"


def test_an_untrusted_dcat_source_rewrites_only_what_changed_through_an_update(app):
    world = make_world()
    keys = [("a", "Jumlah Bidan")]
    files = {"/catalog.ttl": (_turtle(keys, modified="2026-01-05"), "text/turtle")}
    with static_files(files) as server:
        source = _source(world, f"{server.url}/catalog.ttl", "dcat_rdf")
        assert _harvest(world, source) == {"_gather": []}
        pkg = _by_guid("http://remote.contoh.id/dataset/a")
        call_action("package_patch", world.context("operator"), id=pkg.id,
                    **complete_ms_keg("Jumlah Bidan", 2025, world.opd["title"]))
        world.publish(pkg.id)
        history = _status(world, pkg.id)["history"]
        # Not modified at the source: not written again (no publication, no update).
        assert _harvest(world, source) == {"_gather": []}
        assert _status(world, pkg.id)["history"] == history
        assert _status(world, pkg.id)["state"] == "published"
        # Modified: an update through the workflow; the public keeps the published one.
        files["/catalog.ttl"] = (_turtle([("a", "Jumlah Bidan Desa")], modified="2026-03-01"),
                                 "text/turtle")
        errors = _harvest(world, source)
        status = _status(world, pkg.id)
        assert status["state"] == "draft" and status["has_published"], (status, errors)
        assert _public_title(app, pkg.id) == "Jumlah Bidan"
        # Gone at the source after that (another dataset remains: an empty catalogue
        # withdraws nothing): withdrawn with the reason.
        files["/catalog.ttl"] = (_turtle([("b", "Jumlah Perawat")]), "text/turtle")
        _harvest(world, source)
    assert _status(world, pkg.id)["state"] == "withdrawn"
    assert not _anonymous_sees(app, pkg.id)


def test_the_deletion_pass_lists_the_remote_with_the_sources_filters():
    from ckanext.satudata.harvest_deletion import ckan_fq_terms

    assert ckan_fq_terms({}) == []
    assert ckan_fq_terms({"organizations_filter_include": ["dinkes", "dispendik"],
                          "organizations_filter_exclude": ["lain"],
                          "groups_filter_exclude": ["arsip", "uji"]}) == [
        "organization:dinkes OR organization:dispendik", "-groups:arsip", "-groups:uji"]
