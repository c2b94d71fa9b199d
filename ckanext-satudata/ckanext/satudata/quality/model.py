"""Tables of the metadata quality: each dataset's latest score, and the tickets.

A ticket is opened for a failing check of a dataset and closed either by a later
scoring that finds the check passing (`closed_by` empty) or by walidata with a
reason. Tickets are never deleted: a closed ticket is the history, and a problem
that comes back opens a new ticket.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from ckanext.satudata.model.base import BaseModel

__all__ = ["QualityScore", "QualityTicket"]


def _uuid() -> str:
    return str(uuid.uuid4())


class QualityScore(BaseModel):
    """The latest score of one dataset (replaced at each scoring)."""

    __tablename__ = "satudata_quality_score"

    package_id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True)
    organization_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    #: 0-100: the weighted share of applicable checks that pass.
    score: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    #: {dimension: 0-100} over the checks of each MQA dimension that apply.
    dimensions: Mapped[dict[str, Any]] = sa.Column(JSONB, nullable=False)
    #: {check id: detail} of the failing checks.
    failing: Mapped[dict[str, Any]] = sa.Column(JSONB, nullable=False)
    scored: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False)


class QualityTicket(BaseModel):
    """A failing check of a dataset, assigned to the dataset's OPD."""

    __tablename__ = "satudata_quality_ticket"
    __table_args__ = (
        sa.Index("satudata_quality_ticket_open_key", "package_id", "check", unique=True,
                 postgresql_where=sa.text("closed IS NULL")),
        sa.Index("satudata_quality_ticket_org_idx", "organization_id", "closed"),
    )

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    package_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    organization_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    check: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    severity: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    dimension: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    detail: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, default="")
    opened: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False)
    closed: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    #: The user (id) who closed it with a reason; empty when a scoring closed it.
    closed_by: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    close_reason: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    #: When the OPD's operators and verifikators were told (once).
    notified: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)

    @property
    def open_seconds(self) -> int | None:
        """How long it stayed open (None while open)."""
        return int((self.closed - self.opened).total_seconds()) if self.closed else None
