"""Spam limits of new requests: at most N per hour from one IP address and M per hour
for one e-mail address (or account), counted in Redis (fixed one-hour windows)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

WINDOW_SECONDS = 3600
PREFIX = "satudata:permohonan:limit"


def limits() -> dict[str, int]:
    return {"ip": int(tk.config["ckanext.satudata.permohonan.rate_limit_ip"]),
            "email": int(tk.config["ckanext.satudata.permohonan.rate_limit_email"])}


def hit(ip: str | None, email: str) -> bool:
    """Count one request; False when the IP or the e-mail is over its limit (the
    refused attempt counts too: a flood stays refused for the whole window)."""
    redis = connect_to_redis()
    allowed = limits()
    ok = True
    keys = [("email", email.strip().lower())]
    if ip:
        keys.append(("ip", ip))
    for kind, value in keys:
        key = f"{PREFIX}:{kind}:{value}"
        count = int(redis.incr(key))
        if count == 1:
            redis.expire(key, WINDOW_SECONDS)
        if count > allowed[kind]:
            ok = False
    return ok


def reset() -> None:
    """Forget every count (tests, and walidata after an incident)."""
    redis = connect_to_redis()
    for key in redis.scan_iter(f"{PREFIX}:*"):
        redis.delete(key)
