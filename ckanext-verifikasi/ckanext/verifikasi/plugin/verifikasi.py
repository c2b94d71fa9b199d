"""The `verifikasi` plugin: roles, the verification workflow and access classes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import DefaultTranslation

from ckanext.verifikasi import (
    access,
    audit,
    cli,
    helpers,
    notify,
    signals,
    site_texts,
    views,
    workflow,
)
from ckanext.verifikasi.context import is_transition
from ckanext.verifikasi.logic import account_action, account_auth, action, auth

PACKAGE_DIR = Path(__file__).resolve().parent.parent


@tk.blanket.config_declarations(str(PACKAGE_DIR / "config_declaration.yaml"))
@tk.blanket.actions(lambda: {**action.get_actions(), **account_action.get_actions()})
@tk.blanket.auth_functions(lambda: {**auth.get_auth_functions(),
                                    **account_auth.get_auth_functions()})
@tk.blanket.blueprints(views.get_blueprints)
@tk.blanket.cli(cli.get_commands)
@tk.blanket.helpers(helpers)
class VerifikasiPlugin(access.PermissionLabels, p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPermissionLabels)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.ISignal)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "../templates")

    def update_config_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        # The site texts the walidata edits (intro, about, contact details).
        return site_texts.update_schema(schema)

    # ITranslation

    def i18n_directory(self) -> str:
        return str(PACKAGE_DIR / "i18n")

    def i18n_domain(self) -> str:
        return "ckanext-verifikasi"

    # ISignal

    def get_signal_subscriptions(self) -> dict[Any, list[Any]]:
        return {
            # satudata's DataStore downloads (CSV/TSV/XLSX/JSON/XML dumps).
            signals.datastore_dump: [audit.on_datastore_dump],
            # In the transition's transaction: its audit entry and in-app notifications.
            signals.transition: [audit.on_transition, notify.on_transition,
                                 access.forget_user_labels],
            # A write may change memberships or grants: labels kept for the
            # request are computed again.
            tk.signals.action_succeeded: [access.forget_user_labels_after_write],
            # After its commit: the notifications' e-mails.
            signals.transition_committed: [notify.on_transition_committed],
        }

    # IPackageController

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        """Outside the OPD (and pembina) the public sees the published version while an
        update is reviewed."""
        if context.get("ignore_auth") or is_transition(context):
            return pkg_dict
        state = workflow.state_of(pkg_dict["id"])
        if not state.has_published:
            return pkg_dict
        user = model.User.get(context.get("user") or "")
        if access.can_read(user, pkg_dict):
            return pkg_dict
        published = workflow.publication_times([pkg_dict["id"]]).get(pkg_dict["id"])
        if state.state != "published":
            snapshot = workflow.published_snapshot(pkg_dict["id"])
            if snapshot:
                pkg_dict.clear()
                pkg_dict.update(snapshot)
        if published:
            # The public's "modified" is the last publication (harvesters ask for it).
            pkg_dict["metadata_modified"] = published.isoformat()
        return pkg_dict

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        state = workflow.state_of(pkg_dict["id"])
        pkg_dict["verifikasi_state"] = state.state
        if state.has_published:
            published = workflow.publication_times([pkg_dict["id"]]).get(pkg_dict["id"])
            if published:
                pkg_dict["metadata_modified"] = published.isoformat() + "Z"
        if state.has_published and state.state != "published":
            snapshot = workflow.published_snapshot(pkg_dict["id"])
            if snapshot:
                # Full-text search finds the published wording while an update is reviewed.
                pkg_dict["title"] = snapshot.get("title", pkg_dict.get("title"))
                pkg_dict["notes"] = snapshot.get("notes", pkg_dict.get("notes"))
        return pkg_dict

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        """Outsiders get the published version of results whose update is in review."""
        results = search_results["results"]
        times = workflow.publication_times([r["id"] for r in results if "id" in r])
        if not times:
            return search_results
        user = access.current_user()
        outsiders = [r for r in results if r.get("id") in times and not access.can_read(user, r)]
        in_review = workflow.updates_in_review([r["id"] for r in outsiders])
        snapshots = workflow.published_snapshots([r["id"] for r in outsiders
                                                  if r["id"] in in_review])
        for result in outsiders:
            snapshot = snapshots.get(result["id"])
            if snapshot:
                result.clear()
                result.update(snapshot)
            # The public's "modified" is the last publication (harvesters ask for it).
            result["metadata_modified"] = times[result["id"]].isoformat()
        return search_results
