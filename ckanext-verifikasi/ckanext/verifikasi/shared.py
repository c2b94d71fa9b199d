"""What other packages (ckanext-satudata's data input) may use of verifikasi.

Everything else in this package is internal. The functions answer for a user
name (as in a CKAN context) and a dataset id, so callers need no model of roles.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.verifikasi import context, roles, signals, states, workflow

#: Sent after a dataset (or an update of it) is published and committed; sender: dataset id.
published = signals.published
#: Send it after a download of a resource's rows started: sender resource id, keyword
#: arguments `user` (name) and `format`; verifikasi audits downloads of restricted data.
datastore_dumped = signals.datastore_dump


def system_write_context(context_: dict[str, Any]) -> dict[str, Any]:
    """`context_` for a system component's own writes to a dataset (satudata's data input
    putting rows into its resource): verifikasi lets them through like its own workflow
    writes (no review lock, no update started, not a direct publication)."""
    return context.transition_context(context_)


def _user_and_package(user_name: str | None, package_id: str):
    user = model.User.get(user_name) if user_name else None
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return user, pkg


def is_team(user_name: str | None, package_id: str) -> bool:
    """May see the dataset's unpublished work: its OPD's roles, walidata, sysadmins."""
    user, pkg = _user_and_package(user_name, package_id)
    if user is None:
        return False
    if user.sysadmin:
        return True
    held = roles.roles_of(user.id)
    return held.walidata or held.in_opd(pkg.owner_org)


def is_operator(user_name: str | None, package_id: str) -> bool:
    """Enters the dataset's data: an operator of its OPD, or a sysadmin."""
    user, pkg = _user_and_package(user_name, package_id)
    if user is None:
        return False
    return user.sysadmin or roles.roles_of(user.id).has("operator", pkg.owner_org)


def under_review(package_id: str) -> bool:
    return workflow.state_of(package_id).state in states.REVIEW_STATES


def has_published(package_id: str) -> bool:
    return workflow.state_of(package_id).has_published


def start_update(package_id: str) -> None:
    """New data for a published dataset: it goes through the stages again (no commit)."""
    workflow.start_update(package_id)
