"""The file a load reads: an upload read in place, or a linked file fetched with safe_fetch."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from typing import Any

from ckanext.satudata.loader import config
from ckanext.satudata.loader.errors import LoadFailed, message


def file_of(resource: dict[str, Any]) -> tuple[str, str | None, Callable[[], None]]:
    """A local path to the resource's file (uploads are read in place), its name, and a cleanup."""
    url = resource.get("url") or ""
    filename = url.split("/")[-1].split("?")[0].split("#")[0] or None
    if resource.get("url_type") == "upload":
        return _upload(resource, filename)
    path = _fetched(url)
    return path, filename, lambda: os.unlink(path)


def _upload(resource: dict[str, Any],
            filename: str | None) -> tuple[str, str | None, Callable[[], None]]:
    from ckan.lib.uploader import get_resource_uploader

    path = get_resource_uploader(resource).get_path(resource["id"])
    if not os.path.exists(path):
        raise LoadFailed([message("The uploaded file of this resource is missing.")])
    # CKAN stores uploads without an extension and openpyxl refuses such paths:
    # read the file in place through a link that carries the original name.
    folder = tempfile.mkdtemp(prefix="satudata-load-")
    name = re.sub(r"[^\w.\-]", "_", filename or "data")
    link = os.path.join(folder, name)
    os.symlink(path, link)

    def cleanup() -> None:
        os.unlink(link)
        os.rmdir(folder)

    return link, filename, cleanup


def _fetched(url: str) -> str:
    """A temporary copy of a linked file (the caller deletes it)."""
    from ckanext.satudata import safe_fetch  # every server-side fetch: checked addresses

    handle, path = tempfile.mkstemp(prefix="satudata-load-")
    try:
        with os.fdopen(handle, "wb") as out:
            safe_fetch.fetch_to_file(url, out, max_bytes=config.max_bytes())
    except safe_fetch.FetchError as exc:
        os.unlink(path)
        raise LoadFailed([message(exc.msgid, **exc.params)]) from None
    except BaseException:
        os.unlink(path)
        raise
    return path


def md5(path: str) -> str:
    """The file's MD5 (a reload of an unchanged file is skipped)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
