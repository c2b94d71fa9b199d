"""Datasets deleted at a harvest source are taken down here, never purged silently.

Both harvesters end in the same place: ckanext-dcat's RDF harvester marks the guids
of the source missing from the remote graph (`_mark_datasets_for_deletion`: a harvest
object with the extra `status: delete`) and its import stage calls `package_delete`;
ckanext-harvest's CKAN harvester has no deletion pass, so the portal's CKAN harvester
(`plugin.harvest`) lists every id of the remote after its gather stage, marks the
missing ones the same way (`mark_gone`) and calls `package_delete` for them too.

The chained `package_delete` (`logic.harvest_deletion_action`) recognises such a call
(`deletion_in_progress`: a delete object of that dataset in its import stage) and
applies `take_down` instead of core's deletion:

* a dataset with a published version (published, or published with an update in
  progress) is **withdrawn** through the workflow (`verifikasi_withdraw`, as the site
  user), with the reason "Deleted at the harvest source <title> (<url>)" in its history;
* a dataset never published (draft, returned, under review) is **deleted** (state
  `deleted`, not purged): nobody outside its OPD ever saw it, keeping a draft of
  something the source retracted would invite publishing it, and a deleted dataset is
  still in the database (restorable, audit kept); an audit entry names the source;
* a dataset already withdrawn stays as it is (it is not public).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import harvest_publish
from ckanext.verifikasi import shared

STATUS_KEY = "status"
DELETE = "delete"


def lists_no_dataset(graph: Any) -> bool:
    """Whether an RDF page names no `dcat:Dataset` (see plugin.harvest.after_parsing)."""
    from rdflib import RDF, URIRef

    dataset = URIRef("http://www.w3.org/ns/dcat#Dataset")
    return next(iter(graph.subjects(RDF.type, dataset)), None) is None


def mark_gone(harvest_job: Any, guids_in_source: Iterable[str]) -> list[str]:
    """Harvest objects (status `delete`) for the current datasets of the job's source
    whose guid the remote no longer lists; the ids of the new objects. The same as
    ckanext-dcat's RDF harvester does."""
    from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

    current = model.Session.execute(
        sa.select(HarvestObject.guid, HarvestObject.package_id)
        .where(HarvestObject.current.is_(True),
               HarvestObject.harvest_source_id == harvest_job.source.id)).all()
    remote = set(guids_in_source)
    object_ids = []
    for guid, package_id in current:
        if guid in remote or not package_id:
            continue
        model.Session.query(HarvestObject).filter_by(guid=guid).update(
            {"current": False}, False)
        obj = HarvestObject(guid=guid, job=harvest_job, package_id=package_id,
                            extras=[HarvestObjectExtra(key=STATUS_KEY, value=DELETE)])
        obj.save()
        object_ids.append(obj.id)
    return object_ids


def ckan_fq_terms(config: dict[str, Any]) -> list[str]:
    """The organization and group filters of a `ckan` source's configuration, as
    ckanext-harvest's CKAN harvester applies them (an include list wins over the
    exclude list of the same kind)."""
    terms: list[str] = []
    for kind, field in (("organizations", "organization"), ("groups", "groups")):
        include = config.get(f"{kind}_filter_include") or []
        exclude = config.get(f"{kind}_filter_exclude") or []
        if include:
            terms.append(" OR ".join(f"{field}:{name}" for name in include))
        elif exclude:
            terms.extend(f"-{field}:{name}" for name in exclude)
    return terms


def remote_ckan_ids(get_content: Any, base_url: str, fq_terms: list[str],
                    rows: int = 1000) -> list[str] | None:
    """Every dataset id a remote CKAN lists (`package_search`, ids only, paged); None
    when the listing fails or the remote lists nothing (an empty answer withdraws
    nothing: a remote that is broken for a moment must not take the catalogue down)."""
    from urllib.parse import urlencode

    ids: list[str] = []
    start = 0
    while True:
        params = {"q": "*:*", "fl": "id", "rows": str(rows), "start": str(start),
                  "sort": "id asc"}
        if fq_terms:
            params["fq"] = " ".join(fq_terms)
        try:
            body = json.loads(get_content(
                f"{base_url.rstrip('/')}/api/3/action/package_search?{urlencode(params)}"))
            result = body["result"]
            page = [str(d["id"]) for d in result.get("results") or []]
            count = int(result.get("count") or 0)
        except Exception:  # noqa: BLE001 - any failure: no deletions this time
            return None
        ids.extend(page)
        start += rows
        if not page or start >= count:
            break
    return ids or None


def deletion_in_progress(package_id: str) -> Any:
    """The harvest object (status `delete`) of this dataset whose import stage is
    running, if any."""
    from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

    return model.Session.scalars(
        sa.select(HarvestObject)
        .join(HarvestObjectExtra, HarvestObjectExtra.harvest_object_id == HarvestObject.id)
        .where(HarvestObject.package_id == package_id, HarvestObject.state == "IMPORT",
               HarvestObjectExtra.key == STATUS_KEY, HarvestObjectExtra.value == DELETE)
        .order_by(HarvestObject.import_started.desc()).limit(1)).first()


def reason(source: Any) -> str:
    with shared.default_language():
        return tk._("Deleted at the harvest source {source}").format(
            source=harvest_publish.source_label(source))


def take_down(package_id: str, harvest_object: Any, delete: Any) -> None:
    """Apply the deletion at the source to the dataset (see the module's docstring).
    `delete`: called to delete a never-published dataset (core's package_delete)."""
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state == "deleted":
        return
    source = harvest_object.source
    why = reason(source)
    user = harvest_publish.site_user_name()
    if shared.has_published(pkg.id):
        tk.get_action("verifikasi_withdraw")({"user": user}, {"id": pkg.id, "reason": why})
        return
    status = tk.get_action("verifikasi_status_show")({"user": user, "ignore_auth": True},
                                                     {"id": pkg.id})
    if status["state"] == "withdrawn":
        return
    site_user = model.User.get(user)
    shared.audit(site_user.id if site_user else None, "harvest_deleted_at_source",
                 "package", pkg.id, source_id=source.id, reason=why)
    delete()
