"""Two-factor authentication of a user (issue 14): enrollment, codes, recovery codes,
reset, and who must use it.

Everything here answers for a user id and works in the caller's transaction; the
actions (twofactor_action.py) check access, audit and commit. Codes are accepted once:
a TOTP code's time step must be later than the last one accepted (an atomic UPDATE),
and a recovery code is spent by an atomic UPDATE of its row.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from ckan import model

from ckanext.satudata.keamanan import totp, twofactor_config
from ckanext.satudata.keamanan.twofactor_model import TwoFactor, TwoFactorRecovery
from ckanext.verifikasi import shared as verifikasi

Method = Literal["totp", "recovery"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class State:
    enabled: bool
    pending: bool
    recovery_left: int


def state(user_id: str) -> State:
    """Whether the user's two-factor authentication is in force (or being enrolled),
    and how many unused recovery codes remain (one query)."""
    left = (sa.select(sa.func.count()).select_from(TwoFactorRecovery)
            .where(TwoFactorRecovery.user_id == user_id, TwoFactorRecovery.used.is_(None))
            .scalar_subquery())
    row = model.Session.execute(
        sa.select(TwoFactor.confirmed, left).where(TwoFactor.user_id == user_id)).first()
    if row is None:
        return State(False, False, 0)
    return State(row[0] is not None, row[0] is None, int(row[1] or 0))


def is_enabled(user_id: str) -> bool:
    return state(user_id).enabled


def required_for(user_name: str | None) -> bool:
    """Whether the user must use two-factor authentication: they hold one of the
    configured roles (`ckanext.satudata.twofactor.required_roles`), as verifikasi
    records them (a role added later, such as pembina, counts once it is assigned)."""
    roles = twofactor_config.required_roles()
    if not roles or not user_name:
        return False
    return bool(roles & verifikasi.roles_held(user_name))


def begin(user_id: str) -> str:
    """The pending secret of an enrollment (a new one unless one is pending already).
    Refused (ValueError) while two-factor authentication is in force."""
    row = model.Session.get(TwoFactor, user_id)
    if row is not None and row.confirmed is not None:
        raise ValueError("already enabled")
    if row is None:
        row = TwoFactor(user_id=user_id, secret=totp.new_secret(), created=_now())
        model.Session.add(row)
    return row.secret


def confirm(user_id: str, code: str) -> list[str] | None:
    """Put the pending secret in force if `code` is its current code: returns the new
    recovery codes (plain, to show once; only their hashes are stored), else None."""
    row = model.Session.get(TwoFactor, user_id, with_for_update=True)
    if row is None or row.confirmed is not None:
        return None
    step = totp.matching_step(row.secret, totp.normalise(code), None)
    if step is None:
        return None
    row.confirmed = _now()
    row.last_step = step
    codes = totp.new_recovery_codes()
    model.Session.execute(sa.delete(TwoFactorRecovery)
                          .where(TwoFactorRecovery.user_id == user_id))
    model.Session.add_all(TwoFactorRecovery(user_id=user_id,
                                            code_hash=totp.recovery_hash(user_id, c))
                          for c in codes)
    return codes


def verify(user_id: str, code: str) -> Method | None:
    """Check a code of a user whose two-factor authentication is in force: a TOTP code
    not used before, or an unused recovery code (spent now). Returns how it matched."""
    typed = totp.normalise(code)
    row = model.Session.get(TwoFactor, user_id)
    if row is None or row.confirmed is None or not typed:
        return None
    if totp.is_totp_shaped(typed):
        step = totp.matching_step(row.secret, typed, row.last_step)
        if step is None:
            return None
        taken = model.Session.execute(
            sa.update(TwoFactor)
            .where(TwoFactor.user_id == user_id,
                   sa.or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step))
            .values(last_step=step))
        return "totp" if taken.rowcount == 1 else None  # type: ignore[attr-defined]
    spent = model.Session.execute(
        sa.update(TwoFactorRecovery)
        .where(TwoFactorRecovery.user_id == user_id,
               TwoFactorRecovery.code_hash == totp.recovery_hash(user_id, typed),
               TwoFactorRecovery.used.is_(None))
        .values(used=_now()))
    return "recovery" if spent.rowcount == 1 else None  # type: ignore[attr-defined]


def remove(user_id: str) -> bool:
    """Delete the user's secret and recovery codes; whether a secret was in force."""
    enabled = is_enabled(user_id)
    model.Session.execute(sa.delete(TwoFactorRecovery)
                          .where(TwoFactorRecovery.user_id == user_id))
    model.Session.execute(sa.delete(TwoFactor).where(TwoFactor.user_id == user_id))
    return enabled
