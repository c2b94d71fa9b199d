"""Tables of the satudata plugin (created by its alembic migrations)."""
from __future__ import annotations

from ckanext.satudata.model.wilayah import JENIS, KodeWilayah

__all__ = ["JENIS", "KodeWilayah"]
