"""TOTP (RFC 6238) codes, their enrollment QR code and recovery codes: pure functions
over pyotp and segno, no database and no request."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno

#: Steps either side of now a code is accepted in (clock drift of the phone).
VALID_WINDOW = 1
RECOVERY_CODES = 10
#: Recovery codes avoid letters and digits that look alike (32 symbols, 5 bits each).
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_RECOVERY_LENGTH = 10


def new_secret() -> str:
    """A random base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as an inline <svg> element (drawn here, nothing fetched)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2))


def normalise(code: str) -> str:
    """What the user typed, without spaces and dashes, upper case."""
    return "".join(ch for ch in (code or "") if ch not in " -\t").upper()


def is_totp_shaped(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def matching_step(secret: str, code: str, after: int | None,
                  now: float | None = None) -> int | None:
    """The time step whose code is `code` (within the window), if it is later than
    `after` (the last step accepted before); None otherwise."""
    if not is_totp_shaped(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten random recovery codes (50 bits each), shown as XXXXX-XXXXX."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_hash(user_id: str, code: str) -> str:
    """The stored form of a recovery code: SHA-256 of the user id and the code (the
    codes are random with 50 bits each, so a fast salted hash suffices)."""
    return hashlib.sha256(f"{user_id}:{normalise(code)}".encode()).hexdigest()
