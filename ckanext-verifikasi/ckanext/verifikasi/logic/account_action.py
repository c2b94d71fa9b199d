"""Actions of the walidata's account administration (accounts.py), OPDs and site texts
(site_texts.py). Each checks access first and validates with logic/account_schema.py."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.verifikasi import accounts, letters, site_texts
from ckanext.verifikasi.logic import account_schema as schema
from ckanext.verifikasi.logic.auth import caller

__all__ = [
    "verifikasi_account_activation_send", "verifikasi_account_create",
    "verifikasi_account_deactivate", "verifikasi_account_list",
    "verifikasi_account_reactivate", "verifikasi_account_show", "verifikasi_opd_create",
    "verifikasi_opd_update", "verifikasi_site_text_show", "verifikasi_site_text_update",
]


def _actor(context: Context) -> model.User:
    user = caller(context)
    if user is None:
        raise tk.NotAuthorized(tk._("You must be logged in"))
    return user


def _validated(data_dict: DataDict, make_schema: Any, context: Context) -> dict[str, Any]:
    data, errors = tk.navl_validate(dict(data_dict), make_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _with_letter(data_dict: DataDict, make_schema: Any, context: Context
                 ) -> tuple[dict[str, Any], letters.LetterUpload | None]:
    """The validated fields and the checked PDF; every error of both at once."""
    data_dict = dict(data_dict)
    errors: dict[str, Any] = {}
    try:
        upload = letters.prepare(data_dict)
    except tk.ValidationError as err:
        upload, errors = None, dict(err.error_dict)
    data, schema_errors = tk.navl_validate(data_dict, make_schema(), context)
    errors.update(schema_errors)
    if errors:
        raise tk.ValidationError(errors)
    return data, upload


def verifikasi_account_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: create a user account, pending until the user sets their password through
    the activation e-mail; its role is given and its assignment letter kept.

    Args:
        name: user name (lower-case letters, digits, - and _).
        fullname: the person's name.
        email: where the activation e-mail goes.
        role: a portal role (operator, surveyor, verifikator, walidata, ...).
        organization: the OPD (id or name) of an OPD role.
        letter_number, letter_date (YYYY-MM-DD, not in the future): the surat tugas.
        letter_upload: optional PDF of the letter (multipart upload).
    Returns:
        the account (as verifikasi_account_show).
    """
    tk.check_access("verifikasi_account_create", context, data_dict)
    data, upload = _with_letter(data_dict, schema.account_create, context)
    return accounts.create(data, upload, _actor(context))


@tk.validate(schema.account_deactivate)
def verifikasi_account_deactivate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: deactivate an account (not one's own; a sysadmin's only by a sysadmin):
    its roles, API tokens and sessions end.

    Args:
        id: user id or name.
        reason: optional, kept in the audit log.
    """
    tk.check_access("verifikasi_account_deactivate", context, data_dict)
    return accounts.deactivate(data_dict["id"], data_dict.get("reason"), _actor(context))


def verifikasi_account_reactivate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: activate an inactive account again, on a new assignment letter, with a
    role; the user sets a new password through the activation e-mail.

    Args:
        id: user id or name.
        role, organization, letter_number, letter_date, letter_upload: as for
            verifikasi_account_create.
    """
    tk.check_access("verifikasi_account_reactivate", context, data_dict)
    data, upload = _with_letter(data_dict, schema.account_reactivate, context)
    return accounts.reactivate(data["id"], data, upload, _actor(context))


@tk.validate(schema.account_id)
def verifikasi_account_activation_send(context: Context, data_dict: DataDict
                                       ) -> dict[str, Any]:
    """Walidata: send a pending account a new activation e-mail (the old link stops working).

    Args:
        id: user id or name.
    """
    tk.check_access("verifikasi_account_activation_send", context, data_dict)
    return accounts.send_activation(data_dict["id"], _actor(context))


@tk.side_effect_free
@tk.validate(schema.account_id)
def verifikasi_account_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: one account with its roles and assignment letters.

    Args:
        id: user id or name.
    """
    tk.check_access("verifikasi_account_show", context, data_dict)
    return accounts.show(data_dict["id"])


@tk.side_effect_free
@tk.validate(schema.account_list)
def verifikasi_account_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: the accounts, newest first.

    Args:
        organization: an OPD (id or name) where they hold a role.
        role: a portal role.
        state: active, pending or deleted (inactive).
        q: text in the user name, full name or e-mail.
        limit (50), offset (0).
    Returns:
        {"count": n, "results": [account, ...]}
    """
    tk.check_access("verifikasi_account_list", context, data_dict)
    return accounts.listing(data_dict.get("organization"), data_dict.get("role"),
                            data_dict.get("state"), data_dict.get("q"), data_dict["limit"],
                            data_dict["offset"])


@tk.validate(schema.opd_create)
def verifikasi_opd_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: a new OPD (organization).

    Args:
        name: its URL name; title: its name; description: optional.
    """
    tk.check_access("verifikasi_opd_create", context, data_dict)
    return accounts.opd_create(data_dict, _actor(context))


@tk.validate(schema.opd_update)
def verifikasi_opd_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata: rename an OPD (its title; optionally its description).

    Args:
        id: the OPD's id or name; title; description (optional).
    """
    tk.check_access("verifikasi_opd_update", context, data_dict)
    return accounts.opd_update(data_dict, _actor(context))


@tk.side_effect_free
def verifikasi_site_text_show(context: Context, data_dict: DataDict) -> dict[str, str]:
    """Walidata: the current site texts, by configuration key."""
    tk.check_access("verifikasi_site_text_show", context, data_dict)
    return site_texts.current()


def verifikasi_site_text_update(context: Context, data_dict: DataDict) -> dict[str, str]:
    """Walidata: change site texts (only the keys of `ckanext.verifikasi.site_text_keys`:
    intro, about, contact details); keys left out keep their text.

    Returns:
        every site text after the change.
    """
    tk.check_access("verifikasi_site_text_update", context, data_dict)
    unknown = sorted(set(data_dict) - set(site_texts.text_keys()))
    if unknown:
        raise tk.ValidationError({k: [tk._("This text cannot be changed here")]
                                  for k in unknown})
    data = _validated(data_dict, lambda: {k: site_texts.validators(k)
                                          for k in site_texts.text_keys()}, context)
    return site_texts.update(data, _actor(context))


def get_actions() -> dict[str, Any]:
    return {name: globals()[name] for name in __all__}
