"""Failed-login counters and locks in Redis, per account and per IP address.

An account is keyed by its user id when the login (name or e-mail) names a user, and
by a hash of the login otherwise: unknown logins are counted and locked exactly like
real ones, so neither the message nor the behaviour reveals whether an account exists.
Counters live `config.window()` seconds from the first failure; a lock lives
`config.lockout()` seconds, or until a walidata unlocks the account.
"""
from __future__ import annotations

import hashlib
from typing import Literal

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis

from ckanext.satudata.keamanan import config

Kind = Literal["account", "ip"]


def _prefix() -> str:
    return f"satudata:{tk.config.get('ckan.site_id') or 'default'}:login"


def account_key(login: str) -> str:
    """The counter identity of a login typed into the form (name or e-mail)."""
    login = (login or "").strip()
    user = model.User.by_name(login) if login else None
    if user is None and login:
        user = model.User.by_email(login)
    if user is not None:
        return user.id
    return "unknown-" + hashlib.sha256(login.lower().encode("utf-8")).hexdigest()[:32]


def _failures(kind: Kind, value: str) -> str:
    return f"{_prefix()}:failures:{kind}:{value}"


def _lock(kind: Kind, value: str) -> str:
    return f"{_prefix()}:lock:{kind}:{value}"


def is_locked(account: str, ip: str | None) -> bool:
    """Whether the account, or the IP address, is locked now."""
    redis = connect_to_redis()
    keys = [_lock("account", account)] + ([_lock("ip", ip)] if ip else [])
    return bool(redis.exists(*keys))


def record_failure(account: str, ip: str | None) -> list[Kind]:
    """Count one failure; returns what got locked by it (`account`, `ip`), if anything."""
    redis = connect_to_redis()
    limits: dict[Kind, int] = {"account": config.max_failures(), "ip": config.max_failures_ip()}
    locked: list[Kind] = []
    targets: list[tuple[Kind, str]] = [("account", account)]
    if ip:
        targets.append(("ip", ip))
    for kind, value in targets:
        key = _failures(kind, value)
        pipe = redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, config.window(), nx=True)
        count = int(pipe.execute()[0])
        if count >= limits[kind] and redis.set(_lock(kind, value), count,
                                               ex=config.lockout(), nx=True):
            redis.delete(key)  # a new window starts once the lock ends
            locked.append(kind)
    return locked


def reset_failures(account: str) -> None:
    """Forget the account's failures (a successful login)."""
    connect_to_redis().delete(_failures("account", account))


def unlock(account: str) -> bool:
    """Remove the account's lock and failures; whether it was locked."""
    redis = connect_to_redis()
    was_locked = bool(redis.delete(_lock("account", account)))
    redis.delete(_failures("account", account))
    return was_locked


def status(account: str) -> dict[str, int | bool]:
    """Failures counted now, whether locked and for how many more seconds."""
    redis = connect_to_redis()
    ttl = int(redis.ttl(_lock("account", account)))
    return {"failures": int(redis.get(_failures("account", account)) or 0),
            "locked": ttl > 0 or ttl == -1, "locked_seconds": max(ttl, 0)}
