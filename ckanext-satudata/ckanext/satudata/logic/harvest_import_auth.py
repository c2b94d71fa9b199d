"""Chained `package_show` auth: ckanext-dcat's RDF harvester may read the dataset it is
re-importing.

Its import stage looks the existing dataset up with `package_show` and an empty
context (`DCATHarvester._get_existing_dataset`), as nobody; harvested datasets are
private drafts here, so every re-harvest of a DCAT source failed with NotAuthorized.
This lets exactly that call through: no user, no web request (a harvest worker), and
a harvest object of the same source and guid as the dataset is in its import stage.
Every other caller gets the answer of the auth functions before it.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import AuthResult, Context, DataDict
from flask import has_request_context

__all__ = ["package_show"]


def _being_imported(package_id: str) -> bool:
    from ckanext.harvest.model import HarvestObject

    harvested = sa.orm.aliased(HarvestObject)
    importing = sa.orm.aliased(HarvestObject)
    return model.Session.execute(
        sa.select(sa.literal(True))
        .select_from(harvested)
        .join(importing, sa.and_(importing.guid == harvested.guid,
                                 importing.harvest_source_id == harvested.harvest_source_id))
        .where(harvested.package_id == package_id, importing.state == "IMPORT")
        .limit(1)).scalar() is not None


@tk.chained_auth_function
def package_show(next_auth: Any, context: Context, data_dict: DataDict) -> AuthResult:
    result = next_auth(context, data_dict)
    if result.get("success") or context.get("user") or has_request_context():
        return result
    pkg = context.get("package") or model.Package.get(str(data_dict.get("id") or ""))
    if pkg is not None and _being_imported(pkg.id):
        return {"success": True}
    return result
