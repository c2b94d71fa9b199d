"""Table `verifikasi_account_letter`: the assignment letter (surat tugas) of each
activation of an account (its creation or a reactivation) by the walidata."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from ckanext.verifikasi.model.base import BaseModel

#: What the letter activated.
LETTER_EVENTS = ("create", "reactivate")


class AccountLetter(BaseModel):
    """One activation's letter: number, date and optionally a PDF (kept by the uploader
    under `verifikasi_surat_tugas/`, `file_name` is its storage name)."""

    __tablename__ = "verifikasi_account_letter"
    __table_args__ = (sa.Index("verifikasi_account_letter_user_idx", "user_id", "created"),)

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    event: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    number: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    letter_date: Mapped[dt.date] = sa.Column(sa.Date, nullable=False)
    file_name: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    file_size: Mapped[int | None] = sa.Column(sa.Integer, nullable=True)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False,
                                             default=dt.datetime.utcnow)
    created_by: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
