"""Who may do what with integrations (one auth function per action).

- register an integration, add documents, set or run pulls: an operator of the OPD
  (taken from the integration or input package acted on), or walidata;
- see integrations, their documents and sync runs: the OPD's roles and walidata;
- approve, reject, revoke: walidata only;
- push rows: only the service account of an approved integration, and only into an
  input package of a dataset of that integration's OPD;
- a service account may not change itself or make more tokens (`user_update`,
  `api_token_create`, chained): walidata's approval made its one token.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.satudata.integrasi import access

__all__ = [
    "satudata_integration_create", "satudata_integration_decide",
    "satudata_integration_document_add", "satudata_integration_document_show",
    "satudata_integration_kpi", "satudata_integration_list",
    "satudata_integration_pull_delete", "satudata_integration_pull_run",
    "satudata_integration_pull_set", "satudata_integration_push",
    "satudata_integration_revoke", "satudata_integration_show",
    "api_token_create", "user_update",
]


def _yes() -> AuthResult:
    return {"success": True}


def _no(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _operator_of(context: Context, organization_id: str) -> AuthResult:
    user = context.get("user")
    if access.is_walidata(user) or access.is_operator_of(user, organization_id):
        return _yes()
    return _no(tk._("Only an operator of the OPD or the walidata may do this"))


def satudata_integration_create(context: Context, data_dict: DataDict) -> AuthResult:
    org = str(data_dict.get("organization_id") or "")
    group = model.Group.get(org) if org else None
    if group is None or not group.is_organization:
        # Anyone else is refused below; an unknown OPD is the schema's error.
        if access.is_walidata(context.get("user")) or access.opds_of(context.get("user")):
            return _yes()
        return _no(tk._("Only an operator of the OPD or the walidata may do this"))
    return _operator_of(context, group.id)


def _on_integration(context: Context, data_dict: DataDict) -> AuthResult:
    found = access.integration(data_dict.get("id"))
    return _operator_of(context, found.organization_id)


satudata_integration_document_add = _on_integration


@tk.auth_allow_anonymous_access
def satudata_integration_show(context: Context, data_dict: DataDict) -> AuthResult:
    found = access.integration(data_dict.get("id"))
    if access.can_see(context.get("user"), found):
        return _yes()
    return _no(tk._("Only the OPD and the walidata may see this integration"))


satudata_integration_document_show = satudata_integration_show


@tk.auth_allow_anonymous_access
def satudata_integration_list(context: Context, data_dict: DataDict) -> AuthResult:
    user = context.get("user")
    if access.is_walidata(user) or access.opds_of(user):
        return _yes()
    return _no(tk._("Only OPD staff and the walidata may see integrations"))


def _walidata(context: Context, data_dict: DataDict) -> AuthResult:
    if access.is_walidata(context.get("user")):
        return _yes()
    return _no(tk._("Only walidata may do this"))


satudata_integration_decide = _walidata
satudata_integration_revoke = _walidata


@tk.auth_allow_anonymous_access
def satudata_integration_kpi(context: Context, data_dict: DataDict) -> AuthResult:
    # Two percentages over all OPDs: no integration or dataset is named.
    return _yes()


def _on_input(context: Context, data_dict: DataDict) -> AuthResult:
    _inp, org = access.input_and_org(data_dict.get("input_id"))
    return _operator_of(context, org)


satudata_integration_pull_set = _on_input
satudata_integration_pull_delete = _on_input
satudata_integration_pull_run = _on_input


def satudata_integration_push(context: Context, data_dict: DataDict) -> AuthResult:
    found = access.service_integration(context.get("user"))
    if found is None:
        return _no(tk._("Only the service account of an approved integration may push rows"))
    _inp, org = access.input_and_org(data_dict.get("input_id"))
    if org != found.organization_id:
        return _no(tk._("This integration may only push into its own OPD's input packages"))
    return _yes()


def _not_a_service_account(next_auth: Any, context: Context, data_dict: DataDict
                           ) -> AuthResult:
    if access.is_service_account(context.get("user")):
        return _no(tk._("A service account of an integration cannot do this"))
    return next_auth(context, data_dict)


user_update = tk.chained_auth_function(_not_a_service_account)
api_token_create = tk.chained_auth_function(_not_a_service_account)
