"""E-mails of the Permohonan Data.

To the requester, through CKAN's mailer (SMTP), only after the address is confirmed
(an account's address counts as confirmed); the confirmation link is the one
exception. To walidata and the OPD: verifikasi's in-app notifications, which
e-mail them too.

Every text is rendered in the portal's default language (`ckan.locale_default`, id)
whoever triggered it: a web request in English, an API call, a job or the CLI
(`shared.default_language()`); callers build the labels they pass in inside it too.
"""
from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk
from ckan.lib import mailer

from ckanext.satudata.permohonan.model import Permohonan
from ckanext.verifikasi import shared

log = logging.getLogger(__name__)


def _send(request: Permohonan, subject: str, body: str) -> bool:
    try:
        mailer.mail_recipient(request.name, request.email, subject, body)
    except mailer.MailerException:
        # The step is stored; the requester still sees it on the status page.
        log.warning("Permohonan %s: e-mail to the requester failed", request.number)
        return False
    return True


def confirmation(request: Permohonan, link: str) -> bool:
    with shared.default_language():
        subject = tk._("Confirm your data request {number}").format(number=request.number)
        body = tk._(
            "Hello {name},\n\nSomeone (hopefully you) sent a request to the Satu Data portal "
            "with this e-mail address. Open this link to confirm it; until then the request "
            "is not processed and nothing else is sent to you:\n\n{link}\n\n"
            "If you did not send it, ignore this message.").format(name=request.name,
                                                                   link=link)
    return _send(request, subject, body)


def step(request: Permohonan, state_label: str, note: str | None, link: str) -> bool:
    """The request moved on (or was received): its state, the answer and the status link."""
    if request.confirmed is None:
        return False
    with shared.default_language():
        subject = tk._("Data request {number}: {state}").format(number=request.number,
                                                                 state=state_label)
        body = tk._("Hello {name},\n\nYour request {number} is now: {state}.").format(
            name=request.name, number=request.number, state=state_label)
        if note:
            body += "\n\n" + note
        body += "\n\n" + tk._("Follow your request here:") + f"\n{link}\n"
    return _send(request, subject, body)


def staff(user_ids: list[str], request: Permohonan, subject: str, link: str) -> None:
    """Walidata or the OPD: in-app notification and e-mail, without the requester's data."""
    with shared.default_language():
        body = tk._("Request {number} needs your attention:").format(
            number=request.number) + f"\n{link}\n"
    shared.notify_users(user_ids, subject, body, request.package_id or "")
