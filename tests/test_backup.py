"""Backups that restore (issue 14): `scripts/backup.sh` and `scripts/restore.sh` on
the test environment's own databases, storage path and Solr core.

A populated portal (two OPDs with every role, published and draft datasets with
workflow history, DataStore rows, an uploaded file, an access grant, a data
request) is backed up, then damaged (a dataset deleted, one purged, DataStore rows
deleted, the file removed, a new dataset and DataStore table added, the secrets
changed) and restored: both databases, the file bytes, the secrets and the search
results are as they were. A damaged archive is refused with nothing changed.
"""
from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import uploader
from ckan.tests.helpers import call_action
from ckanext.datastore.backend import postgres as datastore_postgres
from werkzeug.datastructures import FileStorage

from ckanext.verifikasi import shared
from ckanext.verifikasi.tests.world import make_world

ROOT = Path(__file__).resolve().parents[1]
CSV = b"kecamatan;jumlah_posyandu\nBangil;41\nPandaan;37\nGempol;52\n"
SECRETS = "SECRET_KEY=sebelum-backup\nDB_PASSWORD=tetap\n"


@pytest.fixture
def env(ckan_config, tmp_path) -> dict[str, str]:
    """The scripts' environment: the test ini, a backup directory and secrets file
    of this test (never var/secrets.env nor the developer's databases)."""
    secrets = tmp_path / "secrets.env"
    secrets.write_text(SECRETS)
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith("CKAN_") and not k.startswith("SATUDATA_")}
    environ.update(SATUDATA_INI=ckan_config["__file__"],
                   SATUDATA_BACKUP_DIR=str(tmp_path / "arsip"),
                   SATUDATA_SECRETS=str(secrets), SATUDATA_BACKUP_KEEP="3")
    return environ


def _run(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    model.Session.remove()  # no open transaction holds locks while pg_restore runs
    done = subprocess.run(["bash", str(ROOT / "scripts" / script), *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    # A restore ends the connections to the databases it replaces; the test ini
    # does not ping pooled connections before use, so the pools are dropped.
    model.meta.engine.dispose()
    for engine in datastore_postgres._engines.values():
        engine.dispose()
    return done


def _backup(env: dict[str, str]) -> Path:
    done = _run("backup.sh", env)
    assert done.returncode == 0, done.stderr + done.stdout
    print(done.stdout.strip().splitlines()[-2], file=sys.stderr)  # "backup written in N s"
    archive = Path(done.stdout.strip().splitlines()[-1])
    assert archive.parent == Path(env["SATUDATA_BACKUP_DIR"]) and archive.is_file()
    return archive


def _tables(url: str) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row of every table of the public schema."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            names = conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
            return {name: tuple(conn.execute(sa.text(
                f'SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text),'
                f" '')) FROM public.\"{name}\" t")).one()) for name in names}
    finally:
        engine.dispose()


def _state(ckan_config, world, files: dict[str, Path]) -> dict[str, Any]:
    """Everything the round trip must bring back."""
    model.Session.remove()
    sysadmin = world.context("sysadmin")
    search = call_action("package_search", dict(sysadmin), include_private=True,
                         include_drafts=True, rows=100, sort="name asc")
    public = call_action("package_search", {"user": "", "ignore_auth": False}, rows=100,
                         sort="name asc")
    found = call_action("package_search", dict(sysadmin), q="Posyandu Bangil",
                        include_private=True, include_drafts=True, rows=100)
    return {
        "ckan": _tables(ckan_config["sqlalchemy.url"]),
        "datastore": _tables(ckan_config["ckan.datastore.write_url"]),
        "files": {k: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
                  for k, p in files.items()},
        "search": (search["count"], [d["name"] for d in search["results"]]),
        "public": (public["count"], [d["name"] for d in public["results"]]),
        "found": sorted(d["name"] for d in found["results"]),
    }


@pytest.fixture
def world(with_plugins, clean_db, clean_index, with_request_context, smtp_server):
    return make_world()


def _upload(world, dataset_id: str) -> dict[str, Any]:
    return call_action("resource_create", world.context("operator"), package_id=dataset_id,
                       name="Posyandu per kecamatan", format="CSV",
                       upload=FileStorage(stream=io.BytesIO(CSV), filename="posyandu.csv"))


def test_round_trip_restores_databases_files_secrets_and_search(world, env, ckan_config):
    sysadmin = world.context("sysadmin")
    # A published open dataset with an uploaded file and DataStore rows.
    open_ds = world.dataset("terbuka", title="Jumlah Posyandu Bangil dan Pandaan")
    upload = _upload(world, open_ds["id"])
    table = call_action("datastore_create", dict(sysadmin), force=True,
                        resource={"package_id": open_ds["id"], "name": "Tabel posyandu"},
                        fields=[{"id": "kecamatan", "type": "text"},
                                {"id": "jumlah", "type": "int"}],
                        records=[{"kecamatan": k, "jumlah": n} for k, n in
                                 [("Bangil", 41), ("Pandaan", 37), ("Gempol", 52)]])
    world.publish(open_ds["id"])
    # A published terbatas dataset with an access grant; a returned one; a draft.
    limited = world.dataset("terbatas", title="Data Balita Gizi Kurang")
    world.publish(limited["id"])
    call_action("verifikasi_access_grant", world.context("walidata"), id=limited["id"],
                user=world.users["grantee"]["name"], expires="2099-12-31", reason="Skripsi")
    returned = world.dataset("terbuka", title="Jumlah Puskesmas")
    call_action("verifikasi_submit", world.context("operator"), id=returned["id"])
    call_action("verifikasi_return", world.context("verifikator"), id=returned["id"],
                note="Lengkapi sumber data")
    world.dataset("terbuka", title="Draf Jumlah Bidan")
    request = call_action("satudata_request_create", world.context("grantee"), kind="data",
                          description="Jumlah posyandu per desa 2025")
    file_path = Path(uploader.get_resource_uploader(upload).get_path(upload["id"]))
    assert file_path.read_bytes() == CSV
    files = {"upload": file_path}
    before = _state(ckan_config, world, files)
    assert before["search"][0] == 4 and open_ds["name"] in before["found"]
    assert before["datastore"][table["resource_id"]][0] == 3

    archive = _backup(env)
    assert Path(f"{archive}.sha256").is_file()
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == sorted([
            "MANIFEST", "SHA256SUMS", "ckan.dump", "datastore.dump", "secrets.env",
            "storage.tar.gz"])
    print(f"archive {archive.stat().st_size} bytes", file=sys.stderr)

    # Damage: deleted and purged datasets, rows gone, file gone, new data, new secrets.
    call_action("package_delete", dict(sysadmin), id=open_ds["id"])
    call_action("dataset_purge", dict(sysadmin), id=returned["id"])
    call_action("datastore_delete", dict(sysadmin), resource_id=table["resource_id"],
                filters={"kecamatan": "Bangil"}, force=True)
    file_path.unlink()
    later = world.dataset("terbuka", title="Dibuat Setelah Backup")
    call_action("datastore_create", dict(sysadmin), force=True,
                resource={"package_id": later["id"], "name": "Baru"},
                fields=[{"id": "x", "type": "int"}], records=[{"x": 1}])
    secrets = Path(env["SATUDATA_SECRETS"])
    secrets.write_text("SECRET_KEY=diubah\n")
    damaged = _state(ckan_config, world, files)
    assert damaged["files"]["upload"] is None
    assert damaged["ckan"] != before["ckan"] and damaged["datastore"] != before["datastore"]
    assert damaged["search"] != before["search"]

    done = _run("restore.sh", env, "--yes", str(archive))
    assert done.returncode == 0, done.stderr + done.stdout
    print(done.stdout.strip().splitlines()[-1], file=sys.stderr)  # "restored ... in N s"
    after = _state(ckan_config, world, files)
    assert after["ckan"] == before["ckan"]
    assert after["datastore"] == before["datastore"]
    assert after["files"] == before["files"]
    assert after["search"] == before["search"] and after["public"] == before["public"]
    assert after["found"] == before["found"]
    assert secrets.read_text() == SECRETS
    assert list(secrets.parent.glob("secrets.env.before-restore-*"))[0].read_text() \
        == "SECRET_KEY=diubah\n"
    # And through the portal's own actions: rows, history, grant, request.
    rows = call_action("datastore_search", dict(sysadmin), resource_id=table["resource_id"],
                       sort="kecamatan")["records"]
    assert [(r["kecamatan"], r["jumlah"]) for r in rows] == [
        ("Bangil", 41), ("Gempol", 52), ("Pandaan", 37)]
    assert call_action("package_show", dict(sysadmin), id=open_ds["id"])["state"] == "active"
    history = call_action("verifikasi_status_show", world.context("walidata"), id=returned["id"])
    assert history["state"] == "returned"
    assert shared.can_use_data(world.users["grantee"]["name"], limited["id"])
    shown = call_action("satudata_request_show", world.context("grantee"), id=request["id"])
    assert shown["number"] == request["number"]


def test_a_damaged_archive_is_refused_and_nothing_changes(
        with_plugins, clean_db, clean_index, with_request_context, env, ckan_config,
        sysadmin_context):
    archive = _backup(env)
    arsip = archive.parent
    # Retention: of two older archives and the new one, the newest SATUDATA_BACKUP_KEEP stay.
    site = archive.name.rsplit("-", 1)[0]
    for stamp in ("20200101T000000Z", "20200102T000000Z", "20200103T000000Z"):
        (arsip / f"{site}-{stamp}.tar").write_bytes(b"old")
        (arsip / f"{site}-{stamp}.tar.sha256").write_text("old")
    time.sleep(1.1)  # archives are named to the second
    _backup_again = _run("backup.sh", env)
    assert _backup_again.returncode == 0, _backup_again.stderr
    kept = sorted(p.name for p in arsip.glob("*.tar"))
    assert len(kept) == 3 and f"{site}-20200102T000000Z.tar" not in kept \
        and archive.name in kept
    assert not (arsip / f"{site}-20200101T000000Z.tar.sha256").exists()

    # What a restore would change, changed after the backup.
    call_action("organization_create", dict(sysadmin_context), name="dibuat-setelah-backup")
    Path(env["SATUDATA_SECRETS"]).write_text("SECRET_KEY=baru\n")
    before = (_tables(ckan_config["sqlalchemy.url"]),
              _tables(ckan_config["ckan.datastore.write_url"]))

    # One byte changed inside the CKAN dump (the tar itself stays readable).
    with tarfile.open(archive) as tar:
        offset = tar.getmember("ckan.dump").offset_data + 100
    damaged = arsip / "damaged" / archive.name
    damaged.parent.mkdir()
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0xFF
    damaged.write_bytes(bytes(data))
    # With the archive's checksum file next to it, and without it (SHA256SUMS inside).
    Path(f"{damaged}.sha256").write_text(
        Path(f"{archive}.sha256").read_text())
    refused = _run("restore.sh", env, "--yes", str(damaged))
    assert refused.returncode != 0
    assert "REFUSED" in refused.stderr and "damaged" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    Path(f"{damaged}.sha256").unlink()
    refused = _run("restore.sh", env, "--yes", str(damaged))
    assert refused.returncode != 0
    assert "checksum mismatch in ckan.dump" in refused.stderr, refused.stderr
    # A truncated archive.
    truncated = arsip / "damaged" / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[: offset])
    refused = _run("restore.sh", env, "--yes", str(truncated))
    assert refused.returncode != 0 and "REFUSED" in refused.stderr, refused.stderr

    # A sound archive, but not confirmed (no terminal to ask, no --yes).
    unconfirmed = _run("restore.sh", env, str(archive))
    assert unconfirmed.returncode != 0 and "--yes" in unconfirmed.stderr

    after = (_tables(ckan_config["sqlalchemy.url"]),
             _tables(ckan_config["ckan.datastore.write_url"]))
    assert after == before
    assert Path(env["SATUDATA_SECRETS"]).read_text() == "SECRET_KEY=baru\n"
    assert call_action("organization_show", dict(sysadmin_context), id="dibuat-setelah-backup")


def test_archives_are_refused_inside_var(env):
    inside = dict(env, SATUDATA_BACKUP_DIR=str(ROOT / "var" / "backups-test"))
    done = _run("backup.sh", inside)
    assert done.returncode != 0 and "outside" in done.stderr
    assert not (ROOT / "var" / "backups-test").exists()
