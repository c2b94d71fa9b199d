"""What other packages (ckanext-satudata's data input) may use of verifikasi.

Everything else in this package is internal. The functions answer for a user
name (as in a CKAN context) and a dataset id, so callers need no model of roles.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.verifikasi import (
    access,
    context,
    localtime,
    notify,
    roles,
    signals,
    states,
    workflow,
)
from ckanext.verifikasi import audit as _audit
from ckanext.verifikasi import config as _config
from ckanext.verifikasi.model import (
    AccessGrant,
    Notification,
    PublishedSnapshot,
    Role,
    WorkflowEvent,
    WorkflowState,
)
from ckanext.verifikasi.request_args import int_arg as int_arg  # satudata pages too

#: Sent after a dataset (or an update of it) is published and committed; sender: dataset id.
published = signals.published
#: Sent before a workflow step is taken (sender: dataset id; keyword arguments `package`,
#: `action`, `to_state`, `user`): a receiver refuses the step by raising tk.ValidationError.
before_transition = signals.before_transition
#: Send it after a download of a resource's rows started: sender resource id, keyword
#: arguments `user` (name) and `format`; verifikasi audits downloads of restricted data.
datastore_dumped = signals.datastore_dump


def system_write_context(context_: dict[str, Any]) -> dict[str, Any]:
    """`context_` for a system component's own writes to a dataset (satudata's data input
    putting rows into its resource): verifikasi lets them through like its own workflow
    writes (no review lock, no update started, not a direct publication)."""
    return context.transition_context(context_)


def dataset_types() -> tuple[str, ...]:
    """The dataset types that go through the workflow (statistical activities, indicators)."""
    return _config.dataset_types()


def access_class_field() -> str:
    """The dataset field (an extra) that holds the access class."""
    return _config.access_field()


def secret_class() -> str:
    """The access class that is never public, even when published (`rahasia`)."""
    return _config.secret_class()


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


def is_walidata(user_name: str | None) -> bool:
    """Holds the global walidata role (or is a sysadmin): manages what belongs to no
    single OPD, such as the Daftar Data and harvest sources."""
    user = model.User.get(user_name) if user_name else None
    if user is None or user.state != "active":
        return False
    return bool(user.sysadmin or roles.roles_of(user.id).walidata)


def role_holders(role: str, organization_id: str | None = None) -> list[str]:
    """Ids of the users holding a role: an OPD role in that OPD, or a global role
    (walidata, pembina) when `organization_id` is None."""
    return roles.holders(role, organization_id)


def roles_held(user_name: str | None) -> set[str]:
    """Names of the portal roles a user holds, globally or in any OPD (operator,
    surveyor, verifikator, walidata, and any role added later such as pembina), plus
    `sysadmin` for a CKAN sysadmin; empty for an unknown or inactive user. One query:
    satudata's two-factor rule reads which roles must use a second factor from it."""
    user = model.User.get(user_name) if user_name else None
    if user is None or user.state != "active":
        return set()
    held = set(model.Session.scalars(
        sa.select(Role.role).where(Role.user_id == user.id).distinct()))
    if user.sysadmin:
        held.add("sysadmin")
    return held


def default_language() -> Any:
    """Context manager: `tk._` renders in `ckan.locale_default` with or without a web
    request (notification texts built by CLI commands and jobs too)."""
    return notify.default_language()


def notify_users(user_ids: list[str], subject: str, body: str, package_id: str = "",
                 send_now: bool = False) -> int:
    """In-app notifications (and e-mails) for these users about something of the other
    package (satudata's Daftar Data reminders). Commits. E-mails go from the background
    worker, or at once with `send_now` (a command already running in the background).
    Returns how many notifications were written."""
    notes = [Notification(user_id=uid, package_id=package_id, subject=subject, body=body)
             for uid in sorted(set(user_ids))]
    model.Session.add_all(notes)
    model.Session.commit()
    if send_now:
        notify.send_emails([n.id for n in notes])
    else:
        notify.queue_emails(notes, subject)
    return len(notes)


def is_operator(user_name: str | None, package_id: str) -> bool:
    """Enters the dataset's data: an operator of its OPD, or a sysadmin."""
    user, pkg = _user_and_package(user_name, package_id)
    if user is None:
        return False
    return user.sysadmin or roles.roles_of(user.id).has("operator", pkg.owner_org)


def under_review(package_id: str) -> bool:
    return workflow.state_of(package_id).state in states.REVIEW_STATES


def write_goes_live(context_: dict[str, Any], package_id: str, *, table: bool) -> bool:
    """Whether a write to the dataset's data made with `context_` becomes part of its
    published version at once, without a new workflow publication: the dataset is
    published (no update in progress) and the write starts no update. `table`: a write
    to an existing DataStore table (a sysadmin's or an `ignore_auth` write goes live);
    otherwise an edit of the dataset or its resources (a sysadmin's goes live, as a
    direct publication). The workflow's own and system writes never count (their data
    went through a publication). satudata's personal data gate checks such writes."""
    if context.is_transition(context_):
        return False
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state == "deleted" or pkg.type not in _config.dataset_types():
        return False
    if workflow.state_of(pkg.id).state != "published":
        return False
    user = model.User.get(context_.get("user") or "")
    sysadmin = bool(user is not None and user.sysadmin)
    return sysadmin or bool(table and context_.get("ignore_auth"))


def has_published(package_id: str) -> bool:
    return workflow.state_of(package_id).has_published


def start_update(package_id: str) -> None:
    """New data for a published dataset: it goes through the stages again (no commit)."""
    workflow.start_update(package_id)


def publication_dates(package_ids: list[str]) -> dict[str, dt.datetime]:
    """When each of these datasets became public (UTC; one query): its first publication
    since it was last withdrawn. Later publications of the same dataset (updates,
    corrections, a sysadmin's edit) do not move it; `metadata_modified` is the last one.
    A dataset published before the workflow recorded publications counts from its
    published snapshot. Datasets without a published version are left out."""
    if not package_ids:
        return {}
    event = WorkflowEvent
    withdrawn = (sa.select(event.package_id, sa.func.max(event.created).label("at"))
                 .where(event.to_state == "withdrawn", event.package_id.in_(package_ids))
                 .group_by(event.package_id).subquery())
    first = (sa.select(event.package_id, sa.func.min(event.created).label("at"))
             .outerjoin(withdrawn, withdrawn.c.package_id == event.package_id)
             .where(event.to_state == "published", event.package_id.in_(package_ids),
                    sa.or_(withdrawn.c.at.is_(None), event.created > withdrawn.c.at))
             .group_by(event.package_id).subquery())
    rows = model.Session.execute(
        sa.select(WorkflowState.package_id,
                  sa.func.coalesce(first.c.at, PublishedSnapshot.published))
        .outerjoin(first, first.c.package_id == WorkflowState.package_id)
        .outerjoin(PublishedSnapshot, PublishedSnapshot.package_id == WorkflowState.package_id)
        .where(WorkflowState.package_id.in_(package_ids), WorkflowState.has_published))
    return {package_id: at for package_id, at in rows if at is not None}


def can_use_data(user_name: str | None, package_id: str) -> bool:
    """May this user download or query the dataset's data (not only read its metadata):
    its team, anyone for published `terbuka` data, a current grant holder otherwise."""
    user, pkg = _user_and_package(user_name, package_id)
    return access.can_use_data(user, pkg)


def access_grants(package_ids: list[str] | None = None, user_id: str | None = None,
                  current_only: bool = False) -> list[dict[str, Any]]:
    """Access grants (newest first; one query), optionally of some datasets or one user,
    or only those in force today (not revoked, not expired). Satudata's grants page
    lists them; it makes, extends (a new grant with a later expiry) and revokes them
    through the `verifikasi_access_grant` / `verifikasi_access_revoke` actions."""
    query = sa.select(AccessGrant).order_by(AccessGrant.created.desc(), AccessGrant.id.desc())
    if package_ids is not None:
        query = query.where(AccessGrant.package_id.in_(package_ids))
    if user_id is not None:
        query = query.where(AccessGrant.user_id == user_id)
    if current_only:
        query = query.where(AccessGrant.revoked.is_(None),
                            AccessGrant.expires >= localtime.today())
    return [{"id": g.id, "package_id": g.package_id, "user_id": g.user_id,
             "expires": g.expires, "reason": g.reason, "created": g.created,
             "created_by": g.created_by, "revoked": g.revoked, "revoked_by": g.revoked_by}
            for g in model.Session.scalars(query)]


def audit(actor_id: str | None, action: str, object_type: str, object_id: str,
          **detail: Any) -> None:
    """Add an entry to the append-only audit log, in the caller's transaction (the
    caller commits): satudata's login security audits account locks, unlocks and
    two-factor resets here. `actor_id`: the acting user's id, None for the system."""
    _audit.record(actor_id, action, object_type, object_id, **detail)


def workflow_version() -> str:
    """Changes with every transition and every change of a workflow state (one query):
    what figures built from the workflow are kept under."""
    events, last_event, last_state = model.Session.execute(sa.select(
        sa.select(sa.func.count()).select_from(WorkflowEvent).scalar_subquery(),
        sa.select(sa.func.max(WorkflowEvent.id)).scalar_subquery(),
        sa.select(sa.func.max(WorkflowState.updated)).scalar_subquery())).one()
    return f"{events}:{last_event or 0}:{last_state.isoformat() if last_state else ''}"


def workflow_figures_by_organization(organization_ids: list[str] | None = None,
                                     today: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """The workflow figures of every OPD (or of these OPDs) in one SQL aggregate:
    {organization_id: {"states": {state: count}, "returned": datasets ever returned,
    "notes": correction notes written (returns with a note), "overdue": datasets
    returned whose correction deadline is before `today`, "days": {state: average
    days a dataset stayed in that state before leaving it}}}. Deleted datasets are
    left out; monitoring (satudata) shows these per OPD."""
    return _workflow_figures(None, organization_ids, today)


def workflow_figures_by_field(field: str, organization_ids: list[str] | None = None,
                              today: dt.date | None = None) -> dict[str | None, dict[str, Any]]:
    """The same figures as `workflow_figures_by_organization` in one SQL aggregate, but
    per value of the datasets' extra `field` (None: datasets without it), counting only
    the datasets of these OPDs when given: monitoring's breakdown per sector and category."""
    return _workflow_figures(field, organization_ids, today)


def _workflow_figures(field: str | None, organization_ids: list[str] | None,
                      today: dt.date | None) -> dict[Any, dict[str, Any]]:
    today = today or localtime.today()
    pkg = model.package_table
    state, event = WorkflowState, WorkflowEvent
    org_filter = [pkg.c.state != "deleted", pkg.c.owner_org.isnot(None)]
    if organization_ids is not None:
        if not organization_ids:
            return {}
        org_filter.append(pkg.c.owner_org.in_(organization_ids))
    base: Any = pkg
    key: Any = pkg.c.owner_org
    if field is not None:
        extra = model.package_extra_table.alias("grouping_extra")
        base = pkg.outerjoin(extra, sa.and_(extra.c.package_id == pkg.c.id,
                                            extra.c.key == field, extra.c.state == "active"))
        key = sa.func.nullif(extra.c.value, "")
    # Time in a stage: from the event entering it to the next event of the same dataset.
    nxt = sa.func.lead(event.created).over(partition_by=event.package_id,
                                           order_by=(event.created, event.id))
    stays = (sa.select(event.package_id, event.to_state.label("stage"),
                       (sa.extract("epoch", nxt - event.created) / 86400.0).label("days"))
             .subquery())
    rows = model.Session.execute(sa.union_all(
        sa.select(key, sa.literal("state"), sa.cast(state.state, sa.UnicodeText),
                  sa.func.count(), sa.cast(sa.literal(None), sa.Float))
        .select_from(base).join(state, state.package_id == pkg.c.id).where(*org_filter)
        .group_by(key, state.state),
        sa.select(key, sa.literal("overdue"), sa.literal(""),
                  sa.func.count(), sa.cast(sa.literal(None), sa.Float))
        .select_from(base).join(state, state.package_id == pkg.c.id)
        .where(*org_filter, state.state == "returned", state.deadline < today)
        .group_by(key),
        sa.select(key, sa.literal("returned"), sa.literal(""),
                  sa.func.count(sa.distinct(event.package_id)),
                  sa.cast(sa.func.count(event.note), sa.Float))
        .select_from(base).join(event, event.package_id == pkg.c.id)
        .where(*org_filter, event.to_state == "returned")
        .group_by(key),
        sa.select(key, sa.literal("days"), stays.c.stage,
                  sa.func.count(stays.c.days), sa.cast(sa.func.avg(stays.c.days), sa.Float))
        .select_from(base).join(stays, stays.c.package_id == pkg.c.id)
        .where(*org_filter, stays.c.days.isnot(None))
        .group_by(key, stays.c.stage),
    )).all()
    out: dict[Any, dict[str, Any]] = {}
    for org, kind, name, count, value in rows:
        fig = out.setdefault(org, {"states": {}, "returned": 0, "notes": 0,
                                   "overdue": 0, "days": {}})
        if kind == "state":
            fig["states"][name] = int(count)
        elif kind == "overdue":
            fig["overdue"] = int(count)
        elif kind == "returned":
            fig["returned"] = int(count)
            fig["notes"] = int(value or 0)
        else:
            fig["days"][name] = round(float(value), 1)
    return out
