"""DataStore reads and writes while a published dataset is being updated.

Outside the dataset's team, reads go to the published copies kept by
`published_data` (the live table holds the unapproved update). A write to
the data of a published dataset starts an update first, so it never goes
public without verification.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import search
from ckan.types import Action, Context, DataDict

from ckanext.verifikasi import access, published_data, workflow
from ckanext.verifikasi.context import is_transition
from ckanext.verifikasi.logic import datastore_aliases


def _published_copy(context: Context, resource_id: str) -> str | None:
    """The kept copy this caller must read instead of the live table, if any."""
    if context.get("ignore_auth"):
        return None
    resource = model.Resource.get(resource_id or "")
    if resource is None:
        return None
    state = workflow.state_of(resource.package_id)
    if state.state == "published" or not state.has_published:
        return None
    if access.can_read(model.User.get(context.get("user") or ""), resource.package):
        return None
    kept = published_data.kept_table(resource.id)
    if kept is None and not published_data.in_published_version(resource.id,
                                                                 resource.package_id):
        # Added during the update: not public before the update is published.
        raise tk.ObjectNotFound(tk._("Resource was not found."))
    return kept


def _read_copy(next_action: Action, context: Context, data_dict: DataDict, key: str) -> Any:
    # An alias stands for its resource: the same rules apply to both names.
    resource_id = datastore_aliases.resolve(data_dict.get(key) or "")
    copy = _published_copy(context, resource_id)
    if copy is None:
        return next_action(context, data_dict)
    # Both keys: an earlier check may have copied resource_id to id, which core prefers.
    checked = {**data_dict, key: resource_id}
    redirected = {**data_dict, key: copy}
    for other in ("id", "resource_id"):
        if other in redirected:
            checked[other] = resource_id
            redirected[other] = copy
    tk.check_access(next_action.__name__, context, checked)
    result = next_action({**context, "ignore_auth": True}, redirected)
    if isinstance(result, dict) and result.get("resource_id") == copy:
        result["resource_id"] = resource_id
    return result


@tk.chained_action
@tk.side_effect_free
def datastore_search(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    return _read_copy(next_action, context, data_dict, "resource_id")


@tk.chained_action
@tk.side_effect_free
def datastore_info(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    resource_id = datastore_aliases.resolve(
        data_dict.get("resource_id") or data_dict.get("id") or "")
    copy = _published_copy(context, resource_id)
    if copy is None:
        return next_action(context, data_dict)
    tk.check_access("datastore_info", context, {**data_dict, "id": resource_id})
    # Core's datastore_info looks the id up as a resource; the copy is not one.
    from ckanext.datastore.backend import DatastoreBackend
    from ckanext.datastore.interfaces import IDataDictionaryForm

    backend = DatastoreBackend.get_active_backend()
    info = backend.resource_fields(copy)
    plugin_data = backend.resource_plugin_data(copy)
    for index, field in enumerate(info["fields"]):
        for plugin in p.PluginImplementations(IDataDictionaryForm):
            field = plugin.update_datastore_info_field(field, plugin_data.get(field["id"], {}))
        info["fields"][index] = field
    if "meta" in info:
        info["meta"]["id"] = resource_id
    return info


@tk.chained_action
@tk.side_effect_free
def datastore_search_sql(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """Core's action, reading the published copies for outsiders.

    Every table the statement names (by resource id or by alias) whose dataset has an
    update in review is renamed to its published copy. The check then runs on the tables
    PostgreSQL's plan reads (copies mapped back to their resources): a live table with a
    copy still among them (a name spelled in a way not renamed) is refused.
    """
    if context.get("ignore_auth"):
        return next_action(context, data_dict)
    from ckanext.datastore.backend import DatastoreBackend

    sql = str(data_dict.get("sql") or "")
    resources = datastore_aliases.resolve_many(datastore_aliases.identifiers(sql))
    copy_of = {rid: copy for rid in set(resources.values())
               if (copy := _published_copy(context, rid))}
    sql = datastore_aliases.rename(sql, {name: copy_of[rid] for name, rid in resources.items()
                                         if rid in copy_of})
    resource_of = {copy: resource_id for resource_id, copy in copy_of.items()}

    def check(table_names: list[str]) -> None:
        for table in table_names:
            if table not in resource_of and _published_copy(context, table):
                raise tk.NotAuthorized(tk._(
                    "Resource {id} is being updated; query its published data by the "
                    "resource id or alias").format(id=table))
        tk.check_access("datastore_search_sql", {
            **context, "table_names": [resource_of.get(t, t) for t in table_names]}, data_dict)

    result = DatastoreBackend.get_active_backend().search_sql(
        {**context, "check_access": check}, {**data_dict, "sql": sql})
    result.pop("id", None)
    result.pop("connection_url", None)
    return result


def _start_update_first(context: Context, resource_id: str) -> None:
    if context.get("ignore_auth") or is_transition(context):
        return
    resource = model.Resource.get(resource_id or "")
    user = model.User.get(context.get("user") or "")
    if resource is None or (user is not None and user.sysadmin):
        return
    if workflow.state_of(resource.package_id).state == "published":
        workflow.start_update(resource.package_id)
        # Indexed before the commit, as core indexes before its own: with Solr down the
        # request fails and the dataset stays published, instead of an update committed
        # behind an index that still says published (rebuild commits once indexed).
        try:
            search.rebuild(resource.package_id)
        except Exception:
            model.Session.rollback()
            raise


def _write(name: str, next_action: Action, context: Context, data_dict: DataDict,
           resource_id: str | None = None) -> Any:
    # `name`, not next_action.__name__: a chain of other plugins makes next_action a partial.
    resource_id = resource_id or data_dict.get("resource_id")
    if resource_id:
        tk.check_access(name, dict(context), data_dict)
        _start_update_first(context, resource_id)
    return next_action(context, data_dict)


@tk.chained_action
def datastore_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    if data_dict.get("aliases"):
        datastore_aliases.check_names(data_dict["aliases"])
    return _write("datastore_create", next_action, context, data_dict)


@tk.chained_action
def datastore_upsert(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    return _write("datastore_upsert", next_action, context, data_dict)


@tk.chained_action
def datastore_delete(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    return _write("datastore_delete", next_action, context, data_dict)


@tk.chained_action
def xloader_submit(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """A reload (another sheet, other types) replaces the table like a DataStore write,
    so on a published dataset it starts an update first: the public keeps the data."""
    return _write("xloader_submit", next_action, context, data_dict,
                  resource_id=data_dict.get("resource_id") or data_dict.get("id"))
