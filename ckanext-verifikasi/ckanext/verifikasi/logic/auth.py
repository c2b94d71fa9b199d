"""Auth functions of ckanext-verifikasi: ours (one per action) and chained core ones."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.verifikasi import access, roles, states, workflow

__all__ = [
    "bulk_update_delete", "bulk_update_private", "bulk_update_public",
    "datastore_create", "datastore_delete", "datastore_upsert",
    "datastore_info", "datastore_search", "datastore_search_sql", "follow_user",
    "package_show", "user_activity_list",
    "verifikasi_access_grant", "verifikasi_access_grant_extend",
    "verifikasi_access_grant_list", "verifikasi_access_revoke", "verifikasi_approve",
    "verifikasi_audit_list", "verifikasi_comment_create", "verifikasi_notification_list",
    "verifikasi_queue_list",
    "verifikasi_return", "verifikasi_role_assign", "verifikasi_role_list",
    "verifikasi_role_revoke", "verifikasi_status_show", "verifikasi_submit",
    "verifikasi_withdraw",
]


def caller(context: Context) -> model.User | None:
    """The signed-in user acting, None for an anonymous caller (whose `auth_user_obj` is
    flask-login's AnonymousUser, without `sysadmin` or roles)."""
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    return model.User.get(context.get("user") or "")


_user = caller


def _walidata(context: Context) -> AuthResult:
    user = _user(context)
    if user and (user.sysadmin or roles.roles_of(user.id).walidata):
        return {"success": True}
    return {"success": False, "msg": tk._("Only walidata may do this")}


def _team(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = model.Package.get(data_dict.get("id", ""))
    if pkg is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    if access.is_team(_user(context), pkg):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the owning OPD and walidata may do this")}


def _walidata_of_dataset(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata, or walidata pendukung of the OPD owning the dataset (`id`). Without a
    dataset (a page asking whether to offer a form), holding the role in some OPD is
    enough: the action asks again with the dataset it acts on."""
    user = _user(context)
    if user and user.sysadmin:
        return {"success": True}
    held = roles.roles_of(user.id) if user else roles.UserRoles()
    if held.walidata:
        return {"success": True}
    package_id = data_dict.get("id")
    pkg = model.Package.get(package_id) if package_id else None
    if (pkg is not None and held.walidata_of(pkg.owner_org)) or \
            (not package_id and held.supported_opds):
        return {"success": True}
    return {"success": False, "msg": tk._("Only walidata may do this")}


def _walidata_anywhere(context: Context) -> AuthResult:
    """Walidata, or walidata pendukung of some OPD (the action limits what it shows)."""
    user = _user(context)
    if user and roles.roles_of(user.id).supported_opds:
        return {"success": True}
    return _walidata(context)


def _reader(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = model.Package.get(data_dict.get("id", ""))
    if pkg is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    if access.can_read(_user(context), pkg):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the owning OPD and walidata may do this")}


# Workflow: the step itself checks the exact role; these keep strangers out early.
verifikasi_submit = verifikasi_approve = verifikasi_return = _team
# The history: the team and pembina.
verifikasi_status_show = _reader


def verifikasi_withdraw(context: Context, data_dict: DataDict) -> AuthResult:
    return _walidata_of_dataset(context, data_dict)


def verifikasi_comment_create(context: Context, data_dict: DataDict) -> AuthResult:
    """Pembina, walidata (pendukung of the owning OPD too), and the operators and
    verifikators of the owning OPD comment in the review history."""
    pkg = model.Package.get(data_dict.get("id") or "")
    if pkg is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    user = _user(context)
    if user is not None and (user.sysadmin or _may_comment(roles.roles_of(user.id),
                                                           pkg.owner_org)):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "Only pembina, walidata and the owning OPD's operators and verifikators may comment")}


def _may_comment(held: roles.UserRoles, owner_org: str | None) -> bool:
    return held.pembina or held.walidata_of(owner_org) or \
        held.has("operator", owner_org) or held.has("verifikator", owner_org)


def verifikasi_queue_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": bool(_user(context))}


verifikasi_notification_list = verifikasi_queue_list


def verifikasi_role_assign(context: Context, data_dict: DataDict) -> AuthResult:
    return _walidata(context)


verifikasi_role_revoke = verifikasi_role_assign
verifikasi_audit_list = verifikasi_role_assign
# Grants of a dataset are walidata's, and its OPD's walidata pendukung's; the extend
# action looks the dataset up from the grant before asking.
verifikasi_access_grant = verifikasi_access_revoke = verifikasi_access_grant_extend = \
    _walidata_of_dataset


def verifikasi_access_grant_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata: every grant; walidata pendukung: the action lists its OPDs' only."""
    return _walidata_anywhere(context)


def verifikasi_role_list(context: Context, data_dict: DataDict) -> AuthResult:
    user = _user(context)
    if user and data_dict.get("user") in (user.id, user.name):
        return {"success": True}
    return _walidata(context)


# Publishing in bulk would skip the workflow: walidata only.
bulk_update_public = bulk_update_private = bulk_update_delete = verifikasi_role_assign


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """Walidata, pembina and grant holders also see private (unpublished or rahasia)
    datasets."""
    result = next_auth(context, data_dict)
    if result.get("success"):
        return result
    user = _user(context)
    pkg = context.get("package") or model.Package.get(data_dict.get("id", ""))
    if user and pkg and (access.can_read(user, pkg)
                         or pkg.id in access.active_grant_packages(user.id)):
        return {"success": True}
    return result


def _data_check(context: Context, resource_id: str) -> AuthResult:
    resource = model.Resource.get(resource_id)
    if resource is None:
        return {"success": True}  # the action itself reports the unknown resource
    if access.can_use_data(_user(context), resource.package):
        return {"success": True}
    return {"success": False, "msg": tk._(
        "The data of this dataset is restricted; request access from the walidata")}


def _datastore_read(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    return _data_check(context, data_dict.get("resource_id") or data_dict.get("id", ""))


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    return _datastore_read(next_auth, context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_info(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    return _datastore_read(next_auth, context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search_sql(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    for table in context.get("table_names", []):
        checked = _data_check(context, table)
        if not checked["success"]:
            return checked
    return result


def _stream_reader(context: Context, data_dict: DataDict) -> AuthResult:
    """The user themself, walidata and sysadmins may read (or follow) a user's activity.

    Core records resource-view activities without permission labels, so whoever reads an
    operator's stream, or follows the operator on the dashboard, would see the views (ids,
    titles) of unpublished datasets.
    """
    user = _user(context)
    target = model.User.get(data_dict.get("id") or "")
    if user and (user.sysadmin or (target is not None and target.id == user.id)
                 or roles.roles_of(user.id).walidata):
        return {"success": True}
    return {"success": False, "msg": tk._("Only walidata may do this")}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def user_activity_list(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    result = next_auth(context, data_dict)
    return _stream_reader(context, data_dict) if result.get("success") else result


@tk.chained_auth_function
def follow_user(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    result = next_auth(context, data_dict)
    return _stream_reader(context, data_dict) if result.get("success") else result


def _not_under_review(context: Context, resource_id: str) -> AuthResult:
    """DataStore writes follow the review lock of package_update: none while reviewed."""
    resource = model.Resource.get(resource_id)
    if resource is None:
        return {"success": True}
    user = _user(context)
    if user and (user.sysadmin or roles.roles_of(user.id).walidata):
        return {"success": True}
    if workflow.state_of(resource.package_id).state in states.REVIEW_STATES:
        return {"success": False, "msg": tk._(
            "This dataset is under review; its data cannot be changed until it is returned")}
    return {"success": True}


def _datastore_write(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    resource_id = data_dict.get("resource_id") or data_dict.get("id") or \
        (data_dict.get("resource") or {}).get("id", "")
    return _not_under_review(context, resource_id)


@tk.chained_auth_function
def datastore_create(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    return _datastore_write(next_auth, context, data_dict)


@tk.chained_auth_function
def datastore_upsert(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    return _datastore_write(next_auth, context, data_dict)


@tk.chained_auth_function
def datastore_delete(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    return _datastore_write(next_auth, context, data_dict)


@tk.chained_auth_function
def xloader_submit(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    return _datastore_write(next_auth, context, data_dict)


def get_auth_functions() -> dict[str, Any]:
    """The auth functions to register; the xloader chain only where xloader runs."""
    functions = {name: globals()[name] for name in __all__}
    if p.plugin_loaded("xloader"):
        functions["xloader_submit"] = xloader_submit
    return functions
