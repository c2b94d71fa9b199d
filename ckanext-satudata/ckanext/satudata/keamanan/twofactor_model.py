"""Tables `satudata_twofactor` (a user's TOTP secret) and `satudata_twofactor_recovery`
(hashes of the user's single-use recovery codes); migration c6e2a9d4f7b1."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from ckanext.satudata.model.base import BaseModel


class TwoFactor(BaseModel):
    """A user's TOTP secret: pending while `confirmed` is None, in force once set."""

    __tablename__ = "satudata_twofactor"

    user_id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True)
    secret: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False)
    confirmed: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    #: The last TOTP time step accepted: a code is never accepted twice.
    last_step: Mapped[int | None] = sa.Column(sa.BigInteger, nullable=True)


class TwoFactorRecovery(BaseModel):
    """One recovery code of a user, by its hash; `used` once it has been spent."""

    __tablename__ = "satudata_twofactor_recovery"

    user_id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True)
    code_hash: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True)
    used: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
