"""The `satudata_harvest` plugin: harvesters fetch remote catalogues only through safe_fetch.

Load it instead of ckanext-harvest's `ckan_harvester` (it is that harvester, same
source type `ckan`, with its one download method going through safe_fetch), next
to `dcat_rdf_harvester` (whose session and every page URL it checks through the
`IDCATRDFHarvester` hooks). See DESIGN "Fetching URLs".

It also fills in what the remote side lacks from the source's defaults and mappings
(`harvest_source`) for both harvesters, lets the walidata manage sources
(`logic.harvest_auth`) and answers a second job for a busy source with a 409
(`logic.harvest_action`).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester, ContentFetchError

from ckanext.satudata import config, harvest_source, safe_fetch
from ckanext.satudata.logic import harvest_action, harvest_auth


def _source_settings(harvest_object: Any) -> harvest_source.SourceSettings:
    return harvest_source.settings(harvest_object.source.config)


@tk.blanket.actions(harvest_action)
@tk.blanket.auth_functions(harvest_auth)
class SatudataHarvestPlugin(CKANHarvester):
    p.implements(IDCATRDFHarvester, inherit=True)

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

    def modify_package_dict(self, package_dict: dict[str, Any], harvest_object: Any
                            ) -> dict[str, Any]:
        existing = model.Package.get(package_dict.get("id") or "") is not None
        return harvest_source.apply(package_dict, _source_settings(harvest_object),
                                    existing=existing)

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

    def before_create(self, harvest_object: Any, dataset_dict: dict[str, Any],
                      temp_dict: dict[str, Any]) -> None:
        harvest_source.apply(dataset_dict, _source_settings(harvest_object), existing=False)

    def before_update(self, harvest_object: Any, dataset_dict: dict[str, Any],
                      temp_dict: dict[str, Any]) -> None:
        harvest_source.apply(dataset_dict, _source_settings(harvest_object), existing=True)
