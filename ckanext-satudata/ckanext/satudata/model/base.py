"""The declarative base of this package's tables.

At run time it is CKAN's `toolkit.BaseModel` (the tables share CKAN's
metadata). For the type checker it is a plain `declarative_base()`, which the
SQLAlchemy 1.4 mypy plugin understands, so `x: Mapped[T] = sa.Column(...)`
attributes type-check as `T` on instances.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import declarative_base

    BaseModel = declarative_base()
else:
    import ckan.plugins.toolkit as tk

    BaseModel = tk.BaseModel

__all__ = ["BaseModel"]
