"""The stored reports: one row per period and OPD (NULL: the whole portal) with the
paths of its files under the reports directory of CKAN's storage path."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from ckanext.satudata.model.base import BaseModel

__all__ = ["Report"]


def _uuid() -> str:
    return str(uuid.uuid4())


class Report(BaseModel):
    __tablename__ = "satudata_report"

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    kind: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    period: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    period_start: Mapped[dt.date] = sa.Column(sa.Date, nullable=False)
    period_end: Mapped[dt.date] = sa.Column(sa.Date, nullable=False)
    owner_org: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    xlsx_path: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    pdf_path: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False)
    created_by: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
