"""The inbox: which datasets wait for a user's action, which they returned, and how
long each has waited. One module for the inbox page, its action and the header count,
so that the badge and the page always agree."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.verifikasi import localtime, roles, states, workflow
from ckanext.verifikasi.model.workflow import WorkflowEvent, WorkflowState

#: Orders the inbox page offers (query argument `urut`), each a key of an item.
SORTS = ("waiting_since", "deadline", "organization", "title")


def _waiting_clauses(user: model.User) -> list[Any]:
    """Who acts next: the walidata on verified datasets (walidata pendukung on its
    OPDs'), an OPD's verifikators on its submitted ones, its operators on its returned
    ones. Pembina, who only reads and comments, sees every dataset under review."""
    held = roles.roles_of(user.id)
    clauses = []
    if user.sysadmin or held.walidata:
        clauses.append(WorkflowState.state == "verified")
    elif held.supported_opds:
        clauses.append(sa.and_(WorkflowState.state == "verified",
                               model.Package.owner_org.in_(sorted(held.supported_opds))))
    if held.pembina and not (user.sysadmin or held.walidata):
        clauses.append(WorkflowState.state.in_(sorted(states.REVIEW_STATES)))
    verifier_orgs = [o for o, r in held.opd.items() if "verifikator" in r]
    operator_orgs = [o for o, r in held.opd.items() if "operator" in r]
    if verifier_orgs:
        clauses.append(sa.and_(WorkflowState.state == "submitted",
                               model.Package.owner_org.in_(verifier_orgs)))
    if operator_orgs:
        clauses.append(sa.and_(WorkflowState.state == "returned",
                               model.Package.owner_org.in_(operator_orgs)))
    return clauses


def _base() -> Any:
    return (sa.select(WorkflowState, model.Package, model.Group.title.label("org_title"))
            .join(model.Package, model.Package.id == WorkflowState.package_id)
            .outerjoin(model.Group, model.Group.id == model.Package.owner_org)
            .where(model.Package.state != "deleted"))


def waiting_count(user: model.User) -> int:
    """How many datasets wait for the user's action (one COUNT query; 0 without a role)."""
    clauses = _waiting_clauses(user)
    if not clauses:
        return 0
    query = (sa.select(sa.func.count())
             .select_from(WorkflowState)
             .join(model.Package, model.Package.id == WorkflowState.package_id)
             .where(model.Package.state != "deleted", sa.or_(*clauses)))
    return int(model.Session.execute(query).scalar() or 0)


def _item(state: WorkflowState, pkg: model.Package, org_title: str | None,
          today: dt.date) -> dict[str, Any]:
    since = state.updated.replace(tzinfo=dt.timezone.utc).astimezone(localtime.zone()).date()
    return {"id": pkg.id, "name": pkg.name, "title": pkg.title, "state": state.state,
            "state_label": states.state_label(state.state),
            "organization": org_title or "",
            "waiting_since": state.updated.isoformat(),
            "days_waiting": (today - since).days,
            "deadline": state.deadline.isoformat() if state.deadline else None,
            "overdue": workflow.is_overdue(state, today)}


def inbox(user: model.User) -> dict[str, list[dict[str, Any]]]:
    """{"waiting", "returned", "overdue"} items of the user's inbox, oldest first."""
    today = localtime.today()
    clauses = _waiting_clauses(user)
    order = WorkflowState.updated
    rows = model.Session.execute(_base().where(sa.or_(*clauses)).order_by(order)).all() \
        if clauses else []
    returned_by_me = (sa.select(WorkflowEvent.package_id).distinct()
                      .where(WorkflowEvent.actor_id == user.id,
                             WorkflowEvent.action == "return"))
    returned = model.Session.execute(_base().where(
        WorkflowState.package_id.in_(returned_by_me),
        WorkflowState.state == "returned").order_by(order)).all()
    waiting = [_item(s, p, org, today) for s, p, org in rows]
    returned_items = [_item(s, p, org, today) for s, p, org in returned]
    overdue = {i["id"]: i for i in waiting + returned_items if i["overdue"]}
    return {"waiting": waiting, "returned": returned_items, "overdue": list(overdue.values())}


def arranged(items: list[dict[str, Any]], sort: str | None, organization: str | None
             ) -> list[dict[str, Any]]:
    """The page's view of a list: only one OPD's items when asked, in the asked order
    (unknown orders keep the oldest first)."""
    if organization:
        items = [i for i in items if i["organization"] == organization]
    if sort in SORTS:
        # Items without a deadline go last when sorting by deadline.
        items = sorted(items, key=lambda i: (i[sort] is None, i[sort] or ""))
    return items
