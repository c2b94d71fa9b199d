"""Tables of the verification workflow: current state, append-only history, published copy."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from ckanext.verifikasi.model.base import BaseModel

STATES = ("draft", "submitted", "verified", "published", "returned", "withdrawn")


class WorkflowState(BaseModel):
    """The workflow state of one dataset. `version` makes transitions compare-and-set."""

    __tablename__ = "verifikasi_state"

    package_id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True)
    state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, default="draft")
    version: Mapped[int] = sa.Column(sa.Integer, nullable=False, default=0)
    #: Deadline of the open correction request (set on return, cleared on submit).
    deadline: Mapped[dt.date | None] = sa.Column(sa.Date, nullable=True)
    updated: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False,
                                             default=dt.datetime.utcnow)
    #: Whether a published version exists (it stays public while an update is in review).
    has_published: Mapped[bool] = sa.Column(sa.Boolean, nullable=False, default=False)


class WorkflowEvent(BaseModel):
    """One transition with who made it and the note: append-only history."""

    __tablename__ = "verifikasi_event"
    __table_args__ = (sa.Index("verifikasi_event_package_idx", "package_id", "created"),)

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    package_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    action: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    from_state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    to_state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    actor_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    actor_role: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    note: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    deadline: Mapped[dt.date | None] = sa.Column(sa.Date, nullable=True)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False,
                                             default=dt.datetime.utcnow)


class PublishedSnapshot(BaseModel):
    """The dataset as published: what the public sees while an update is in review."""

    __tablename__ = "verifikasi_published"

    package_id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True)
    data: Mapped[dict[str, Any]] = sa.Column(JSONB, nullable=False)
    published: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False,
                                               default=dt.datetime.utcnow)
    published_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
