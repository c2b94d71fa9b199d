"""Table `verifikasi_audit`: append-only log of workflow, roles, grants and restricted downloads."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from ckanext.verifikasi.model.base import BaseModel


class AuditEntry(BaseModel):
    __tablename__ = "verifikasi_audit"
    __table_args__ = (sa.Index("verifikasi_audit_created_idx", "created"),
                      sa.Index("verifikasi_audit_object_idx", "object_id"))

    id: Mapped[int] = sa.Column(sa.BigInteger, primary_key=True, autoincrement=True)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False,
                                             default=dt.datetime.utcnow)
    actor: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    action: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    object_type: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    object_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    detail: Mapped[dict[str, Any]] = sa.Column(JSONB, nullable=False, default=dict)
    remote_addr: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
