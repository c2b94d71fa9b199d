"""Tables of the Daftar Data: entries, their periods, the change log and agreed years.

An entry is one item of a year's Daftar Data (OPD, title, frequency...), optionally
linked to the dataset that serves it (one dataset serves at most one entry). Each
entry has one row per period of its frequency in that year, with the planned date,
a revised date (with its reason) and the actual release time, which only a
publication through verifikasi's workflow sets (see release.py).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from ckanext.satudata.model.base import BaseModel

__all__ = ["DaftarChange", "DaftarEntry", "DaftarPeriod", "DaftarReminder", "DaftarRevision",
           "DaftarYear"]


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


class DaftarEntry(BaseModel):
    """One item of a year's Daftar Data."""

    __tablename__ = "satudata_daftar_entry"
    __table_args__ = (
        sa.Index("satudata_daftar_entry_year_org_idx", "year", "organization_id"),
        # The same OPD cannot list the same title twice in a year (case-insensitive).
        sa.Index("satudata_daftar_entry_title_key", "year", "organization_id",
                 sa.text("lower(title)"), unique=True),
        sa.Index("satudata_daftar_entry_package_key", "package_id", unique=True,
                 postgresql_where=sa.text("package_id IS NOT NULL")),
    )

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    year: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    organization_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    title: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    kategori: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    sektor: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    prioritas: Mapped[bool] = sa.Column(sa.Boolean, nullable=False, default=False)
    #: tahunan, semesteran, triwulanan, bulanan or sekali (periods.FREQUENCIES).
    frequency: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: BPS, or DCKTR (Dinas Cipta Karya dan Tata Ruang) for geospatial data.
    pembina: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    package_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    created_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    modified: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)


class DaftarPeriod(BaseModel):
    """One period of an entry: when it is planned, revised to, and actually released."""

    __tablename__ = "satudata_daftar_period"
    __table_args__ = (
        sa.UniqueConstraint("entry_id", "period", name="satudata_daftar_period_key"),
        sa.Index("satudata_daftar_period_planned_idx", "planned"),
    )

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    entry_id: Mapped[str] = sa.Column(
        sa.UnicodeText, sa.ForeignKey("satudata_daftar_entry.id", ondelete="CASCADE"),
        nullable=False)
    #: Period code within the entry's year: "Y", "S1".."S2", "Q1".."Q4", "01".."12".
    period: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    position: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    planned: Mapped[dt.date] = sa.Column(sa.Date, nullable=False)
    revised: Mapped[dt.date | None] = sa.Column(sa.Date, nullable=True)
    revised_reason: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    revised_by: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    #: When the publication covering this period happened (UTC); set once, by release.py.
    released: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    released_package_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)


class DaftarChange(BaseModel):
    """A change of an agreed year's Daftar Data: who, when, why, and what (append-only)."""

    __tablename__ = "satudata_daftar_change"
    __table_args__ = (sa.Index("satudata_daftar_change_entry_idx", "entry_id"),
                      sa.Index("satudata_daftar_change_year_idx", "year"))

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    #: No foreign key: the log outlives a deleted entry.
    entry_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    year: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    organization_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: create, update or delete.
    action: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    reason: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: {field: [before, after]}; periods as {"period:<code>.<field>": [before, after]}.
    changes: Mapped[dict[str, Any]] = sa.Column(JSONB, nullable=False, default=dict)
    user_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)


class DaftarYear(BaseModel):
    """A year whose Daftar Data the Forum agreed: from then on every change needs a reason."""

    __tablename__ = "satudata_daftar_year"

    year: Mapped[int] = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    agreed: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    agreed_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    note: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)


class DaftarRevision(BaseModel):
    """A revised release date of a period: proposed by the OPD (pending until walidata
    approves or rejects it) or set by walidata (approved when made)."""

    __tablename__ = "satudata_daftar_revision"
    __table_args__ = (
        sa.Index("satudata_daftar_revision_entry_idx", "entry_id", "state"),
        # At most one proposal of a period waits for a decision.
        sa.Index("satudata_daftar_revision_pending_key", "period_id", unique=True,
                 postgresql_where=sa.text("state = 'pending'")),
    )

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    entry_id: Mapped[str] = sa.Column(
        sa.UnicodeText, sa.ForeignKey("satudata_daftar_entry.id", ondelete="CASCADE"),
        nullable=False)
    period_id: Mapped[str] = sa.Column(
        sa.UnicodeText, sa.ForeignKey("satudata_daftar_period.id", ondelete="CASCADE"),
        nullable=False)
    revised: Mapped[dt.date] = sa.Column(sa.Date, nullable=False)
    reason: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: pending, approved or rejected.
    state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    proposed_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    proposed: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    decided_by: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    decided: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    #: walidata's note on the decision.
    note: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)


class DaftarReminder(BaseModel):
    """A reminder that was sent (so each is sent once): `kind` before, missed or digest;
    `key` the period and its effective date, or the ISO week of a digest."""

    __tablename__ = "satudata_daftar_reminder"
    __table_args__ = (sa.UniqueConstraint("kind", "key", name="satudata_daftar_reminder_key"),)

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    key: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    recipients: Mapped[int] = sa.Column(sa.Integer, nullable=False)
    sent: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
