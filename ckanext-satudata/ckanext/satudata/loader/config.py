"""Typed getters of the loader's settings (declared in config_declaration.yaml)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def stale_seconds() -> int:
    return max(1, tk.config.get("ckanext.satudata.loader.stale_seconds"))


def heartbeat_seconds() -> float:
    """How often a running load writes its heartbeat: four beats within stale_seconds."""
    return min(30.0, max(0.5, stale_seconds() / 4))


def max_attempts() -> int:
    return max(1, tk.config.get("ckanext.satudata.loader.max_attempts"))


def job_timeout() -> int:
    return tk.config.get("ckanext.satudata.loader.job_timeout")


def heartbeat_rows() -> int:
    return max(1000, tk.config.get("ckanext.satudata.loader.heartbeat_rows"))


def max_bytes() -> int:
    return tk.config.get("ckanext.satudata.loader.max_mb") * 2**20


def index_after_swap() -> bool:
    return tk.config.get("ckanext.satudata.loader.index_after_swap")


def formats() -> frozenset[str]:
    return frozenset(tk.config.get("ckanext.satudata.loader.formats").lower().split())


def handles(resource: dict[str, Any]) -> bool:
    """Whether our loader loads this resource (by format; DataStore-managed resources never)."""
    if (resource.get("format") or "").strip().lower() not in formats():
        return False
    try:
        managed = tk.h.datastore_rw_resource_url_types()
    except AttributeError:
        managed = ["datastore"]
    return resource.get("url_type") not in (*managed, "datapusher", "xloader")
