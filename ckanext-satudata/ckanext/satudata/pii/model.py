"""Tables of the personal data gate: accepted exceptions and cached scan results."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from ckanext.satudata.model.base import BaseModel

__all__ = ["PiiException", "PiiScan"]


def _uuid() -> str:
    return str(uuid.uuid4())


class PiiException(BaseModel):
    """The walidata accepted that one column of one resource holds personal data
    (with a reason): findings in that column no longer block the workflow."""

    __tablename__ = "satudata_pii_exception"
    __table_args__ = (
        sa.Index("satudata_pii_exception_key", "resource_id", "column", unique=True),
        sa.Index("satudata_pii_exception_package_idx", "package_id"),
    )

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    package_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    resource_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    column: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    reason: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False,
                                             default=dt.datetime.utcnow)
    created_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)


class PiiScan(BaseModel):
    """The last scan of a resource's DataStore table or uploaded file, valid while the
    table's (or file's) fingerprint is unchanged. Findings hold row numbers, never values."""

    __tablename__ = "satudata_pii_scan"

    resource_id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True)
    source: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True)  # datastore / file
    fingerprint: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    findings: Mapped[list[dict[str, Any]]] = sa.Column(JSONB, nullable=False)
    sampled: Mapped[bool] = sa.Column(sa.Boolean, nullable=False, default=False)
    scanned: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False,
                                             default=dt.datetime.utcnow)
