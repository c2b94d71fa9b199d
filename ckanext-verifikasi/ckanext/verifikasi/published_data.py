"""The published data of a dataset, kept while an update of it is being prepared.

When a published dataset starts an update, each of its DataStore tables is
copied to `<resource id>_terbit` and each uploaded file to
`<storage>/verifikasi_published/<resource id>`. Until the update is
published, everyone outside the dataset's team reads those copies (DataStore
search, SQL search, info, dumps, previews, file downloads), while the OPD
changes the live table and files. Publishing the update (or withdrawing the
dataset) drops the copies.
"""
from __future__ import annotations

import os
import shutil

import sqlalchemy as sa
from ckan import model
from ckan.lib import uploader
from ckanext.datastore.backend.postgres import get_write_engine, identifier

from ckanext.verifikasi.model import PublishedSnapshot

SUFFIX = "_terbit"


def table_name(resource_id: str) -> str:
    return resource_id + SUFFIX


def _file_dir() -> str:
    return os.path.join(uploader.get_storage_path(), "verifikasi_published")


def file_path(resource_id: str) -> str:
    return os.path.join(_file_dir(), resource_id)


def _resources(package_id: str) -> list[model.Resource]:
    return model.Session.scalars(sa.select(model.Resource).where(
        model.Resource.package_id == package_id, model.Resource.state == "active")).all()


def _existing_tables(conn: sa.engine.Connection, names: list[str]) -> set[str]:
    rows = conn.execute(sa.text(
        "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND relname = ANY(:names)"),
        {"names": names})
    return {r[0] for r in rows}


def freeze(package_id: str) -> None:
    """Keep the published tables and files of the dataset (copies left by an earlier
    update are replaced: the dataset was published again since)."""
    resources = _resources(package_id)
    if not resources:
        return
    ids = [r.id for r in resources]
    with get_write_engine().begin() as conn:
        existing = _existing_tables(conn, ids + [table_name(i) for i in ids])
        for resource_id in ids:
            copy = identifier(table_name(resource_id))
            if table_name(resource_id) in existing:
                conn.execute(sa.text(f"DROP TABLE {copy}"))
            if resource_id in existing:
                source = identifier(resource_id)
                conn.execute(sa.text(f"CREATE TABLE {copy} (LIKE {source} INCLUDING COMMENTS)"))
                conn.execute(sa.text(f"INSERT INTO {copy} SELECT * FROM {source}"))
    for resource in resources:
        if resource.url_type != "upload":
            continue
        source = uploader.get_resource_uploader(
            {"id": resource.id, "url_type": "upload", "url": resource.url}).get_path(resource.id)
        if os.path.exists(source):
            os.makedirs(_file_dir(), exist_ok=True)
            shutil.copy2(source, file_path(resource.id))


def thaw(package_id: str) -> None:
    """The update is public (or the dataset withdrawn): drop the kept copies."""
    ids = [r.id for r in model.Session.scalars(sa.select(model.Resource).where(
        model.Resource.package_id == package_id))]
    if not ids:
        return
    with get_write_engine().begin() as conn:
        for name in _existing_tables(conn, [table_name(i) for i in ids]):
            conn.execute(sa.text(f"DROP TABLE {identifier(name)}"))
    for resource_id in ids:
        if os.path.exists(file_path(resource_id)):
            os.remove(file_path(resource_id))


def drop_tables(resource_ids: list[str]) -> None:
    """A purged dataset: drop its resources' DataStore tables and published copies (with
    the views that read them), and the kept files."""
    if not resource_ids:
        return
    with get_write_engine().begin() as conn:
        names = resource_ids + [table_name(i) for i in resource_ids]
        for name in _existing_tables(conn, names):
            conn.execute(sa.text(f"DROP TABLE {identifier(name)} CASCADE"))
    for resource_id in resource_ids:
        if os.path.exists(file_path(resource_id)):
            os.remove(file_path(resource_id))


def kept_table(resource_id: str) -> str | None:
    """The kept published copy of a resource's table, if one exists."""
    with get_write_engine().connect() as conn:
        found = _existing_tables(conn, [table_name(resource_id)])
    return table_name(resource_id) if found else None


def in_published_version(resource_id: str, package_id: str) -> bool:
    """Whether the dataset's published version has this resource. One added while an
    update is prepared has not been verified (nor checked for personal data): outside
    the team it does not exist until the update is published. A dataset published
    before snapshots were kept counts every resource."""
    snapshot = model.Session.get(PublishedSnapshot, package_id)
    if snapshot is None:
        return True
    return resource_id in {r.get("id") for r in (snapshot.data or {}).get("resources", [])}


def kept_file(resource_id: str) -> str | None:
    path = file_path(resource_id)
    return path if os.path.exists(path) else None
