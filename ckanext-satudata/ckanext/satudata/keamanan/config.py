"""Typed getters of the ckanext.satudata.login.* settings (config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def max_failures() -> int:
    """Failed logins of one account within `window()` that lock it."""
    return int(tk.config["ckanext.satudata.login.max_failures"])


def max_failures_ip() -> int:
    """Failed logins from one IP address within `window()` that block that address."""
    return int(tk.config["ckanext.satudata.login.max_failures_ip"])


def window() -> int:
    """Seconds over which failures are counted."""
    return int(tk.config["ckanext.satudata.login.failure_window"])


def lockout() -> int:
    """Seconds an account (or IP address) stays locked."""
    return int(tk.config["ckanext.satudata.login.lockout_seconds"])


def frame_ancestors() -> str:
    """Who may frame the portal's pages (CSP `frame-ancestors` source list)."""
    return str(tk.config["ckanext.satudata.security.frame_ancestors"]).strip() or "'self'"
