"""Core's dataset actions, chained so that only the workflow's gate publishes.

A new dataset is a private draft; `private: false` asked by anyone but a sysadmin is
refused, never silently dropped; a sysadmin's (or the site user's, for harvesters and
the demo) `private: false` or edit of a published dataset is a direct publication
through the gate (checked, recorded, snapshotted); anyone else's edit of a published
dataset starts an update; `bulk_update_*`, `dataset_purge` and activities follow the
same rule. See README, "Publication: one gate to the public".
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.types import Action, Context, DataDict

from ckanext.verifikasi import config, gate, labels, roles, states, workflow
from ckanext.verifikasi.context import is_transition
from ckanext.verifikasi.logic import auth

__all__ = ["activity_create", "bulk_update_private", "bulk_update_public", "dataset_purge",
           "package_create", "package_update", "resource_view_create"]

_caller = auth.caller


def _asks_public(data_dict: DataDict) -> bool:
    return "private" in data_dict and not tk.asbool(data_dict["private"])


#: Set while a core action runs without its commit (`_deferred`): core's package_create
#: makes the default resource views with a context of its own, and each view's commit
#: would store (and index) the dataset before the gate decided.
_DEFERRING: ContextVar[bool] = ContextVar("verifikasi_deferring", default=False)


def _deferred(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Run a core action without its commit: the gate decides before anything is stored."""
    deferred = context.get("defer_commit")
    context["defer_commit"] = True
    token = _DEFERRING.set(True)
    try:
        return next_action(context, data_dict)
    finally:
        _DEFERRING.reset(token)
        if deferred is None:
            context.pop("defer_commit", None)
        else:
            context["defer_commit"] = deferred


@tk.chained_action
def resource_view_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Inside a deferred core action (a dataset's default views), the view is stored with
    that action's transaction, not committed on its own."""
    if _DEFERRING.get():
        context["defer_commit"] = True
    return next_action(context, data_dict)


def _commit_publication(context: Context, package_id: str, record: Any) -> None:
    """Record the publication in the core action's transaction, then commit it (the search
    index sees the new state), unless the caller commits."""
    try:
        record()
    except tk.ValidationError:
        model.Session.rollback()
        raise
    if context.get("defer_commit"):
        return
    model.repo.commit()
    gate.after_publication(package_id)


@tk.chained_action
def package_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """New datasets start as private drafts in the workflow. A sysadmin's (or harvester's)
    create with `private: false` is a direct publication through the gate: refused for
    rahasia or incomplete metadata, recorded, snapshotted."""
    user = _caller(context)
    if (data_dict.get("type") or "dataset") not in config.dataset_types():
        # Not a statistical activity (a harvest source...): outside the workflow.
        if not (user and user.sysadmin):
            data_dict["private"] = True
        return next_action(context, data_dict)
    publish = bool(user and user.sysadmin and _asks_public(data_dict)
                   and data_dict.get("state") != "draft")
    if _asks_public(data_dict) and not (user and user.sysadmin):
        raise _refuse_public_draft()  # said, not silently kept private
    if not publish:
        data_dict["private"] = True
    result = _deferred(next_action, context, data_dict)
    package_id = result if isinstance(result, str) else result["id"]
    if not publish:
        workflow.ensure_state(package_id)
        if not context.get("defer_commit"):
            model.repo.commit()
        return result
    _commit_publication(context, package_id, lambda: gate.record_direct_publication(
        package_id, user, "package_create"))
    return result


def _refuse_public_draft() -> tk.ValidationError:
    return tk.ValidationError({"private": [tk._(
        "A dataset becomes public when the walidata publishes it through the verification "
        "workflow: submit it for verification; its visibility cannot be set directly")]})


def _refuse_private_change() -> tk.ValidationError:
    return tk.ValidationError({"private": [tk._(
        "A published dataset is taken down with verifikasi_withdraw, and published "
        "through the workflow; its visibility cannot be set directly")]})


@tk.chained_action
def package_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Only the gate publishes. Edits under review are refused; an edit of a published
    dataset starts an update while the published version stays public; a sysadmin's
    edit of a published dataset, or one making a dataset public, is a direct publication."""
    if is_transition(context):
        return next_action(context, data_dict)
    pkg = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    user = _caller(context)
    if pkg is None:
        return next_action(context, data_dict)
    state = workflow.state_of(pkg.id)
    if user and user.sysadmin and pkg.type in config.dataset_types():
        return _sysadmin_update(next_action, context, data_dict, pkg, state, user)
    walidata = bool(user and roles.roles_of(user.id).walidata)
    if state.state in states.REVIEW_STATES and not walidata:
        raise tk.ValidationError({"state": [tk._(
            "This dataset is under review ({state}); it cannot be changed until it is "
            "returned").format(state=states.state_label(state.state))]})
    if "private" in data_dict and tk.asbool(data_dict["private"]) != pkg.private:
        # Said, not silently undone: only the workflow (or a sysadmin's direct
        # publication) changes what the public sees.
        raise (_refuse_private_change() if state.has_published else _refuse_public_draft())
    data_dict["private"] = pkg.private  # the workflow decides publication
    if state.state == "published":
        # Before the update commits, so the search index already sees an update in
        # progress (and keeps showing the published version).
        workflow.start_update(pkg.id)
    return next_action(context, data_dict)


def _sysadmin_update(next_action: Action, context: Context, data_dict: DataDict,
                     pkg: model.Package, state: workflow.WorkflowState,
                     user: model.User) -> Any:
    """A published dataset's edit goes live: a recorded publication with a new snapshot.
    While an update is in review, the edit is part of the update. Otherwise
    `private: false` asks for a direct publication; visibility is never set directly."""
    explicit = "private" in data_dict
    wanted = tk.asbool(data_dict["private"]) if explicit else pkg.private
    if state.state == "published":
        if explicit and wanted and not pkg.private:
            raise _refuse_private_change()
        publish = True
    elif state.has_published:
        if explicit and wanted != pkg.private:
            raise _refuse_private_change()
        publish = False
    else:
        publish = explicit and not wanted and data_dict.get("state") != "draft"
        if not publish:
            data_dict["private"] = True if pkg.owner_org else pkg.private
    if not publish:
        return next_action(context, data_dict)
    how = context.get("verifikasi_how") or "package_update"
    result = _deferred(next_action, context, data_dict)
    _commit_publication(context, pkg.id, lambda: gate.record_direct_publication(
        pkg.id, user, how))
    return result


@tk.chained_action
def bulk_update_public(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Each dataset made public in bulk is a direct publication through the gate (core's
    action, which only flips the flag, is not called); one refused refuses them all
    (errors named by dataset)."""
    tk.check_access("bulk_update_public", context, data_dict)
    user = _caller(context)
    ids = data_dict.get("datasets") or []
    if not isinstance(ids, list) or not ids:
        raise tk.ValidationError({"datasets": [tk._("Missing value")]})
    org = model.Group.get(tk.get_or_bust(data_dict, "org_id"))
    if org is None:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    packages = model.Session.scalars(sa.select(model.Package).where(
        model.Package.owner_org == org.id, model.Package.state == "active",
        sa.or_(model.Package.id.in_(ids), model.Package.name.in_(ids)))).all()
    if len(packages) != len(set(ids)):
        raise tk.ValidationError({"datasets": [tk._(
            "Every dataset must be an active dataset of the organization")]})
    if not (user and user.sysadmin):
        raise tk.NotAuthorized(tk._("Only a sysadmin may publish outside the workflow"))
    errors: dict[str, Any] = {}
    for pkg in packages:
        if workflow.state_of(pkg.id).has_published:
            continue  # already public (or its update is in review): nothing to publish
        pkg.private = False
        model.Session.flush()
        refused = gate.publication_errors(pkg.id, user.name, public=True)
        if refused:
            errors[pkg.name] = [m for messages in refused.values() for m in messages]
            continue
        gate.record_direct_publication(pkg.id, user, "bulk_update_public")
    if errors:
        model.Session.rollback()
        raise tk.ValidationError(errors)
    model.repo.commit()
    for pkg in packages:
        search.rebuild(pkg.id)
        gate.after_publication(pkg.id)
    return None


@tk.chained_action
def bulk_update_private(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Taking a published dataset down is a withdrawal (recorded, with a reason), not a
    flag: refused here for datasets with a published version."""
    tk.check_access("bulk_update_private", context, data_dict)
    ids = data_dict.get("datasets") or []
    if isinstance(ids, list) and ids:
        published = model.Session.scalars(
            sa.select(model.Package.name)
            .join(workflow.WorkflowState, workflow.WorkflowState.package_id == model.Package.id)
            .where(sa.or_(model.Package.id.in_(ids), model.Package.name.in_(ids)),
                   workflow.WorkflowState.has_published)).all()
        if published:
            raise tk.ValidationError({"datasets": [tk._(
                "Published datasets are taken down with verifikasi_withdraw, with a reason: "
                "{names}").format(names=", ".join(sorted(published)))]})
    return next_action(context, data_dict)


@tk.chained_action
def dataset_purge(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """A purge takes verifikasi's rows and the DataStore tables (published copies
    included) with it: a dataset made again with the same id starts fresh."""
    pkg = model.Package.get(tk.get_or_bust(data_dict, "id"))
    if pkg is None:
        return next_action(context, data_dict)
    package_id = pkg.id
    resource_ids = list(model.Session.scalars(sa.select(model.Resource.id).where(
        model.Resource.package_id == package_id)))
    result = next_action(context, data_dict)
    gate.purge(package_id, resource_ids)
    model.Session.commit()
    return result


@tk.chained_action
def activity_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Activities of a dataset whose content is not public are for its team only.

    Core labels an activity with the dataset's labels when it is recorded; while an
    update of published data is reviewed those include `public` (the published copy
    stays public), but the activity carries the unapproved edit.
    """
    pkg = model.Package.get(data_dict.get("object_id") or "")
    if pkg is not None and data_dict.get("permission_labels") is not None:
        state = workflow.state_of(pkg.id)
        if state.state != "published" or pkg.private:
            data_dict["permission_labels"] = labels.team_labels(pkg)
    return next_action(context, data_dict)
