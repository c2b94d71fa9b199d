"""The page `/kualitas-metadata` (blueprint `satudata_quality`).

Walidata and sysadmins see every OPD, an OPD's operators and verifikators their own
OPD; a visitor is sent to the login page, anyone else gets 403. The open tickets come
from `satudata_quality_ticket_list` (which decides who sees what); the figures per OPD
and the KPI from summary.py, scoped to the same OPDs.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from ckanext.satudata.daftar import access
from ckanext.satudata.quality import checks, summary

satudata_quality = Blueprint("satudata_quality", __name__, url_prefix="/kualitas-metadata")


def _error_page(code: int, name: str, content: str) -> tuple[str, int]:
    return tk.render("error_document_template.html", {
        "code": code, "name": name, "content": content,
        "show_login_redirect_link": False}), code


@satudata_quality.errorhandler(tk.NotAuthorized)
def _not_authorized(_: Exception) -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to(tk.url_for("user.login", came_from=request.full_path))
    return _error_page(403, "Forbidden", tk._("You may not see the metadata quality"))


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


@satudata_quality.route("/")
def index() -> str:
    context = _context()
    tk.check_access("satudata_quality_ticket_list", context, {})
    who = access.caller(context["user"])
    scope = None if who.manager else sorted(who.opds)
    rows = summary.by_opd(scope)
    filters = {k: request.args.get(k, "") for k in ("organization", "severity")}
    params: dict[str, Any] = {"state": "open", "limit": 200}
    if filters["organization"] in {r.organization_id for r in rows}:
        params["organization"] = filters["organization"]
    else:
        filters["organization"] = ""
    if filters["severity"] in checks.SEVERITIES:
        params["severity"] = filters["severity"]
    else:
        filters["severity"] = ""
    open_tickets = tk.get_action("satudata_quality_ticket_list")(dict(context), params)
    return tk.render("satudata_quality/index.html", {
        "manager": who.manager, "rows": rows, "totals": summary.totals(rows),
        "kpi": summary.kpi(scope), "kpi_days": summary.KPI_DAYS,
        "tickets": open_tickets, "filters": filters, "severities": checks.SEVERITIES,
        "checks": checks.CHECKS, "weights": checks.WEIGHTS,
    })
