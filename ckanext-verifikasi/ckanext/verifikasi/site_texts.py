"""The site texts the walidata edits without a sysadmin: CKAN's intro and about texts and
the contact details (`ckanext.verifikasi.site_text_keys`).

They join CKAN's runtime-editable configuration (`update_schema`, the plugin's
IConfigurer.update_config_schema), so `config_option_update` stores them in CKAN's system
configuration and every web process reloads them (core's app_globals check): the
walidata's action changes only these keys, through that core action.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.verifikasi import audit, config
from ckanext.verifikasi.logic.account_schema import max_length

#: Longest text of a multi-line key (intro, about) and of a one-line one.
LONG_TEXT = 20000
SHORT_TEXT = 500
_LONG_KEYS = ("ckan.site_intro_text", "ckan.site_about")


def text_keys() -> tuple[str, ...]:
    return config.site_text_keys()


def is_long(key: str) -> bool:
    return key in _LONG_KEYS


def labels() -> dict[str, str]:
    """What each known key is, in the current language (others show their key)."""
    _ = tk._
    known = {
        "ckan.site_intro_text": _("Introduction (home page)"),
        "ckan.site_about": _("About the portal"),
        "ckanext.satudata.contact_office": _("Contact: office"),
        "ckanext.satudata.contact_address": _("Contact: address"),
        "ckanext.satudata.contact_phone": _("Contact: telephone"),
        "ckanext.satudata.contact_email": _("Contact: e-mail"),
    }
    return {key: known.get(key, key) for key in text_keys()}


def validators(key: str) -> list[Any]:
    """The validators of one key in CKAN's update schema (and our action's schema)."""
    get = tk.get_validator
    if is_long(key):
        return [get("ignore_missing"), get("unicode_safe"), max_length(LONG_TEXT)]
    checks = [get("ignore_missing"), get("unicode_safe"), get("strip_value"),
              _not_blank, max_length(SHORT_TEXT)]
    if key.endswith("email"):
        checks.append(get("email_validator"))
    return checks


def _not_blank(value: Any, context: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise tk.Invalid(tk._("Missing value"))
    return value


def update_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """IConfigurer.update_config_schema: the site text keys become runtime-editable."""
    for key in text_keys():
        schema[key] = validators(key)
    return schema


def current() -> dict[str, str]:
    return {key: tk.config.get(key) or "" for key in text_keys()}


def update(data: dict[str, Any], actor: model.User) -> dict[str, str]:
    """Store the given keys (validated) through core's config_option_update; audited with
    the keys changed (not their texts: the system configuration keeps those)."""
    before = current()
    changes = {k: v for k, v in data.items() if k in text_keys() and v != before.get(k)}
    if changes:
        tk.get_action("config_option_update")({"user": actor.name, "ignore_auth": True},
                                              changes)
        audit.record(actor.id, "site_text_update", "site", "site_texts",
                     keys=sorted(changes))
        model.Session.commit()
    return current()
