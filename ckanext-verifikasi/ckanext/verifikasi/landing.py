"""Where a user lands after logging in (`ckan.auth.route_after_login`, also `/user/me`):
staff on their inbox, where their work is, everyone else on CKAN's dashboard."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint

from ckanext.verifikasi import roles

verifikasi_landing = Blueprint("verifikasi_landing", __name__)


def _reviews_or_corrects(user_id: str) -> bool:
    """Holds a role whose work arrives in the inbox (a surveyor's does not)."""
    held = roles.roles_of(user_id)
    return held.reads_all or any(r & {"operator", "verifikator", "walidata_pendukung"}
                                 for r in held.opd.values())


@verifikasi_landing.route("/verifikasi/beranda")
def landing():
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login")
    user = model.User.get(tk.current_user.id)
    if user is not None and (user.sysadmin or _reviews_or_corrects(user.id)):
        return tk.redirect_to("verifikasi_pages.inbox")
    return tk.redirect_to("dashboard.datasets")
