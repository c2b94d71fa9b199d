"""The `satudata_harvest` plugin: harvesters fetch remote catalogues only through safe_fetch.

Load it instead of ckanext-harvest's `ckan_harvester` (it is that harvester, same
source type `ckan`, with its one download method going through safe_fetch), next
to `dcat_rdf_harvester` (whose session and every page URL it checks through the
`IDCATRDFHarvester` hooks). See DESIGN "Fetching URLs".

It also fills in what the remote side lacks from the source's defaults and mappings
(`harvest_source`) for both harvesters, lets the walidata manage sources
(`logic.harvest_auth`) and answers a second job for a busy source with a 409
(`logic.harvest_action`). A saved source's trust flag gets the portal's record of who
set it (`harvest_source.record_trust`); datasets of a trusted source are published
through verifikasi's gate after they are written (`harvest_publish`), for both
harvesters; a change of a published dataset from a source that is not trusted starts
an update through the workflow; a DCAT dataset not modified at the source is not
written again. ckanext-dcat may read the draft it re-imports
(`logic.harvest_import_auth`). Deletions at the source: the CKAN harvester gets the
deletion pass stock ckanext-harvest lacks, and both harvesters' deletions withdraw
instead of deleting (`harvest_deletion`, `logic.harvest_deletion_action`).
"""
from __future__ import annotations

import contextlib
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester, ContentFetchError

from ckanext.satudata import (
    config,
    harvest_deletion,
    harvest_publish,
    harvest_source,
    safe_fetch,
)
from ckanext.satudata.logic import (
    harvest_action,
    harvest_auth,
    harvest_deletion_action,
    harvest_import_auth,
)
from ckanext.verifikasi import shared as verifikasi


def _source_settings(harvest_object: Any) -> harvest_source.SourceSettings:
    return harvest_source.settings(harvest_object.source.config)


def _members(*modules: Any) -> dict[str, Any]:
    return {name: getattr(module, name) for module in modules for name in module.__all__}


def _actions() -> dict[str, Any]:
    return _members(harvest_action, harvest_deletion_action)


def _auth_functions() -> dict[str, Any]:
    return _members(harvest_auth, harvest_import_auth)


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(_auth_functions)
class SatudataHarvestPlugin(CKANHarvester):
    p.implements(IDCATRDFHarvester, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    # IPackageController: a source's trust flag, recorded when it is saved

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        harvest_source.record_trust(context, pkg_dict)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        harvest_source.record_trust(context, pkg_dict)

    # CKANHarvester: its only network access

    def _get_content(self, url: str) -> str:
        headers = {}
        if self.config and self.config.get("user_agent"):
            headers["User-Agent"] = str(self.config["user_agent"])
        if self.config and self.config.get("api_key"):
            headers["Authorization"] = str(self.config["api_key"])
        try:
            body = safe_fetch.fetch_bytes(url, max_bytes=config.fetch_max_bytes(),
                                          headers=headers)
        except safe_fetch.FetchError as exc:
            raise ContentFetchError(str(exc)) from None
        return body.decode("utf-8", errors="replace")

    def gather_stage(self, harvest_job: Any) -> Any:
        """ckanext-harvest's gather stage, then the deletion pass it lacks: every id the
        remote lists (whatever changed since the last run), and a delete object for
        each current dataset of the source it no longer lists."""
        object_ids = super().gather_stage(harvest_job)
        if object_ids is None:
            return None  # the remote could not be searched: no deletions either
        remote = harvest_deletion.remote_ckan_ids(self._get_content, harvest_job.source.url,
                                                  harvest_deletion.ckan_fq_terms(self.config))
        if remote is None:
            return object_ids
        return list(object_ids) + harvest_deletion.mark_gone(harvest_job, remote)

    def import_stage(self, harvest_object: Any) -> Any:
        """A delete object goes to package_delete (as in ckanext-dcat's harvester: the
        chained action withdraws); a written dataset of a trusted source is published."""
        if any(e.key == harvest_deletion.STATUS_KEY and e.value == harvest_deletion.DELETE
               for e in harvest_object.extras):
            with contextlib.suppress(tk.ObjectNotFound):
                tk.get_action("package_delete")(
                    {"user": self._get_user_name(), "ignore_auth": True},
                    {"id": harvest_object.package_id})
            return True
        result = super().import_stage(harvest_object)
        if result is True and harvest_object.package_id:
            refused = harvest_publish.publish(harvest_object.package_id, harvest_object.source,
                                              self._get_user_name())
            if refused:
                self._save_object_error(refused, harvest_object, "Import")
                return False
        return result

    def _create_or_update_package(self, package_dict: dict[str, Any], harvest_object: Any,
                                  package_dict_form: str = "rest") -> Any:
        """ckanext-harvest's write; a change of a published dataset from a source that is
        not trusted starts an update first (the public keeps the published version
        until the workflow publishes the change)."""
        if not _source_settings(harvest_object).trusted and self._will_update(package_dict):
            harvest_publish.start_update(package_dict["id"])
        return super()._create_or_update_package(package_dict, harvest_object,
                                                 package_dict_form)

    def _will_update(self, package_dict: dict[str, Any]) -> bool:
        """ckanext-harvest writes an existing dataset only when the remote copy is newer
        (`_create_or_update_package`); the same test."""
        pkg = model.Package.get(package_dict.get("id") or "")
        if pkg is None or not verifikasi.has_published(pkg.id):
            return False  # nothing published: nothing to start an update of
        try:
            existing = self._find_existing_package(package_dict)
        except tk.ObjectNotFound:
            return False
        modified = package_dict.get("metadata_modified")
        return not modified or modified > (existing.get("metadata_modified") or "")

    def modify_package_dict(self, package_dict: dict[str, Any], harvest_object: Any
                            ) -> dict[str, Any]:
        existing = model.Package.get(package_dict.get("id") or "") is not None
        dataset = harvest_source.apply(package_dict, _source_settings(harvest_object),
                                       existing=existing)
        if existing:
            harvest_publish.withdraw_if_secret(package_dict.get("id"), dataset,
                                               harvest_object.source, self._get_user_name())
        return dataset

    # IDCATRDFHarvester

    def before_download(self, url: str, harvest_job: Any) -> tuple[str | None, list[str]]:
        # Also refuses local paths, which the DCAT harvester would otherwise read from disk.
        try:
            safe_fetch.check_url(url)
        except safe_fetch.FetchError as exc:
            return None, [str(exc)]
        return url, []

    def update_session(self, session: Any) -> Any:
        return safe_fetch.secure(session)

    def after_parsing(self, rdf_parser: Any, harvest_job: Any) -> tuple[Any, list[str]]:
        # A page listing no dataset at all (an empty but valid graph: a broken export, a
        # wrong URL answering with an empty catalogue) would make ckanext-dcat mark every
        # dataset of the source for deletion, i.e. withdraw all of them. Nothing is
        # gathered, nothing withdrawn; the job says why.
        if harvest_deletion.lists_no_dataset(rdf_parser.g):
            return None, [tk._("The catalogue lists no dataset; nothing was harvested and "
                               "nothing withdrawn. Check the source's address.")]
        return rdf_parser, []

    def before_create(self, harvest_object: Any, dataset_dict: dict[str, Any],
                      temp_dict: dict[str, Any]) -> None:
        harvest_source.apply(dataset_dict, _source_settings(harvest_object), existing=False)

    def before_update(self, harvest_object: Any, dataset_dict: dict[str, Any],
                      temp_dict: dict[str, Any]) -> None:
        settings = _source_settings(harvest_object)
        if harvest_publish.unchanged_at_source(dataset_dict):
            # ckanext-dcat writes every dataset it finds again (each write of a published
            # dataset would be a publication or an update): an empty dict makes it skip
            # the write ("not modified"); the object keeps pointing at the dataset, for
            # the deletion pass.
            harvest_object.package_id = dataset_dict["id"]
            harvest_object.add()
            dataset_dict.clear()
            return
        harvest_source.apply(dataset_dict, settings, existing=True)
        harvest_publish.withdraw_if_secret(dataset_dict.get("id"), dataset_dict,
                                           harvest_object.source)
        if not settings.trusted:
            harvest_publish.start_update(dataset_dict["id"])

    def after_create(self, harvest_object: Any, dataset_dict: dict[str, Any],
                     temp_dict: dict[str, Any]) -> str | None:
        return harvest_publish.publish(dataset_dict["id"], harvest_object.source)

    def after_update(self, harvest_object: Any, dataset_dict: dict[str, Any],
                     temp_dict: dict[str, Any]) -> str | None:
        return harvest_publish.publish(dataset_dict["id"], harvest_object.source)
