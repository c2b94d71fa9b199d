"""Typed getters of the ckanext.satudata.twofactor.* settings (config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def required_roles() -> frozenset[str]:
    """Roles whose holders must use two-factor authentication (`sysadmin` included)."""
    value = tk.config.get("ckanext.satudata.twofactor.required_roles") or []
    if isinstance(value, str):
        value = value.split()
    return frozenset(str(role).strip() for role in value if str(role).strip())


def issuer() -> str:
    """The issuer name authenticator apps show beside the account."""
    return str(tk.config.get("ckanext.satudata.twofactor.issuer") or "Satu Data")


def login_seconds() -> int:
    """Seconds the second step of a login stays open after a correct password."""
    return int(tk.config.get("ckanext.satudata.twofactor.login_seconds") or 300)
