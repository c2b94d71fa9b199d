"""Harvested datasets of a *trusted* (terpercaya) source are published directly.

A harvester writes a new dataset as a private draft of the source's OPD (see
`harvest_source.apply`); for a source the walidata marked trusted, `publish` then
makes it public through verifikasi's one gate, as a sysadmin's direct publication:
the same checks (complete SDI metadata, no personal data, `rahasia` never public),
the state `published`, a published snapshot and a history entry. The entry's "how"
names the source and the walidata who trusted it (`verifikasi_how`, which
verifikasi's direct publication writes into the note).

A refusal of the gate leaves the draft as it is (nothing public) and comes back as
the message the harvest object fails with; the next harvest tries again. A `rahasia`
dataset is never offered to the gate (it stays a draft; the workflow may publish it,
privately).

A published dataset written again by a harvester: from a trusted source the write is
itself a recorded publication (verifikasi's gate: a sysadmin's edit of a published
dataset goes live); from a source that is not trusted, `start_update` is called
before the write, so the change becomes an update that goes through the workflow
while the public keeps the published version (verifikasi's `start_update`).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata import harvest_source, localtime
from ckanext.verifikasi import shared


def site_user_name() -> str:
    return str(tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"])


def source_label(source: Any) -> str:
    """`Title (url)` of a HarvestSource."""
    title = (getattr(source, "title", None) or "").strip()
    url = (getattr(source, "url", None) or "").strip()
    return f"{title} ({url})" if title and url else (title or url)


def how(source: Any, settings: harvest_source.SourceSettings) -> str:
    """The "how" of the history entry: the source and the walidata who trusted it."""
    when = localtime.format_datetime(settings.trusted_at) if settings.trusted_at else ""
    with shared.default_language():
        return tk._("harvest source {source}, marked trusted by {walidata} on {date}").format(
            source=source_label(source), walidata=settings.trusted_by or "", date=when)


def gate_message(err: tk.ValidationError) -> str:
    """The gate's refusal as one line (every message, named by its key)."""
    parts = []
    for key, messages in (err.error_dict or {}).items():
        items = messages if isinstance(messages, list) else [messages]
        text = "; ".join(str(m) for m in items)
        parts.append(f"{key}: {text}")
    return " | ".join(parts) or str(err)


def publish(package_id: str, source: Any, user_name: str | None = None) -> str | None:
    """Publish a harvested dataset of `source` (a HarvestSource) if the source is
    trusted. Returns the gate's message when it refuses, None otherwise."""
    settings = harvest_source.settings(source.config)
    if not settings.trusted:
        return None
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state != "active" or pkg.type not in shared.dataset_types():
        return None
    if pkg.extras.get(shared.access_class_field()) == shared.secret_class():
        return None  # never public, whatever the source says
    if shared.has_published(pkg.id):
        return None
    context: dict[str, Any] = {"user": user_name or site_user_name(), "ignore_auth": True,
                               "verifikasi_how": how(source, settings)}
    try:
        tk.get_action("package_patch")(context, {"id": pkg.id, "private": False})
    except tk.ValidationError as err:
        model.Session.rollback()
        return gate_message(err)
    return None


def _modified(dataset: dict[str, Any]) -> str | None:
    value = dataset.get("modified")
    if not value:
        for extra in dataset.get("extras") or []:
            if isinstance(extra, dict) and extra.get("key") == "modified":
                value = extra.get("value")
    return str(value) if value else None


def unchanged_at_source(dataset: dict[str, Any]) -> bool:
    """A DCAT dataset whose `dct:modified` (`modified`) is the one the stored copy got
    from the last harvest: nothing to write. Without a date, it counts as changed."""
    remote = _modified(dataset)
    pkg = model.Package.get(dataset.get("id") or "")
    if not remote or pkg is None:
        return False
    local = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False,
                                          "user": site_user_name()}, {"id": pkg.id})
    return _modified(local) == remote


def start_update(package_id: str) -> None:
    """Before a harvester's write of a published dataset from a source that is not
    trusted: the write becomes an update going through the workflow (no-op for a
    dataset that is not `published`; committed with the harvester's write)."""
    pkg = model.Package.get(package_id or "")
    if pkg is not None and pkg.type in shared.dataset_types():
        shared.start_update(pkg.id)


def withdraw_if_secret(package_id: str | None, dataset: dict[str, Any], source: Any,
                       user_name: str | None = None) -> None:
    """Before a harvester writes `dataset` over an existing public dataset: when the
    source now classifies it `rahasia`, the dataset is withdrawn first (through the
    workflow, with the reason in its history), so the write finds it private. Without
    this, the write would be refused (a published dataset's visibility is not set
    directly) and the public copy would stay public."""
    if dataset.get(shared.access_class_field()) != shared.secret_class():
        return
    pkg = model.Package.get(package_id or "")
    if pkg is None or pkg.state != "active" or pkg.private or not shared.has_published(pkg.id):
        return
    with shared.default_language():
        reason = tk._("Classified {access_class} at the harvest source {source}").format(
            access_class=shared.secret_class(), source=source_label(source))
    tk.get_action("verifikasi_withdraw")({"user": user_name or site_user_name()},
                                         {"id": pkg.id, "reason": reason})
