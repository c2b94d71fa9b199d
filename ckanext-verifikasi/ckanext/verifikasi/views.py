"""Views of ckanext-verifikasi: guarded resource downloads (more pages follow)."""
from __future__ import annotations

import json
import os

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.views.resource import download as core_download
from flask import Blueprint, send_file

from ckanext.verifikasi import access, audit, config, published_data, uploads, workflow

verifikasi = Blueprint("verifikasi", __name__)
# Every response of the app passes here: uploads are sent so they cannot run as the portal.
verifikasi.after_app_request(uploads.harden)

def download(package_type: str, id: str, resource_id: str, filename: str | None = None):
    """Core's download, for those who may use the data; restricted downloads are audited."""
    resource = model.Resource.get(resource_id)
    if resource is None or resource.state == "deleted":
        return tk.abort(404, tk._("Resource not found"))
    user = model.User.get(tk.current_user.name) if tk.current_user.is_authenticated else None
    if not access.can_use_data(user, resource.package):
        return tk.abort(403, tk._(
            "The data of this dataset is restricted; request access from the walidata"))
    if resource.package.extras.get(config.access_field()) in config.restricted_classes():
        audit.record(user.id if user else None, "download", "resource", resource.id,
                     package_id=resource.package_id)
        model.Session.commit()
    kept = _published_file(user, resource)
    if kept:
        return send_file(kept, as_attachment=True,
                         download_name=os.path.basename(resource.url or "") or resource.id)
    return core_download(package_type, id, resource_id, filename)


def _published_file(user: model.User | None, resource: model.Resource) -> str | None:
    """During an update, people outside the team get the published file."""
    state = workflow.state_of(resource.package_id)
    if state.state == "published" or not state.has_published or \
            access.can_read(user, resource.package):
        return None
    kept = published_data.kept_file(resource.id)
    if kept is None and not published_data.in_published_version(resource.id,
                                                                 resource.package_id):
        # Added during the update: not public before the update is published.
        return tk.abort(404, tk._("Resource not found"))
    return kept


def datatables(resource_view_id: str, view_name: str):
    """Core's datatables view, answering 403/404 itself when the view may not be read.

    Core lets NotAuthorized from resource_view_show escape as a 500 error.
    """
    from ckanext.datatablesview import blueprint as core_datatables

    try:
        tk.get_action("resource_view_show")({}, {"id": resource_view_id})
    except tk.NotAuthorized:
        return json.dumps({"error": "Not Authorized"}), 403
    except tk.ObjectNotFound:
        return json.dumps({"error": "Object not found"}), 404
    return getattr(core_datatables, view_name)(resource_view_id)


verifikasi.add_url_rule("/datatables/ajax/<resource_view_id>", "datatables_ajax", datatables,
                        methods=["POST"], defaults={"view_name": "ajax"})
verifikasi.add_url_rule("/datatables/filtered-download/<resource_view_id>",
                        "datatables_filtered_download", datatables, methods=["POST"],
                        defaults={"view_name": "filtered_download"})


def _downloads() -> Blueprint:
    """The download rules of the workflow's dataset types (configuration, so made when
    the app is: the declared configuration is loaded then)."""
    downloads = Blueprint("verifikasi_download", __name__)
    for type_ in config.dataset_types():
        base = f"/{type_}/<id>/resource/<resource_id>/download"
        downloads.add_url_rule(base, f"{type_}_download", download,
                               defaults={"package_type": type_})
        downloads.add_url_rule(f"{base}/<filename>", f"{type_}_download_file", download,
                               defaults={"package_type": type_})
    return downloads


def get_blueprints() -> list[Blueprint]:
    import ckanext.verifikasi.account_pages  # noqa: F401 - routes join verifikasi_pages

    # Their routes join verifikasi_pages.
    from ckanext.verifikasi import comment_pages, grant_pages  # noqa: F401
    from ckanext.verifikasi.landing import verifikasi_landing
    from ckanext.verifikasi.pages import verifikasi_pages

    # Registered before core's blueprints, so the download rules answer first.
    return [verifikasi, _downloads(), verifikasi_pages, verifikasi_landing]
