"""One gate to the public.

Whatever the path — workflow approval, a sysadmin's package_create/update/patch, a
harvester (the site user), bulk_update_public, the demo — a dataset becomes or stays
public only through a *publication*, and every publication follows the same rules:

* `rahasia` is never public (a publication of it keeps the dataset private);
* the SDI metadata is complete (the check `verifikasi_submit` makes);
* the receivers of `before_transition` accept it, as for a workflow publication
  (satudata's personal data gate refuses data holding personal data);
* the published snapshot is taken (only a publication changes it), its time is the
  public `metadata_modified`;
* the state becomes `published` and a history entry says how and by whom.

Outside the workflow only a sysadmin can publish; doing so is a *direct publication*
(`record_direct_publication`). A sysadmin's edit of a published dataset is one too (it
goes live, so it is recorded and re-snapshotted rather than silently changing the
public version); an edit by anyone else starts an update through review.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.verifikasi import audit, config, published_data, signals
from ckanext.verifikasi.model import (
    AccessGrant,
    Notification,
    PublishedSnapshot,
    WorkflowEvent,
    WorkflowState,
)


def publication_errors(package_id: str, user_name: str, *, public: bool) -> dict[str, list]:
    """What stands between the dataset as stored now (in this transaction) and its
    publication; `public`: it is to be public (not a private publication of rahasia)."""
    check = tk.get_action("satudata_metadata_check")(
        {"user": user_name, "ignore_auth": True, "use_cache": False}, {"id": package_id})
    errors: dict[str, list] = {}
    pkg = model.Package.get(package_id)
    field, secret = config.access_field(), config.secret_class()
    if public and pkg is not None and pkg.extras.get(field) == secret:
        errors[field] = [tk._(
            "A {access_class} dataset can never be public; keep it private (private: true)"
        ).format(access_class=secret)]
    if not check["complete"]:
        errors["metadata"] = [p["message"] for p in check["problems"]]
    if pkg is not None:
        # The same receivers as a workflow publication (satudata's personal data gate).
        try:
            signals.before_transition.send(pkg.id, package=pkg, action="publish",
                                           to_state="published",
                                           user=model.User.get(user_name))
        except tk.ValidationError as err:
            for key, messages in err.error_dict.items():
                errors.setdefault(key, []).extend(
                    messages if isinstance(messages, list) else [messages])
    return errors


def take_snapshot(package_id: str, user: model.User, data: dict[str, Any] | None = None,
                  published: dt.datetime | None = None) -> dt.datetime:
    """Keep the dataset as published now (or at `published`); returns the publication
    time."""
    if data is None:
        data = tk.get_action("package_show")(
            {"user": user.name, "ignore_auth": True, "use_cache": False}, {"id": package_id})
    now = published or dt.datetime.utcnow()
    data = {**data, "metadata_modified": now.isoformat()}
    snapshot = model.Session.get(PublishedSnapshot, package_id)
    if snapshot is None:
        model.Session.add(PublishedSnapshot(package_id=package_id, data=data,
                                            published=now, published_by=user.id))
    else:
        snapshot.data = data
        snapshot.published = now
        snapshot.published_by = user.id
    return now


def record_direct_publication(package_id: str, user: model.User, how: str) -> None:
    """A sysadmin published the dataset outside the workflow (in the caller's transaction,
    after the change is flushed): state, history entry, audit entry, snapshot.

    Raises ValidationError (nothing of the state changed) when the gate refuses; the
    caller rolls its change back.
    """
    pkg = model.Package.get(package_id)
    assert pkg is not None
    errors = publication_errors(pkg.id, user.name, public=not pkg.private)
    if errors:
        raise tk.ValidationError(errors)
    current = model.Session.get(WorkflowState, pkg.id, populate_existing=True)
    from_state = current.state if current else "draft"
    now = dt.datetime.utcnow()
    if current is None:
        model.Session.add(WorkflowState(package_id=pkg.id, state="published", version=1,
                                        updated=now, has_published=True))
    else:
        current.state, current.version = "published", current.version + 1
        current.updated, current.deadline, current.has_published = now, None, True
    note = tk._("Published directly by {user} ({how})").format(user=user.name, how=how)
    model.Session.add(WorkflowEvent(package_id=pkg.id, action="publish",
                                    from_state=from_state, to_state="published",
                                    actor_id=user.id, actor_role="sysadmin", note=note))
    audit.record(user.id, "workflow_publish", "package", pkg.id, from_state=from_state,
                 to_state="published", note=note, how=how)
    model.Session.flush()
    take_snapshot(pkg.id, user)


def after_publication(package_id: str) -> None:
    """After the commit: kept copies of an earlier published version are obsolete, and
    listeners (satudata's data input) bring pending data into the public tables."""
    published_data.thaw(package_id)
    signals.published.send(package_id)


def purge(package_id: str, resource_ids: list[str]) -> None:
    """Everything verifikasi kept of a purged dataset (audit entries excepted), and its
    DataStore tables with their published copies; a dataset made again with the same id
    starts fresh. In the caller's transaction, except the DataStore tables."""
    tables: tuple[Any, ...] = (WorkflowState, WorkflowEvent, PublishedSnapshot, AccessGrant,
                               Notification)
    for table in tables:
        model.Session.execute(sa.delete(table).where(table.package_id == package_id)
                              .execution_options(synchronize_session=False))
    published_data.drop_tables(resource_ids)
