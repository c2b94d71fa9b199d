"""Table `verifikasi_grant`: access to the data of a terbatas/rahasia dataset."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from ckanext.verifikasi.model.base import BaseModel


class AccessGrant(BaseModel):
    """A user's access to one dataset's data until `expires` (revoked grants are kept)."""

    __tablename__ = "verifikasi_grant"
    __table_args__ = (sa.Index("verifikasi_grant_user_idx", "user_id", "package_id"),)

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    package_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    user_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    expires: Mapped[dt.date] = sa.Column(sa.Date, nullable=False)
    reason: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False,
                                             default=dt.datetime.utcnow)
    created_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    revoked: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    revoked_by: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
