"""Who hears about a workflow step: an in-app notification and an e-mail, in Indonesian.

Language: a notification's subject and body are rendered once, when written, in the
portal's default language (`ckan.locale_default`, `id`), whoever the caller is: a web
request in another language, an API call, a background job or the CLI (`ckan satudata
seed-demo`). `default_language()` forces that locale; outside any Flask app context (the
CLI commands, jobs) it pushes a request context of the running CLI's Flask app, or of the
app CKAN made at start-up (a job's work horse has neither context nor command), so `tk._`
finds the catalogues. Storing a message key and translating at display time was not chosen: the
e-mails must be rendered anyway, and the stored text stays what the readers were told.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import has_app_context
from flask_babel import force_locale
from markupsafe import Markup, escape

from ckanext.verifikasi import audit, localtime, roles
from ckanext.verifikasi.model import Notification, WorkflowEvent
from ckanext.verifikasi.states import state_label


@contextlib.contextmanager
def default_language() -> Iterator[None]:
    """Within: `tk._` translates into the portal's default language, with or without a
    web request (see the module docstring)."""
    language = tk.config.get("ckan.locale_default", "id")
    with contextlib.ExitStack() as stack:
        if not has_app_context():
            app = _cli_flask_app() or _started_flask_app()
            if app is not None:
                stack.enter_context(app.test_request_context())
        if has_app_context():
            stack.enter_context(force_locale(language))
        yield


def _cli_flask_app() -> Any:
    """The Flask app of the running `ckan` command, if any."""
    import click

    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        app = ctx.meta.get("flask_app")
        if app is not None:
            return app
        ctx = ctx.parent
    return None


def _started_flask_app() -> Any:
    """The Flask app CKAN made at start-up (web server, `ckan jobs worker`, tests): a
    background job runs outside any Flask context and outside a click command."""
    from ckan.config import middleware

    ctx = middleware._internal_test_request_context
    return ctx.app if ctx is not None else None


def _recipients(pkg: model.Package, event: WorkflowEvent) -> set[str]:
    org = pkg.owner_org
    if event.action == "submit":
        return set(roles.holders("verifikator", org))
    if event.action == "approve" and event.to_state == "verified":
        # The walidata stage: walidata, and walidata pendukung of the dataset's OPD.
        return set(roles.holders("walidata")) | set(roles.holders("walidata_pendukung", org))
    team = set(roles.holders("operator", org))
    if event.action in ("approve", "withdraw") or \
            event.actor_role in ("walidata", "walidata_pendukung"):
        team |= set(roles.holders("verifikator", org))
    return team


def _message(pkg: model.Package, event: WorkflowEvent, actor: str) -> tuple[str, str]:
    title = pkg.title or pkg.name
    url = tk.config["ckan.site_url"].rstrip("/") + f"/dataset/{pkg.name}"
    subjects = {
        "submit": tk._("[Satu Data] Waiting for your verification: {title}"),
        "approve": tk._("[Satu Data] Approved: {title}"),
        "return": tk._("[Satu Data] Returned for correction: {title}"),
        "withdraw": tk._("[Satu Data] Withdrawn from publication: {title}"),
    }
    if event.to_state == "published":
        subjects["approve"] = tk._("[Satu Data] Published: {title}")
    lines = [tk._('{actor} ({role}) changed the status of "{title}" from {old} to {new}.').format(
        actor=actor, role=audit.role_label(event.actor_role), title=title,
        old=state_label(event.from_state), new=state_label(event.to_state))]
    if event.note:
        lines.append(tk._("Note: {note}").format(note=event.note))
    if event.deadline:
        lines.append(tk._("Correction deadline: {date}").format(
            date=localtime.format_date(event.deadline)))
    lines.append(_next_step(pkg, event, title, url))
    return subjects[event.action].format(title=title), "\n\n".join(lines)


def _next_step(pkg: model.Package, event: WorkflowEvent, title: str, url: str) -> str:
    """What the reader should do now, naming the dataset, with its absolute link."""
    if event.action == "submit":
        text = tk._("Check it and approve or return it: {title} — {url}")
    elif event.action == "approve" and event.to_state == "verified":
        text = tk._("Check it and publish or return it: {title} — {url}")
    elif event.action == "return":
        text = tk._("Correct it and send it again: {title} — {url}")
    else:
        text = tk._("Open the dataset: {title} — {url}")
    return text.format(title=title, url=url)


_URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]")


def linkify(text: str | None) -> Markup:
    """A notification's text for HTML: everything escaped, http(s) URLs made links."""
    text = text or ""
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        parts.append(str(escape(text[last:match.start()])))
        url = escape(match.group(0))
        parts.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))


def on_transition(package_id: str, *, package: model.Package, event: WorkflowEvent,
                  **_: Any) -> list[Notification]:
    """Receiver of `signals.transition`: in-app notifications for the next actors, in the
    transition's transaction (each tied to the history entry, for the e-mails)."""
    pkg = package
    actor = model.User.get(event.actor_id)
    actor_name = (actor.fullname or actor.name) if actor else event.actor_id
    with default_language():
        subject, body = _message(pkg, event, actor_name)
    notes = [Notification(user_id=uid, package_id=pkg.id, event_id=event.id, subject=subject,
                          body=body)
             for uid in sorted(_recipients(pkg, event)) if uid != event.actor_id]
    model.Session.add_all(notes)
    model.Session.flush()
    return notes


def on_transition_committed(package_id: str, *, package: model.Package,
                            event: WorkflowEvent, **_: Any) -> None:
    """Receiver of `signals.transition_committed`: e-mail the step's notifications."""
    notes = model.Session.query(Notification).filter(
        Notification.event_id == event.id).order_by(Notification.id).all()
    queue_emails(notes, f"verifikasi {event.action} {package.name}")


def queue_emails(notes: list[Notification], title: str) -> None:
    """After commit: e-mail the notifications from the background worker."""
    if notes:
        tk.enqueue_job(send_emails, [[n.id for n in notes]], title=title)


def send_emails(notification_ids: list[int]) -> int:
    """Background job: e-mail each notification to its user; returns how many were sent."""
    from ckan.lib import mailer

    sent = 0
    for note in model.Session.query(Notification).filter(Notification.id.in_(notification_ids)):
        user = model.User.get(note.user_id)
        if not user or not user.email:
            continue
        mailer.mail_recipient(user.fullname or user.name, user.email, note.subject, note.body)
        sent += 1
    return sent


def unread_count(user_id: str) -> int:
    return model.Session.query(Notification).filter(
        Notification.user_id == user_id, Notification.read.is_(None)).count()


def listing(user_id: str, limit: int = 50) -> list[dict[str, Any]]:
    rows = (model.Session.query(Notification).filter(Notification.user_id == user_id)
            .order_by(Notification.id.desc()).limit(limit))
    return [{"id": n.id, "package_id": n.package_id, "subject": n.subject, "body": n.body,
             "created": n.created.isoformat() if n.created else None,
             "read": n.read.isoformat() if n.read else None} for n in rows]
