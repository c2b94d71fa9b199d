"""Where uploaded import files wait between their check and their application.

A file is kept from `satudata_input_import_check` until it is applied; one that
is never applied is discarded after `keep_checked_imports_hours`.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata.model import InputImport


def import_dir() -> Path:
    path = Path(tk.config["ckan.storage_path"]) / "satudata_input"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_path(found: InputImport) -> Path:
    suffix = Path(found.filename).suffix.lower()
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""
    return import_dir() / f"{found.id}{suffix}"


def discard_stale(older_than: dt.timedelta) -> int:
    """Discard checked imports older than `older_than`, and files no import owns.

    Returns how many imports were discarded. Their summaries stay (state
    "discarded"); applying one asks for the file again.
    """
    cutoff = dt.datetime.utcnow() - older_than
    stale = model.Session.query(InputImport).filter(
        InputImport.state == "checked", InputImport.created < cutoff).all()
    for found in stale:
        found.state = "discarded"
    model.Session.commit()
    for found in stale:
        import_path(found).unlink(missing_ok=True)
    # Files left by a crash between saving and recording (no checked import owns them).
    waiting = {import_path(f).name for f in model.Session.query(InputImport).filter(
        InputImport.state == "checked")}
    oldest_kept = time.time() - older_than.total_seconds()
    for path in import_dir().iterdir():
        if path.is_file() and path.name not in waiting and path.stat().st_mtime < oldest_kept:
            path.unlink(missing_ok=True)
    return len(stale)
