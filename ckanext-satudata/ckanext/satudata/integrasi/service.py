"""Service accounts of approved integrations: a CKAN user that is not a person, with one
API token. The account holds no portal role and no organization membership: the only
thing it may do is what `auth.satudata_integration_push` lets an approved integration's
account do (push rows into its own OPD's input packages)."""
from __future__ import annotations

import re
import secrets
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata.integrasi.model import Integrasi


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def slug(text: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (value or "sistem")[:40].strip("-")


def _free_name(base: str) -> str:
    name = base
    while model.User.get(name) is not None:
        name = f"{base}-{secrets.token_hex(2)}"
    return name


def create_account(found: Integrasi) -> tuple[model.User, str]:
    """Make the service account and its token; returns the user and the token (shown once)."""
    org = model.Group.get(found.organization_id)
    name = _free_name(f"integrasi-{slug(found.system_name)}")
    user = tk.get_action("user_create")(_site_context(), {
        "name": name,
        "email": f"{name}@integrasi.invalid",
        # Nobody logs in with it: a long random password nobody knows.
        "password": secrets.token_urlsafe(32) + "Aa1!",
        "fullname": tk._("Service account of {system} ({opd})").format(
            system=found.system_name, opd=org.title if org else ""),
        "about": tk._("Service account of an OPD system integration; not a person."),
    })
    token = tk.get_action("api_token_create")(_site_context(), {
        "user": user["name"], "name": f"integrasi-{found.id[:8]}"})
    found.service_user_id = user["id"]
    found.token_id = _token_id(user["id"])
    return model.User.get(user["id"]), token["token"]


def _token_id(user_id: str) -> str | None:
    token = model.Session.query(model.ApiToken).filter(
        model.ApiToken.user_id == user_id).order_by(model.ApiToken.created_at.desc()).first()
    return token.id if token else None


def disable_account(found: Integrasi) -> None:
    """Revoke every token of the service account and block the account (no commit)."""
    if not found.service_user_id:
        return
    for token in model.Session.query(model.ApiToken).filter(
            model.ApiToken.user_id == found.service_user_id).all():
        model.Session.delete(token)
    user = model.User.get(found.service_user_id)
    if user is not None:
        user.state = "deleted"
