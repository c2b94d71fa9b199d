"""Typed getters for ckanext-satudata's config options (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def contact_email() -> str:
    return tk.config["ckanext.satudata.contact_email"]


def contact_phone() -> str:
    return tk.config["ckanext.satudata.contact_phone"]


def demo_password() -> str:
    return tk.config["ckanext.satudata.demo_password"]
