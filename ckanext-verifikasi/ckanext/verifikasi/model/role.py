"""Table `verifikasi_role`: who holds which portal role, in which OPD."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from ckanext.verifikasi.model.base import BaseModel

#: `walidata_pendukung`: a walidata limited to the OPDs it holds the role in (one row each).
OPD_ROLES = ("operator", "surveyor", "verifikator", "walidata_pendukung")
#: `pembina`: Pembina Data (BPS; DCKTR for geospatial data) reads everything and comments,
#: never approves, edits, publishes, withdraws or grants.
GLOBAL_ROLES = ("walidata", "pembina")


class Role(BaseModel):
    """A role of a user: per OPD (organization_id set) or global (walidata, pembina)."""

    __tablename__ = "verifikasi_role"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "organization_id", "role", name="verifikasi_role_unique"),
        sa.Index("verifikasi_role_user_idx", "user_id"),
        sa.Index("verifikasi_role_org_idx", "organization_id"),
    )

    id: Mapped[int] = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: None for the global roles (walidata, pembina).
    organization_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    role: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False,
                                             default=dt.datetime.utcnow)
    created_by: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
