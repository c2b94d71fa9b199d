"""Table `verifikasi_notification`: in-app notifications about the workflow."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from ckanext.verifikasi.model.base import BaseModel


class Notification(BaseModel):
    __tablename__ = "verifikasi_notification"
    __table_args__ = (sa.Index("verifikasi_notification_user_idx", "user_id", "read"),)

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    package_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    event_id: Mapped[int | None] = sa.Column(sa.Integer, nullable=True)
    subject: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    body: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False,
                                             default=dt.datetime.utcnow)
    read: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
