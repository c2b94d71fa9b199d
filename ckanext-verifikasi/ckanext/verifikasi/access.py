"""Who may see a dataset and who may use its data.

Visibility rides on CKAN's own `private` flag (kept by the workflow) plus
permission labels, so every core path (search, package_show, activity, DCAT,
sitemaps) follows it. Data of `terbatas`/`rahasia` datasets is further
limited to the OPD, walidata and holders of a current access grant.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels

from ckanext.verifikasi import config, localtime, roles, workflow
from ckanext.verifikasi.labels import WALIDATA_LABEL, grant_label, opd_label
from ckanext.verifikasi.model import AccessGrant, WorkflowState


def active_grant_packages(user_id: str, today: dt.date | None = None) -> set[str]:
    """Ids of datasets the user holds a current grant for (one query).

    A grant opens what has been published: before publication a dataset is visible only
    to its OPD's roles and walidata, and a withdrawn one is down for everyone else, so
    grants of datasets without a published version count for nothing (until they are
    published, or published again, within the grant's term).
    """
    rows = model.Session.execute(
        sa.select(AccessGrant.package_id)
        .join(WorkflowState, WorkflowState.package_id == AccessGrant.package_id)
        .where(AccessGrant.user_id == user_id, AccessGrant.revoked.is_(None),
               AccessGrant.expires >= (today or localtime.today()),
               WorkflowState.has_published.is_(True))).scalars()
    return set(rows)


def member_organization_ids(user_obj: model.User) -> set[str]:
    """The organizations whose datasets the user may read as a member: the ids
    core's `organization_list_for_user` (permission `read`) returns, from its
    queries without dictizing every organization (which cost ~18 ms a call, and
    core asks for the labels on every search and private package_show)."""
    orgs = sa.select(model.Group.id).where(model.Group.is_organization.is_(True),
                                           model.Group.state == "active")
    if user_obj.sysadmin:
        return set(model.Session.execute(orgs).scalars())
    roles_with_read = authz.get_roles_with_permission("read")
    memberships = model.Session.execute(
        sa.select(model.Member.group_id, model.Member.capacity)
        .where(model.Member.table_name == "user", model.Member.table_id == user_obj.id,
               model.Member.state == "active", model.Member.capacity.in_(roles_with_read))
    ).all()
    cascading = authz.check_config_permission("roles_that_cascade_to_sub_groups")
    ids = {group_id for group_id, _ in memberships}
    for group_id, capacity in memberships:
        group = model.Group.get(group_id) if capacity in cascading else None
        if group is not None:
            ids.update(child[0] for child in
                       group.get_children_group_hierarchy(type="organization"))
    if not ids:
        return set()
    return set(model.Session.execute(orgs.where(model.Group.id.in_(ids))).scalars())


# Core asks for the user's labels on every package_show and search: eight
# times for a dataset page of four resources. A request keeps them until an
# action that may write succeeds or a workflow transition happens.
_LABELS_MEMO = "verifikasi.user_labels"


def _labels_memo() -> dict[str, list[str]] | None:
    from flask import has_request_context, request

    if not has_request_context():
        return None
    memo: dict[str, list[str]] = request.environ.setdefault(_LABELS_MEMO, {})
    return memo


def forget_user_labels(_sender: Any, **_kwargs: Any) -> None:
    """Receiver of the transition signal: what has been published changed."""
    from flask import has_request_context, request

    if has_request_context():
        request.environ.pop(_LABELS_MEMO, None)


def forget_user_labels_after_write(action_name: str, **kwargs: Any) -> None:
    """Receiver of core's `action_succeeded`: an action that may write may have
    changed memberships or grants."""
    try:
        read_only = getattr(tk.get_action(action_name), "side_effect_free", False)
    except KeyError:
        read_only = False
    if not read_only:
        forget_user_labels(action_name, **kwargs)


class PermissionLabels(DefaultPermissionLabels):
    """Core's labels plus: the owning OPD's roles, walidata, and grant holders."""

    def get_dataset_labels(self, dataset_obj: model.Package) -> list[str]:
        labels = super().get_dataset_labels(dataset_obj)
        labels.append(WALIDATA_LABEL)
        labels.append(grant_label(dataset_obj.id))
        if dataset_obj.owner_org:
            labels.append(opd_label(dataset_obj.owner_org))
        return labels

    def get_user_dataset_labels(self, user_obj: model.User | None) -> list[str]:
        if not user_obj or user_obj.is_anonymous:
            return super().get_user_dataset_labels(user_obj)
        memo = _labels_memo()
        if memo is not None and user_obj.id in memo:
            return list(memo[user_obj.id])
        labels = self._user_labels(user_obj)
        if memo is not None:
            memo[user_obj.id] = list(labels)
        return labels

    def _user_labels(self, user_obj: model.User) -> list[str]:
        # Core's labels (public, creator, member, collaborator), with the
        # member organizations from one query.
        labels = ["public", f"creator-{user_obj.id}"]
        labels += [f"member-{org}" for org in sorted(member_organization_ids(user_obj))]
        if authz.check_config_permission("allow_dataset_collaborators"):
            collaborations = tk.get_action("package_collaborator_list_for_user")(
                {"ignore_auth": True}, {"id": user_obj.id})
            labels += [f"collaborator-{c['package_id']}" for c in collaborations]
        held = roles.roles_of(user_obj.id)
        if held.reads_all:
            # Pembina reads what walidata reads (the label every dataset carries).
            labels.append(WALIDATA_LABEL)
        labels += [opd_label(org) for org in held.opd]
        labels += [grant_label(pkg) for pkg in active_grant_packages(user_obj.id)]
        return labels


def current_user() -> model.User | None:
    """The user of the current web request, if any."""
    from flask import has_request_context

    if has_request_context() and tk.current_user.is_authenticated:
        return model.User.get(tk.current_user.id)
    return None


def is_team(user: model.User | None, pkg: Any) -> bool:
    """Sysadmin, walidata, or holder of a role in the dataset's OPD (walidata pendukung
    of the OPD included; pembina is not: see `can_read`)."""
    if user is None or getattr(user, "is_anonymous", False):
        return False
    if user.sysadmin:
        return True
    held = roles.roles_of(user.id)
    owner = pkg.owner_org if isinstance(pkg, model.Package) else pkg.get("owner_org")
    return held.walidata or held.in_opd(owner)


def can_read(user: model.User | None, pkg: Any) -> bool:
    """May read the dataset and its data whatever its state: its team, or pembina."""
    if is_team(user, pkg):
        return True
    if user is None or getattr(user, "is_anonymous", False):
        return False
    return roles.roles_of(user.id).pembina


def public_class(pkg: model.Package) -> str:
    """The access class that applies outside the team.

    While an update of published data is under way, the edited class is not approved
    yet: the stricter of it and the published one applies (an operator loosening
    `terbatas` to `terbuka` must not open the data before walidata publishes it).
    """
    field, classes = config.access_field(), config.access_classes()
    edited = pkg.extras.get(field) or config.open_class()
    state = workflow.state_of(pkg.id)
    if not state.has_published or state.state == "published":
        return edited
    published = (workflow.published_snapshot(pkg.id) or {}).get(field) or edited
    # An unknown class counts as the most closed.
    return max(edited, published,
               key=lambda c: classes.index(c) if c in classes else len(classes))


def can_use_data(user: model.User | None, pkg: model.Package) -> bool:
    """May this user download/query the data (not just the metadata) of the dataset?"""
    if can_read(user, pkg):
        return True
    if not pkg.private and public_class(pkg) == config.open_class():
        return True
    if user is None or getattr(user, "is_anonymous", False):
        return False
    return pkg.id in active_grant_packages(user.id)
