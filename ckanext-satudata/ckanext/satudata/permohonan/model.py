"""Tables of the Permohonan Data: a request and its append-only steps.

A request keeps who asked (an account, or a name, e-mail and institution), what
(a kind, a description, the purpose of use, the dataset or OPD it concerns), where
it stands (state, received date, due date, one extension) and the final answer.
Secrets (the requester's status link, the e-mail confirmation link) are stored only
as SHA-256 hashes.
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from ckanext.satudata.model.base import BaseModel

__all__ = ["NUMBER_SEQUENCE", "Permohonan", "PermohonanEvent", "PermohonanReminder"]

#: The serial part of the tracking numbers. Known to the metadata, so that CKAN's
#: create_all (test resets) makes it again with the table.
NUMBER_SEQUENCE: sa.Sequence = sa.Sequence("satudata_permohonan_number_seq",
                                           metadata=BaseModel.metadata)


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


class Permohonan(BaseModel):
    """One request (data, access or complaint)."""

    __tablename__ = "satudata_permohonan"
    __table_args__ = (
        sa.Index("satudata_permohonan_state_idx", "state", "organization_id"),
        sa.Index("satudata_permohonan_user_idx", "user_id"),
    )

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    #: PD-<year>-<six digits>, shown to the requester.
    number: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, unique=True)
    #: data, akses or pengaduan.
    kind: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: diterima, diteruskan, diproses, selesai or ditolak.
    state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    description: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    purpose: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    package_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    #: The OPD that holds the data (the dataset's owner, or named by the requester or
    #: by walidata when forwarding).
    organization_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    user_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    name: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    email: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    institution: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    token_hash: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    confirm_hash: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    #: When the e-mail address was confirmed (an account's request: at once).
    confirmed: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    #: The date (WIB) the deadline counts from: the confirmation.
    received: Mapped[dt.date | None] = sa.Column(sa.Date, nullable=True)
    due: Mapped[dt.date | None] = sa.Column(sa.Date, nullable=True)
    extension_reason: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    closed: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    answer: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    grant_expires: Mapped[dt.date | None] = sa.Column(sa.Date, nullable=True)


class PermohonanEvent(BaseModel):
    """One step of a request: who did what, from which state to which, and the note."""

    __tablename__ = "satudata_permohonan_event"
    __table_args__ = (sa.Index("satudata_permohonan_event_request_idx", "request_id", "id"),)

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = sa.Column(
        sa.UnicodeText, sa.ForeignKey("satudata_permohonan.id", ondelete="CASCADE"),
        nullable=False)
    action: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    from_state: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    to_state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    actor_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    #: Shown to the requester: "Walidata", the OPD's title, or "Pemohon".
    actor_label: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    note: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)


class PermohonanReminder(BaseModel):
    """A deadline reminder that was sent (so each is sent once): `kind` before or
    overdue, about the deadline `due` (an extended deadline is reminded again)."""

    __tablename__ = "satudata_permohonan_reminder"
    __table_args__ = (sa.UniqueConstraint("request_id", "kind", "due",
                                          name="satudata_permohonan_reminder_key"),)

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = sa.Column(
        sa.UnicodeText, sa.ForeignKey("satudata_permohonan.id", ondelete="CASCADE"),
        nullable=False)
    kind: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    due: Mapped[dt.date] = sa.Column(sa.Date, nullable=False)
    recipients: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    sent: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
