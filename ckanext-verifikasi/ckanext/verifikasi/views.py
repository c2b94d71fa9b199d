"""Views of ckanext-verifikasi: guarded resource downloads (more pages follow)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.views.resource import download as core_download
from flask import Blueprint

from ckanext.verifikasi import access, audit

verifikasi = Blueprint("verifikasi", __name__)

RESTRICTED = ("terbatas", "rahasia")


def download(package_type: str, id: str, resource_id: str, filename: str | None = None):
    """Core's download, for those who may use the data; restricted downloads are audited."""
    resource = model.Resource.get(resource_id)
    if resource is None or resource.state == "deleted":
        return tk.abort(404, tk._("Resource not found"))
    user = model.User.get(tk.current_user.name) if tk.current_user.is_authenticated else None
    if not access.can_use_data(user, resource.package):
        return tk.abort(403, tk._(
            "The data of this dataset is restricted; request access from the walidata"))
    if resource.package.extras.get("klasifikasi_akses") in RESTRICTED:
        audit.record(user.id if user else None, "download", "resource", resource.id,
                     package_id=resource.package_id)
        model.Session.commit()
    return core_download(package_type, id, resource_id, filename)


# Registered before core's blueprints, so these rules answer first.
for _type in ("dataset", "indikator"):
    _base = f"/{_type}/<id>/resource/<resource_id>/download"
    verifikasi.add_url_rule(_base, f"{_type}_download", download,
                            defaults={"package_type": _type})
    verifikasi.add_url_rule(f"{_base}/<filename>", f"{_type}_download_file", download,
                            defaults={"package_type": _type})


def get_blueprints() -> list[Blueprint]:
    from ckanext.verifikasi.pages import verifikasi_pages

    return [verifikasi, verifikasi_pages]
