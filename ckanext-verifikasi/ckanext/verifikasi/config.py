"""Typed getters of verifikasi's configuration (declared, with the defaults, in
config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def access_field() -> str:
    """The dataset field that holds the access class (a dataset extra)."""
    return tk.config["ckanext.verifikasi.access_field"]


def access_classes() -> tuple[str, ...]:
    """The access classes, from open to closed."""
    return tuple(tk.aslist(tk.config["ckanext.verifikasi.access_classes"]))


def open_class() -> str:
    """The class whose data everyone may use once published (the first one)."""
    return access_classes()[0]


def secret_class() -> str:
    """The class that is never public, even when published (the last one)."""
    return access_classes()[-1]


def restricted_classes() -> tuple[str, ...]:
    """Classes whose data only the team and grant holders may use (all but the first);
    their downloads are audited."""
    return access_classes()[1:]


def dataset_types() -> tuple[str, ...]:
    """The dataset types that go through the workflow."""
    return tuple(tk.aslist(tk.config["ckanext.verifikasi.dataset_types"]))


def letter_max_mb() -> int:
    """The largest assignment letter PDF, in MB."""
    return int(tk.config["ckanext.verifikasi.letter_max_mb"])


def site_text_keys() -> tuple[str, ...]:
    """The configuration keys of the site texts the walidata edits."""
    return tuple(tk.aslist(tk.config["ckanext.verifikasi.site_text_keys"]))
