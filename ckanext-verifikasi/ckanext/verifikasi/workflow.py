"""The two-stage verification workflow.

draft -> submitted (OPD verifikator) -> verified (walidata) -> published;
returned (back to the operator with a note and optional deadline);
withdrawn (taken down by walidata with a reason).

Every transition is a compare-and-set on `verifikasi_state.version` in the
same transaction as its history row, publication change and audit entry, so
a stale or concurrent transition fails and leaves nothing half-written.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypedDict

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from sqlalchemy.dialects.postgresql import ARRAY

from ckanext.verifikasi import (
    config,
    gate,
    labels,
    localtime,
    published_data,
    roles,
    signals,
)
from ckanext.verifikasi.context import transition_context
from ckanext.verifikasi.model import PublishedSnapshot, WorkflowEvent, WorkflowState
from ckanext.verifikasi.states import state_label


@dataclass(frozen=True)
class Step:
    action: str
    from_state: str
    to_state: str
    role: str  # the role that may take this step


STEPS = (
    Step("submit", "draft", "submitted", "operator"),
    Step("submit", "returned", "submitted", "operator"),
    Step("submit", "withdrawn", "submitted", "operator"),
    Step("approve", "submitted", "verified", "verifikator"),
    Step("approve", "verified", "published", "walidata"),
    Step("return", "submitted", "returned", "verifikator"),
    Step("return", "submitted", "returned", "walidata"),
    Step("return", "verified", "returned", "walidata"),
    Step("withdraw", "published", "withdrawn", "walidata"),
    # A published dataset whose update is in progress can still be taken down.
    Step("withdraw", "draft", "withdrawn", "walidata"),
    Step("withdraw", "returned", "withdrawn", "walidata"),
    Step("withdraw", "submitted", "withdrawn", "walidata"),
    Step("withdraw", "verified", "withdrawn", "walidata"),
)


def state_of(package_id: str) -> WorkflowState:
    """The dataset's workflow state (a transient `draft` when it has none yet)."""
    # populate_existing: CKAN's session keeps objects across commits
    # (expire_on_commit=False), and transitions update rows with plain UPDATEs.
    state = model.Session.get(WorkflowState, package_id, populate_existing=True)
    return state or WorkflowState(package_id=package_id, state="draft", version=0,
                                  has_published=False)


# Built once: on every search, building the statement cost more than running it.
_UPDATES_IN_REVIEW = sa.select(WorkflowState.package_id).where(
    WorkflowState.package_id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.UnicodeText))),
    WorkflowState.has_published, WorkflowState.state != "published")


def updates_in_review(package_ids: list[str]) -> set[str]:
    """Which of these published datasets have an update going through the stages (one query)."""
    if not package_ids:
        return set()
    return set(model.Session.execute(_UPDATES_IN_REVIEW, {"ids": package_ids}).scalars())


def ensure_state(package_id: str, state: str = "draft", published: bool = False) -> None:
    """Create the state row of a new dataset (in the caller's transaction)."""
    if model.Session.get(WorkflowState, package_id) is None:
        model.Session.add(WorkflowState(package_id=package_id, state=state, version=0,
                                        has_published=published))


def _acting_role(step_role: str, user: model.User, owner_org: str,
                 held: roles.UserRoles) -> bool:
    if user.sysadmin:
        return True
    if step_role == "walidata":
        # Walidata pendukung take the walidata's steps for datasets of their OPDs.
        return held.walidata_of(owner_org)
    return held.has(step_role, owner_org)


def _actor_role(step: Step, user: model.User, held: roles.UserRoles) -> str:
    """The role recorded in the history: a walidata step by walidata pendukung says so."""
    if step.role == "walidata" and not user.sysadmin and not held.walidata:
        return "walidata_pendukung"
    return step.role


def _find_step(action: str, current: str, user: model.User, owner_org: str,
               held: roles.UserRoles, has_published: bool) -> Step:
    candidates = [s for s in STEPS if s.action == action and s.from_state == current]
    if action == "withdraw" and current != "published" and not has_published:
        candidates = []
    for step in candidates:
        if _acting_role(step.role, user, owner_org, held):
            return step
    if not candidates or any(_acting_role(s.role, user, owner_org, held)
                             for s in STEPS if s.action == action):
        # The user could take this step, just not from the current status:
        # someone else moved the dataset on (or it never was there).
        raise tk.ValidationError({"state": [tk._(
            "This step is not possible while the dataset's status is {state}").format(
            state=state_label(current))]})
    raise tk.NotAuthorized(tk._("Your role does not allow this step"))


def _last_submitter(package_id: str) -> str | None:
    return model.Session.execute(
        sa.select(WorkflowEvent.actor_id)
        .where(WorkflowEvent.package_id == package_id, WorkflowEvent.action == "submit")
        .order_by(WorkflowEvent.id.desc()).limit(1)).scalar()


def _check_deadline(deadline: dt.date | None) -> None:
    if deadline and deadline < localtime.today():
        raise tk.ValidationError({"deadline": [tk._("The deadline cannot be in the past")]})


def transition(package_id: str, action: str, user: model.User, *, note: str | None = None,
               deadline: dt.date | None = None) -> dict[str, Any]:
    """Take one workflow step for `user`; returns the new history entry."""
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state == "deleted" or pkg.type not in config.dataset_types():
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    current = state_of(pkg.id)
    held = roles.roles_of(user.id)
    step = _find_step(action, current.state, user, pkg.owner_org, held, current.has_published)

    if action in ("return", "withdraw") and not (note or "").strip():
        field = "note" if action == "return" else "reason"
        raise tk.ValidationError({field: [tk._("A note is required")]})
    _check_deadline(deadline)
    if action == "approve" and step.role == "verifikator" and not user.sysadmin \
            and _last_submitter(pkg.id) == user.id:
        raise tk.NotAuthorized(tk._("You cannot approve a submission of your own"))
    if action == "submit":
        _require_complete_metadata(pkg.id, user)
    # Receivers (satudata's personal data gate) may refuse the step with a ValidationError.
    signals.before_transition.send(pkg.id, package=pkg, action=action,
                                   to_state=step.to_state, user=user)

    _compare_and_set(current, step, deadline if action == "return" else None)
    event = WorkflowEvent(package_id=pkg.id, action=action, from_state=step.from_state,
                          to_state=step.to_state, actor_id=user.id,
                          actor_role=_actor_role(step, user, held),
                          note=(note or "").strip() or None, deadline=deadline)
    model.Session.add(event)
    if step.to_state == "published":
        _publish(pkg, user)
    elif step.to_state == "withdrawn":
        _take_down(pkg, user)
    model.Session.flush()
    # Receivers (the audit entry, in-app notifications) write in this transaction;
    # if one fails, nothing of the step is committed.
    signals.transition.send(pkg.id, package=pkg, event=event)
    model.Session.commit()
    # The index carries the state and, during an update, the published copy.
    search.rebuild(pkg.id)
    # Receivers: the e-mails of the notifications (queued for the worker).
    signals.transition_committed.send(pkg.id, package=pkg, event=event)
    if step.to_state in ("published", "withdrawn"):
        published_data.thaw(pkg.id)
    if step.to_state == "published":
        # Listeners (satudata's data input) bring pending data into the public tables.
        signals.published.send(pkg.id)
    return event_dict(event, user.name)


def _require_complete_metadata(package_id: str, user: model.User) -> None:
    check = tk.get_action("satudata_metadata_check")(
        {"user": user.name, "ignore_auth": True}, {"id": package_id})
    if not check["complete"]:
        raise tk.ValidationError({"metadata": [p["message"] for p in check["problems"]]})


class _StateValues(TypedDict, total=False):
    """The columns of WorkflowState a transition writes."""

    state: str
    version: int
    updated: dt.datetime
    deadline: dt.date | None
    has_published: bool


def _compare_and_set(current: WorkflowState, step: Step, deadline: dt.date | None) -> None:
    values: _StateValues = {"state": step.to_state, "version": current.version + 1,
                            "updated": dt.datetime.utcnow(), "deadline": deadline}
    if step.to_state == "published":
        values["has_published"] = True
    if step.to_state == "withdrawn":
        values["has_published"] = False
    if model.Session.get(WorkflowState, current.package_id) is None:
        # First transition of a dataset without a state row: insert it; a
        # concurrent insert of the same key fails on the primary key.
        try:
            with model.Session.begin_nested():
                model.Session.add(WorkflowState(package_id=current.package_id, **values))
        except sa.exc.IntegrityError as err:
            raise _stale() from err
        return
    result = model.Session.execute(
        sa.update(WorkflowState)
        .where(WorkflowState.package_id == current.package_id,
               WorkflowState.state == step.from_state,
               WorkflowState.version == current.version)
        .values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        model.Session.rollback()
        raise _stale()


def _stale() -> tk.ValidationError:
    return tk.ValidationError({"state": [tk._(
        "Someone else changed this dataset's status meanwhile; reload and try again")]})


def _publication_context(user: model.User) -> dict[str, Any]:
    return transition_context({"user": user.name, "ignore_auth": True, "defer_commit": True})


def _publish(pkg: model.Package, user: model.User) -> None:
    """Make the dataset public as its access class says, and keep what was published."""
    data = tk.get_action("package_show")(
        {"user": user.name, "ignore_auth": True, "use_cache": False}, {"id": pkg.id})
    private = data.get(config.access_field()) == config.secret_class()
    if data.get("private") != private:
        tk.get_action("package_patch")(_publication_context(user),
                                       {"id": pkg.id, "private": private})
        data["private"] = private
    gate.take_snapshot(pkg.id, user, data)


def _take_down(pkg: model.Package, user: model.User) -> None:
    """Private again; its past activities and followers no longer reach outsiders."""
    from ckanext.activity.model import Activity

    tk.get_action("package_patch")(_publication_context(user), {"id": pkg.id, "private": True})
    model.Session.execute(sa.delete(PublishedSnapshot).where(
        PublishedSnapshot.package_id == pkg.id))
    model.Session.execute(sa.update(Activity).where(Activity.object_id == pkg.id)
                          .values(permission_labels=labels.team_labels(pkg))
                          .execution_options(synchronize_session=False))
    team = set(roles.holders("operator", pkg.owner_org)) | \
        set(roles.holders("verifikator", pkg.owner_org)) | set(roles.holders("walidata")) | \
        set(roles.holders("walidata_pendukung", pkg.owner_org)) | set(roles.holders("pembina"))
    model.Session.execute(sa.delete(model.UserFollowingDataset).where(
        model.UserFollowingDataset.object_id == pkg.id,
        model.UserFollowingDataset.follower_id.not_in(team)))


def start_update(package_id: str) -> None:
    """An edit of a published dataset starts an update: the published copy stays public,
    and so do its data (tables and files are kept by published_data)."""
    result = model.Session.execute(
        sa.update(WorkflowState)
        .where(WorkflowState.package_id == package_id, WorkflowState.state == "published")
        .values(state="draft", version=WorkflowState.version + 1,
                updated=dt.datetime.utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount:
        if model.Session.get(PublishedSnapshot, package_id) is None:
            _snapshot_before_the_gate(package_id)
        published_data.freeze(package_id)


def _snapshot_before_the_gate(package_id: str) -> None:
    """A dataset published before every publication took a snapshot (the migration that
    gave old public datasets the state `published`): its live version, about to be
    edited, is the published one; keep it, dated by its last change."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    pkg = model.Package.get(package_id)
    gate.take_snapshot(package_id, model.User.get(site_user["name"]),
                       published=pkg.metadata_modified if pkg else None)


def published_snapshot(package_id: str) -> dict[str, Any] | None:
    snapshot = model.Session.get(PublishedSnapshot, package_id, populate_existing=True)
    return dict(snapshot.data) if snapshot else None


def publication_times(package_ids: list[str]) -> dict[str, dt.datetime]:
    """When each of these datasets was last published (those with a published version;
    one query): the `metadata_modified` the public sees."""
    if not package_ids:
        return {}
    rows = model.Session.execute(
        sa.select(PublishedSnapshot.package_id, PublishedSnapshot.published)
        .join(WorkflowState, WorkflowState.package_id == PublishedSnapshot.package_id)
        .where(PublishedSnapshot.package_id.in_(package_ids), WorkflowState.has_published))
    return {package_id: published for package_id, published in rows}


def published_snapshots(package_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Published copies of many datasets in one query."""
    if not package_ids:
        return {}
    rows = model.Session.execute(sa.select(PublishedSnapshot.package_id, PublishedSnapshot.data)
                                 .where(PublishedSnapshot.package_id.in_(package_ids)))
    return {pid: dict(data) for pid, data in rows}


def event_dict(event: WorkflowEvent, actor_name: str | None = None) -> dict[str, Any]:
    return {
        "id": event.id, "action": event.action, "from_state": event.from_state,
        "to_state": event.to_state, "actor_id": event.actor_id, "actor": actor_name,
        "actor_role": event.actor_role, "note": event.note,
        "deadline": event.deadline.isoformat() if event.deadline else None,
        "created": event.created.isoformat() if event.created else None,
    }


def history(package_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(WorkflowEvent, model.User.name)
        .outerjoin(model.User, model.User.id == WorkflowEvent.actor_id)
        .where(WorkflowEvent.package_id == package_id)
        .order_by(WorkflowEvent.id)).all()
    return [event_dict(event, name) for event, name in rows]


def is_overdue(state: WorkflowState, today: dt.date | None = None) -> bool:
    return bool(state.state == "returned" and state.deadline
                and state.deadline < (today or localtime.today()))
