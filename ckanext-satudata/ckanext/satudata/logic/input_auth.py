"""Who may do what with input packages, imports and survey links.

Reading pending input (rows, imports, links, staging) is for the dataset's
team: its OPD's roles and walidata. Changing it is for the OPD's operators.
Survey submission is checked against the link itself. Every check is made against the
dataset owning the objects named by the request, never a `package_id` sent alongside.
"""
from __future__ import annotations

from collections.abc import Callable

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.satudata.inputdata import access

__all__ = [
    "satudata_input_import_apply",
    "satudata_input_import_check",
    "satudata_input_import_show",
    "satudata_input_package_create",
    "satudata_input_package_delete",
    "satudata_input_package_list",
    "satudata_input_package_show",
    "satudata_input_package_update",
    "satudata_input_rows_list",
    "satudata_input_rows_save",
    "satudata_survey_form_show",
    "satudata_survey_link_create",
    "satudata_survey_link_list",
    "satudata_survey_link_revoke",
    "satudata_survey_submission_list",
    "satudata_survey_submission_review",
    "satudata_survey_submit",
]


def _check(context: Context, data_dict: DataDict, allowed: Callable[[str | None, str], bool],
           message: str) -> AuthResult:
    """The caller must be allowed on the dataset of every object the request names.

    Each object's dataset comes from the object (`access.owners`), so a `package_id` of the
    caller's own dataset sent beside another OPD's object opens nothing; ids that do not
    belong together are refused by `access.agreed` once the caller is allowed on all.
    """
    found = access.owners(data_dict)
    user = context.get("user")
    if not all(allowed(user, package_id) for package_id in {o.package_id for o in found}):
        return {"success": False, "msg": message}
    access.agreed(found)
    return {"success": True}


def _read(context: Context, data_dict: DataDict) -> AuthResult:
    return _check(context, data_dict, access.is_team,
                  tk._("Only the dataset's OPD and the walidata can see its data input"))


def _write(context: Context, data_dict: DataDict) -> AuthResult:
    return _check(context, data_dict, access.is_operator,
                  tk._("Only an operator of the dataset's OPD can enter its data"))


satudata_input_package_create = _write
satudata_input_package_update = _write
satudata_input_package_delete = _write
satudata_input_rows_save = _write
satudata_input_import_check = _write
satudata_input_import_apply = _write
satudata_survey_link_create = _write
satudata_survey_link_revoke = _write
satudata_survey_submission_review = _write

satudata_input_package_show = tk.auth_allow_anonymous_access(_read)
satudata_input_package_list = tk.auth_allow_anonymous_access(_read)
satudata_input_rows_list = tk.auth_allow_anonymous_access(_read)
satudata_input_import_show = tk.auth_allow_anonymous_access(_read)
satudata_survey_link_list = tk.auth_allow_anonymous_access(_read)
satudata_survey_submission_list = tk.auth_allow_anonymous_access(_read)


@tk.auth_allow_anonymous_access
def satudata_survey_submit(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone holding a usable link; a login when the link asks for one."""
    link = access.usable_link(data_dict.get("token"))
    if link.login_required and not model.User.get(context.get("user") or ""):
        return {"success": False, "msg": tk._("Log in to fill in this form")}
    return {"success": True}


@tk.auth_allow_anonymous_access
def satudata_survey_form_show(context: Context, data_dict: DataDict) -> AuthResult:
    return satudata_survey_submit(context, data_dict)
