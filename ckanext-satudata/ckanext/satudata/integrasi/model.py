"""Tables of integrations: requests, their documents and decisions, pull schedules and
sync runs (migration a7c1e9d3f5b2)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from ckanext.satudata.model.base import BaseModel

__all__ = ["Integrasi", "IntegrasiDocument", "IntegrasiEvent", "IntegrasiPull",
           "IntegrasiRun", "SCHEDULES", "FORMATS", "STATUSES"]

STATUSES = ("requested", "approved", "rejected", "revoked")
SCHEDULES = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}
FORMATS = ("csv", "json", "xlsx")


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


class Integrasi(BaseModel):
    """One OPD system's integration, from its request to its approval or revocation."""

    __tablename__ = "satudata_integrasi"

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    organization_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    system_name: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    contact: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    api_description: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    data_structure: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    status: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, default="requested")
    #: The service account (a CKAN user that is not a person), once approved.
    service_user_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    token_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    created_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    decided_by: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    decided: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    decision_note: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)


class IntegrasiDocument(BaseModel):
    """A document of the request (integration document, DB structure), kept as an archive."""

    __tablename__ = "satudata_integrasi_document"

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    integrasi_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    filename: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: The name CKAN's uploader stored it under (storage/uploads/integrasi/).
    storage_name: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    size: Mapped[int] = sa.Column(sa.BigInteger, nullable=False)
    uploaded_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    uploaded: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)


class IntegrasiEvent(BaseModel):
    """Append-only history of an integration: requested, approved, rejected, revoked."""

    __tablename__ = "satudata_integrasi_event"

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    integrasi_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    action: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    actor: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    note: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)


class IntegrasiPull(BaseModel):
    """An input package pulled from a URL on a schedule (one per input package)."""

    __tablename__ = "satudata_integrasi_pull"

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    input_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, unique=True)
    #: The approved integration of the OPD system serving the file, if any.
    integrasi_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    url: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    format: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    schedule: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: The period the file holds (its rows replace that period's rows).
    period: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    enabled: Mapped[bool] = sa.Column(sa.Boolean, nullable=False, default=True)
    next_due: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    last_run: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    created_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)


class IntegrasiRun(BaseModel):
    """One sync: a push by an OPD system or a scheduled pull, with its counts and errors."""

    __tablename__ = "satudata_integrasi_run"

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    integrasi_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    input_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    organization_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    mode: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    period: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, default="running")
    started: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    finished: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    rows_received: Mapped[int] = sa.Column(sa.Integer, nullable=False, default=0)
    rows_accepted: Mapped[int] = sa.Column(sa.Integer, nullable=False, default=0)
    rows_rejected: Mapped[int] = sa.Column(sa.Integer, nullable=False, default=0)
    errors: Mapped[list[Any]] = sa.Column(JSONB, nullable=False, default=list)
    alerted: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
