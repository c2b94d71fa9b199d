"""Generating reports: for a period, one report of the whole portal and one per OPD
(or only one OPD's), in XLSX and/or PDF, stored, and e-mailed to the configured
recipients when asked (the scheduled run does)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import time
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import mailer

from ckanext.satudata import config
from ckanext.satudata.laporan import figures, periods, render, store
from ckanext.satudata.laporan.model import Report

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Generated:
    reports: list[Report]
    seconds: dict[str, float]
    mailed: int = 0


def _organizations(organization_id: str | None) -> list[tuple[str, str, str]]:
    stmt = sa.select(model.Group.id, model.Group.name, model.Group.title).where(
        model.Group.is_organization.is_(True), model.Group.state == "active")
    if organization_id:
        stmt = stmt.where(model.Group.id == organization_id)
    return sorted(((r[0], r[1], r[2] or r[1]) for r in model.Session.execute(stmt)),
                  key=lambda r: r[2].lower())


def files_of(period: periods.Period, organization: tuple[str, str, str] | None,
             formats: tuple[str, ...], timings: dict[str, float] | None = None
             ) -> dict[str, bytes]:
    """The report's files (in the Indonesian locale)."""
    timings = timings if timings is not None else {}
    with render.indonesian():
        started = time.perf_counter()
        found = figures.collect(period, organization[0] if organization else None,
                                organization[2] if organization else None)
        timings["figures"] = timings.get("figures", 0) + time.perf_counter() - started
        out: dict[str, bytes] = {}
        if "xlsx" in formats:
            started = time.perf_counter()
            out["xlsx"] = render.xlsx(found)
            timings["xlsx"] = timings.get("xlsx", 0) + time.perf_counter() - started
        if "pdf" in formats:
            started = time.perf_counter()
            out["pdf"] = render.pdf(render.html(found))
            timings["pdf"] = timings.get("pdf", 0) + time.perf_counter() - started
    return out


def generate(period: periods.Period, organization_id: str | None = None,
             formats: tuple[str, ...] = store.FORMATS, user_id: str | None = None,
             mail: bool = False) -> Generated:
    """Reports of the period: the portal's and every OPD's (only this OPD's when
    `organization_id` is given); e-mailed to the recipients when `mail`."""
    timings: dict[str, float] = {}
    scopes: list[tuple[str, str, str] | None] = []
    if organization_id is None:
        scopes.append(None)
    scopes.extend(_organizations(organization_id))
    reports = []
    for scope in scopes:
        files = files_of(period, scope, formats, timings)
        reports.append(store.write(period, scope[0] if scope else None,
                                   scope[1] if scope else "semua-opd", files, user_id))
    done = Generated(reports, timings)
    if mail and organization_id is None:
        done.mailed = send(reports[0], period)
    return done


def due(today: dt.date | None = None) -> list[periods.Period]:
    """The periods that ended before today (WIB) whose portal report is missing."""
    today = today or periods.today_wib()
    wanted = [periods.previous(kind, today) for kind in periods.KINDS]
    return [p for p in wanted if store.find(p.key, None) is None]


def send(report: Report, period: periods.Period) -> int:
    """E-mail the portal's report (files attached, with the /laporan link) to the
    configured recipients; returns how many were sent."""
    recipients = config.report_recipients()
    if not recipients:
        return 0
    attachments: list[Any] = []
    for fmt, mimetype in (("pdf", "application/pdf"), ("xlsx", render.XLSX_TYPE)):
        found = store.path(report, fmt)
        if found is not None:
            attachments.append((found.name, found.read_bytes(), mimetype))
    link = tk.config.get("ckan.site_url", "").rstrip("/") + "/laporan/"
    with render.indonesian():
        subject = tk._("Satu Data report {period}").format(period=period.label)
        body = tk._("The Satu Data report {period} ({start} to {end}) is attached. All "
                    "reports, also those of each OPD, are on {link}").format(
            period=period.label, start=periods.date_id(period.start),
            end=periods.date_id(period.end), link=link)
    sent = 0
    for address in recipients:
        try:
            mailer.mail_recipient(address, address, subject, body,
                                  attachments=[(name, io.BytesIO(data), mime)
                                               for name, data, mime in attachments])
            sent += 1
        except mailer.MailerException:
            log.warning("report %s: e-mail to %s failed", period.key, address)
    return sent

