"""The `satudata_harvest` plugin: harvesters fetch remote catalogues only through safe_fetch.

Load it instead of ckanext-harvest's `ckan_harvester` (it is that harvester, same
source type `ckan`, with its one download method going through safe_fetch), next
to `dcat_rdf_harvester` (whose session and every page URL it checks through the
`IDCATRDFHarvester` hooks). See DESIGN "Fetching URLs".
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester, ContentFetchError

from ckanext.satudata import config, safe_fetch


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
