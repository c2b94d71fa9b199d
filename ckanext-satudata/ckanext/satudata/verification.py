"""The one place satudata reaches ckanext-verifikasi: through `ckanext.verifikasi.shared`.

verifikasi is optional for satudata's own tests of the tables; the portal runs both.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from types import ModuleType
from typing import Any

import ckan.plugins as p


def _installed() -> ModuleType | None:
    try:
        from ckanext.verifikasi import shared
    except ImportError:  # pragma: no cover - the portal always installs both packages
        return None
    return shared


def shared() -> ModuleType | None:
    """verifikasi's shared module when its plugin is loaded, else None."""
    module = _installed()
    return module if module is not None and p.plugin_loaded("verifikasi") else None


def system_context(context: dict[str, Any]) -> dict[str, Any]:
    """`context` for the data input's own writes to its resources, which verifikasi lets
    through (no review lock, no update started: the rows wait for the publication)."""
    module = _installed()
    return module.system_write_context(context) if module is not None else dict(context)


def published_signal() -> Any | None:
    """verifikasi's signal sent after a publication is committed (sender: dataset id)."""
    module = _installed()
    return module.published if module is not None else None


def send_datastore_dump(resource_id: str, **detail: Any) -> None:
    """Tell verifikasi a download of the resource's rows started (it audits restricted ones)."""
    module = _installed()
    if module is not None:
        module.datastore_dumped.send(resource_id, **detail)


def publication_dates(package_ids: list[str]) -> dict[str, dt.datetime]:
    """When each published dataset became public (UTC, first publication since its last
    withdrawal; one query); empty without verifikasi."""
    module = shared()
    return module.publication_dates(package_ids) if module is not None else {}


def can_use_data(user_name: str | None, package_id: str) -> bool:
    """May the user download or query the dataset's data (verifikasi's access classes);
    True without verifikasi (core's own authorization still applies)."""
    module = shared()
    return module.can_use_data(user_name, package_id) if module is not None else True


def role_holders(role: str, organization_id: str | None = None) -> list[str]:
    """Ids of the users holding a verifikasi role (of an OPD, or global); none without it."""
    module = shared()
    return module.role_holders(role, organization_id) if module is not None else []


def default_language() -> Any:
    """Context manager for building notification texts in the portal's default language,
    whoever calls (web, API, job, CLI); a no-op without verifikasi."""
    module = shared()
    return module.default_language() if module is not None else contextlib.nullcontext()


def notify_users(user_ids: list[str], subject: str, body: str, package_id: str = "",
                 send_now: bool = False) -> int:
    """In-app notification and e-mail for each user, through verifikasi (commits)."""
    module = shared()
    if module is None or not user_ids:
        return 0
    return module.notify_users(user_ids, subject, body, package_id, send_now)
