"""Alerts after a failed or missed sync: an in-app notification and an e-mail to the
OPD's operators and to walidata (through verifikasi's notifications), once per run, and
at most once per input package in QUIET (a system retrying a bad push every minute does
not flood anyone; each failure stays on /integrasi)."""
from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import verification
from ckanext.satudata.integrasi.model import IntegrasiRun
from ckanext.satudata.model import InputPackage

QUIET = dt.timedelta(hours=6)


def recipients(organization_id: str) -> list[str]:
    return sorted(set(verification.role_holders("operator", organization_id))
                  | set(verification.role_holders("walidata")))


def send(run: IntegrasiRun, *, send_now: bool = False) -> int:
    """Tell the OPD and walidata about a failed or missed run (commits); 0 if already told."""
    if run.alerted is not None or run.state not in ("failed", "missed"):
        return 0
    recently = model.Session.scalars(sa.select(IntegrasiRun.id).where(
        IntegrasiRun.input_id == run.input_id, IntegrasiRun.id != run.id,
        IntegrasiRun.alerted >= dt.datetime.utcnow() - QUIET)).first()
    if recently is not None:
        return 0
    inp = model.Session.get(InputPackage, run.input_id)
    title = inp.title if inp else run.input_id
    url = tk.url_for("satudata_integrasi.index", _external=True)
    with verification.default_language():
        if run.state == "missed":
            subject = tk._("Scheduled sync missed: {title}").format(title=title)
            body = tk._("The scheduled pull of the input package {title} did not run on "
                        "time. Check the source URL and the schedule: {url}").format(
                title=title, url=url)
        else:
            subject = tk._("Sync failed: {title}").format(title=title)
            errors = "\n".join(f"- {e}" for e in (run.errors or [])[:10])
            body = "\n".join([
                tk._("The sync of the input package {title} failed: {received} row(s) "
                     "received, {rejected} rejected, nothing written.").format(
                    title=title, received=run.rows_received, rejected=run.rows_rejected),
                errors, tk._("Details: {url}").format(url=url)])
    run.alerted = dt.datetime.utcnow()
    model.Session.commit()
    return verification.notify_users(recipients(run.organization_id), subject, body,
                                     package_id=inp.package_id if inp else "",
                                     send_now=send_now)
