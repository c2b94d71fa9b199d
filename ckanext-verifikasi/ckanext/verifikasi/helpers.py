"""Template helpers of ckanext-verifikasi (registered by blanket, all prefixed).

Only `verifikasi_status`, `verifikasi_unread_count` and `verifikasi_waiting_count`
touch the database, once per page: the first on the dataset page only, the others in
the header of logged-in users. Neither is meant for search results.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.verifikasi import localtime, notify, queue, roles, uploads, workflow

__all__ = [
    "verifikasi_action_label", "verifikasi_comment_max_length", "verifikasi_date",
    "verifikasi_datetime",
    "verifikasi_grant_status_label", "verifikasi_may_comment", "verifikasi_may_submit",
    "verifikasi_role_label",
    "verifikasi_state_class",
    "verifikasi_status", "verifikasi_unread_count", "verifikasi_waiting_count",
    "verifikasi_webpage_src",
]

_STATE_CLASS = {
    "draft": "bg-secondary", "submitted": "bg-info text-dark", "verified": "bg-primary",
    "published": "bg-success", "returned": "bg-danger", "withdrawn": "bg-dark",
}


def verifikasi_status(pkg_id: str) -> dict[str, Any] | None:
    """The dataset's workflow state and history for its team (OPD roles, walidata), else None.

    One action call; use it on the dataset page, never per search result.
    """
    if not pkg_id or not tk.current_user.is_authenticated:
        return None
    context = {"user": tk.current_user.name}
    try:
        return tk.get_action("verifikasi_status_show")(context, {"id": pkg_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def verifikasi_unread_count() -> int:
    """How many in-app notifications the logged-in user has not read (one query)."""
    if not tk.current_user.is_authenticated:
        return 0
    return notify.unread_count(tk.current_user.id)


def verifikasi_waiting_count() -> int:
    """How many datasets wait for the logged-in user's action (one COUNT query, for the
    header's inbox badge)."""
    user = model.User.get(tk.current_user.id) if tk.current_user.is_authenticated else None
    return queue.waiting_count(user) if user else 0


def verifikasi_may_comment(pkg_id: str) -> bool:
    """Whether the logged-in user may comment in the dataset's verification history."""
    if not pkg_id or not tk.current_user.is_authenticated:
        return False
    try:
        tk.check_access("verifikasi_comment_create", {"user": tk.current_user.name},
                        {"id": pkg_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def verifikasi_may_submit(pkg: dict[str, Any] | None, state: str | None) -> bool:
    """Whether the logged-in user may send the dataset to the verifikator now, for the
    button on the dataset page (the action still decides): the owning OPD's operator or
    a sysadmin, while the dataset is in a state a submission leaves (draft, returned,
    withdrawn). `state` is the dataset's workflow state (`verifikasi_status`)."""
    if not pkg or not tk.current_user.is_authenticated:
        return False
    if state not in {step.from_state for step in workflow.STEPS if step.action == "submit"}:
        return False
    user = model.User.get(tk.current_user.id)
    if user is None or user.state != "active":
        return False
    return bool(user.sysadmin) or roles.roles_of(user.id).has("operator", pkg.get("owner_org"))


def verifikasi_comment_max_length() -> int:
    """The longest comment (characters), for the form's `maxlength`."""
    from ckanext.verifikasi.comments import MAX_LENGTH

    return MAX_LENGTH


def verifikasi_state_class(state: str) -> str:
    """The CSS classes of a state's badge."""
    return _STATE_CLASS.get(state, "bg-secondary")


def verifikasi_role_label(role: str) -> str:
    """A portal role's name in the current language."""
    return {
        "operator": tk._("Operator"), "surveyor": tk._("Surveyor"),
        "verifikator": tk._("Verifikator"), "walidata": tk._("Walidata"),
        "walidata_pendukung": tk._("Walidata Pendukung"), "pembina": tk._("Pembina Data"),
    }.get(role, role)


def verifikasi_action_label(action: str, to_state: str | None = None) -> str:
    """What a workflow step did, for history tables."""
    if action == "approve" and to_state == "published":
        return tk._("Approved and published")
    return {
        "submit": tk._("Sent to verifikator"), "approve": tk._("Approved"),
        "return": tk._("Returned"), "withdraw": tk._("Withdrawn from publication"),
        # A sysadmin's publication outside the workflow (gate.py).
        "publish": tk._("Published directly"),
        # Not a step: a comment in the history (comments.py).
        "comment": tk._("Commented on the metadata"),
    }.get(action, action)


def verifikasi_webpage_src(resource_view: dict[str, Any], resource: dict[str, Any]) -> str | None:
    """What a webpage view may frame: another site's http(s) page, or None (no frame)."""
    return uploads.webpage_src(resource_view, resource)


def verifikasi_date(value: Any) -> str:
    """A date (or a UTC time's local date) as "5 Desember 2026"."""
    return localtime.format_date(value)


def verifikasi_datetime(value: Any) -> str:
    """A stored UTC time as "5 Desember 2026, 10.36 WIB" (`ckan.display_timezone`)."""
    return localtime.format_datetime(value)


def verifikasi_grant_status_label(status: str) -> str:
    """An access grant's status: active, expired or revoked."""
    return {"active": tk._("Active"), "expired": tk._("Expired"),
            "revoked": tk._("Revoked")}.get(status, status)
