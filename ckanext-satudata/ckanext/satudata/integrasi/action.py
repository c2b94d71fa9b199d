"""Actions of integrations (issue 15, SOP 002): register an OPD system, decide and revoke,
documents, scheduled pulls, pushes, and the figures of the monitoring page."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata import verification
from ckanext.satudata.integrasi import access, documents, jobs, kpi, monitor, service, sync
from ckanext.satudata.integrasi import schema as S
from ckanext.satudata.integrasi.model import (
    Integrasi,
    IntegrasiDocument,
    IntegrasiEvent,
    IntegrasiPull,
    IntegrasiRun,
)
from ckanext.satudata.model import InputPackage
from ckanext.satudata.tabular.structure import Period

__all__ = [
    "satudata_integration_create", "satudata_integration_decide",
    "satudata_integration_document_add", "satudata_integration_document_show",
    "satudata_integration_kpi", "satudata_integration_list",
    "satudata_integration_pull_delete", "satudata_integration_pull_run",
    "satudata_integration_pull_set", "satudata_integration_push",
    "satudata_integration_revoke", "satudata_integration_show",
]


def _user(context: Context) -> model.User:
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("Log in first"))
    return user


def _event(found: Integrasi, action: str, user: model.User, note: str | None = None) -> None:
    """History on the integration, and the portal's append-only audit log."""
    model.Session.add(IntegrasiEvent(integrasi_id=found.id, action=action, actor=user.id,
                                     note=note))
    module = verification.shared()
    if module is not None:
        module.audit(user.id, f"integrasi_{action}", "integrasi", found.id,
                     organization_id=found.organization_id, system=found.system_name,
                     note=note)


def _notify(user_ids: list[str], subject: str, body: str) -> None:
    verification.notify_users(sorted(set(user_ids)), subject, body)


def _page_url(found: Integrasi) -> str:
    return tk.url_for("satudata_integrasi.show", id=found.id, _external=True)


def integration_dict(found: Integrasi) -> dict[str, Any]:
    org = model.Group.get(found.organization_id)
    service_user = model.User.get(found.service_user_id) if found.service_user_id else None
    return {"id": found.id, "organization_id": found.organization_id,
            "organization_title": (org.title or org.name) if org else "",
            "system_name": found.system_name, "contact": found.contact,
            "api_description": found.api_description,
            "data_structure": found.data_structure, "status": found.status,
            "service_account": service_user.name if service_user else None,
            "created": found.created.isoformat(), "created_by": found.created_by,
            "decided": found.decided.isoformat() if found.decided else None,
            "decided_by": found.decided_by, "decision_note": found.decision_note}


def _uploads(data_dict: DataDict) -> list[Any]:
    value = data_dict.get("upload")
    items = value if isinstance(value, list) else [value]
    return [u for u in items if u is not None and bool(getattr(u, "filename", None))]


@tk.validate(S.create)
def satudata_integration_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Register an OPD system for integration (status `requested`); walidata is told.

    Args:
        organization_id: the OPD (id or name). system_name, contact, api_description,
        data_structure: the request (text). upload: document(s) of the request, optional.
    """
    tk.check_access("satudata_integration_create", context, data_dict)
    user = _user(context)
    found = Integrasi(organization_id=data_dict["organization_id"],
                      system_name=data_dict["system_name"], contact=data_dict["contact"],
                      api_description=data_dict["api_description"],
                      data_structure=data_dict["data_structure"], status="requested",
                      created_by=user.id)
    model.Session.add(found)
    model.Session.flush()
    for upload in _uploads(data_dict):
        documents.store(found.id, upload, user.id)
    _event(found, "requested", user)
    model.Session.commit()
    with verification.default_language():
        subject = tk._("New integration request: {system}").format(system=found.system_name)
        body = tk._("{opd} asks to integrate its system {system}. Review the request: "
                    "{url}").format(opd=integration_dict(found)["organization_title"],
                                    system=found.system_name, url=_page_url(found))
    _notify(verification.role_holders("walidata"), subject, body)
    return integration_dict(found)


@tk.validate(S.document_add)
def satudata_integration_document_add(context: Context, data_dict: DataDict
                                      ) -> dict[str, Any]:
    """Add a document to an integration's archive. Args: id, upload (at most 10 MB)."""
    tk.check_access("satudata_integration_document_add", context, data_dict)
    found = access.integration(data_dict["id"])
    doc = documents.store(found.id, data_dict["upload"], _user(context).id)
    model.Session.commit()
    return documents.document_dict(doc)


@tk.side_effect_free
@tk.validate(S.document_show)
def satudata_integration_document_show(context: Context, data_dict: DataDict
                                       ) -> dict[str, Any]:
    """A document of an integration (id, document_id): its name, size and upload time."""
    tk.check_access("satudata_integration_document_show", context, data_dict)
    found = access.integration(data_dict["id"])
    doc = model.Session.get(IntegrasiDocument, data_dict["document_id"])
    if doc is None or doc.integrasi_id != found.id:
        raise tk.ObjectNotFound(tk._("Document not found"))
    return documents.document_dict(doc)


@tk.side_effect_free
@tk.validate(S.by_id)
def satudata_integration_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An integration with its documents, history, pulls and latest sync runs (id)."""
    tk.check_access("satudata_integration_show", context, data_dict)
    found = access.integration(data_dict["id"])
    docs = model.Session.scalars(sa.select(IntegrasiDocument).where(
        IntegrasiDocument.integrasi_id == found.id).order_by(IntegrasiDocument.uploaded))
    events = model.Session.scalars(sa.select(IntegrasiEvent).where(
        IntegrasiEvent.integrasi_id == found.id).order_by(IntegrasiEvent.created))
    runs = model.Session.scalars(sa.select(IntegrasiRun).where(
        IntegrasiRun.integrasi_id == found.id).order_by(IntegrasiRun.started.desc())
        .limit(50))
    return {**integration_dict(found),
            "documents": [documents.document_dict(d) for d in docs],
            "events": [{"action": e.action, "actor": e.actor, "note": e.note,
                        "created": e.created.isoformat()} for e in events],
            "pulls": monitor.pulls(integrasi_id=found.id),
            "inputs": monitor.inputs_of(found.organization_id),
            "runs": [sync.run_dict(r) for r in runs]}


@tk.side_effect_free
@tk.validate(S.listing)
def satudata_integration_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The integrations and pulls the caller may see (walidata: all; OPD staff: their
    OPDs'), each with its last sync, and the monthly report of the last 12 months.

    Args:
        organization_id: only this OPD (optional).
    """
    tk.check_access("satudata_integration_list", context, data_dict)
    user = context.get("user")
    orgs: set[str] | None = None if access.is_walidata(user) else access.opds_of(user)
    if data_dict.get("organization_id"):
        wanted = {str(data_dict["organization_id"])}
        orgs = wanted if orgs is None else orgs & wanted
    return monitor.overview(orgs)


def _decide_notify(found: Integrasi, subject: str, body: str) -> None:
    _notify(verification.role_holders("operator", found.organization_id)
            + [found.created_by], subject, body)


@tk.validate(S.decide)
def satudata_integration_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata approves or rejects a request.

    Approving makes the service account and its API token, returned once as `token`
    (it is not stored and cannot be shown again). Rejecting needs a `note`.

    Args:
        id, decision ("approve" or "reject"), note.
    """
    tk.check_access("satudata_integration_decide", context, data_dict)
    user = _user(context)
    found = access.integration(data_dict["id"])
    if found.status != "requested":
        raise tk.ValidationError({"id": [tk._("This request was already decided")]})
    note = (data_dict.get("note") or "").strip() or None
    if data_dict["decision"] == "reject" and not note:
        raise tk.ValidationError({"note": [tk._("Say why the request is rejected")]})
    # Claimed with a compare-and-set: two walidata deciding at once, one wins.
    claimed = model.Session.execute(sa.update(Integrasi).where(
        Integrasi.id == found.id, Integrasi.status == "requested").values(
        status="approved" if data_dict["decision"] == "approve" else "rejected",
        decided_by=user.id, decided=dt.datetime.utcnow(), decision_note=note)
        .execution_options(synchronize_session="fetch"))
    if not claimed.rowcount:
        model.Session.rollback()
        raise tk.ValidationError({"id": [tk._("This request was already decided")]})
    token = None
    if found.status == "approved":
        _account, token = service.create_account(found)
    _event(found, "approved" if token else "rejected", user, note)
    model.Session.commit()
    with verification.default_language():
        if token:
            subject = tk._("Integration approved: {system}").format(system=found.system_name)
            body = tk._("The integration of {system} was approved. Walidata hands the API "
                        "token over to the system's administrator. {url}").format(
                system=found.system_name, url=_page_url(found))
        else:
            subject = tk._("Integration rejected: {system}").format(system=found.system_name)
            body = tk._("The integration of {system} was rejected: {note}").format(
                system=found.system_name, note=note) + "\n" + _page_url(found)
    _decide_notify(found, subject, body)
    return {**integration_dict(found), "token": token}


@tk.validate(S.revoke)
def satudata_integration_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata revokes an approved integration: its token stops working at once, its
    service account is blocked and its pulls stop. Args: id, reason."""
    tk.check_access("satudata_integration_revoke", context, data_dict)
    user = _user(context)
    found = access.integration(data_dict["id"])
    if found.status != "approved":
        raise tk.ValidationError({"id": [tk._("Only an approved integration can be revoked")]})
    found.status = "revoked"
    service.disable_account(found)
    model.Session.execute(sa.update(IntegrasiPull).where(
        IntegrasiPull.integrasi_id == found.id).values(enabled=False))
    _event(found, "revoked", user, data_dict["reason"])
    model.Session.commit()
    with verification.default_language():
        subject = tk._("Integration revoked: {system}").format(system=found.system_name)
        body = tk._("The integration of {system} was revoked: {reason}").format(
            system=found.system_name, reason=data_dict["reason"]) + "\n" + _page_url(found)
    _decide_notify(found, subject, body)
    return integration_dict(found)


def _period_or_raise(inp: InputPackage, code: str) -> str:
    try:
        period = Period.parse(code)
    except ValueError:
        period = None
    if period is None or period.frequency != inp.frequency:
        raise tk.ValidationError({"period": [tk._(
            'The period "{code}" does not fit this package\'s frequency ({frequency})').format(
            code=code, frequency=inp.frequency)]})
    return period.code()


@tk.validate(S.pull_set)
def satudata_integration_pull_set(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Pull an input package from a URL on a schedule (replaces its earlier setting).

    Args:
        input_id: the input package. url: http(s) address of a CSV, JSON (a list of
        objects) or XLSX file. format: csv, json or xlsx. schedule: daily or weekly.
        period: the period the file holds. integration_id: the approved integration of
        the OPD system serving it (optional). enabled: default true.
    """
    tk.check_access("satudata_integration_pull_set", context, data_dict)
    user = _user(context)
    inp, org = access.input_and_org(data_dict["input_id"])
    period = _period_or_raise(inp, data_dict["period"])
    integrasi_id = data_dict.get("integration_id") or None
    if integrasi_id:
        found = access.integration(integrasi_id)
        if found.organization_id != org or found.status != "approved":
            raise tk.ValidationError({"integration_id": [tk._(
                "Choose an approved integration of the dataset's OPD")]})
    pull = access.pull_of(inp.id) or IntegrasiPull(input_id=inp.id, created_by=user.id)
    pull.url, pull.format, pull.schedule = data_dict["url"], data_dict["format"], \
        data_dict["schedule"]
    pull.period, pull.integrasi_id, pull.enabled = period, integrasi_id, data_dict["enabled"]
    pull.next_due = dt.datetime.utcnow()
    model.Session.add(pull)
    model.Session.commit()
    return monitor.pull_dict(pull)


@tk.validate(S.by_input)
def satudata_integration_pull_delete(context: Context, data_dict: DataDict) -> None:
    """Stop pulling an input package (input_id); its past runs stay."""
    tk.check_access("satudata_integration_pull_delete", context, data_dict)
    pull = access.pull_of(data_dict["input_id"])
    if pull is None:
        raise tk.ObjectNotFound(tk._("This input package is not pulled"))
    model.Session.delete(pull)
    model.Session.commit()


@tk.validate(S.by_input)
def satudata_integration_pull_run(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Queue a pull of the input package now (input_id), for the worker."""
    tk.check_access("satudata_integration_pull_run", context, data_dict)
    pull = access.pull_of(data_dict["input_id"])
    if pull is None:
        raise tk.ObjectNotFound(tk._("This input package is not pulled"))
    return {"job_id": jobs.enqueue(pull.id)}


def satudata_integration_push(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An OPD system pushes rows of one period into an input package of its OPD.

    Rows are upserted by the package's key columns (a row whose key is stored in the
    period updates it, others are added), validated like the entry form: any wrong row
    and nothing is written, every error listed. A published dataset gets an update that
    goes through verification. Every push is a sync run.

    Args:
        input_id: the input package. period: its period code. rows: [{column: value}].
    Returns:
        {added, updated, deleted, published, run}.
    """
    rows = S.push_rows(data_dict.get("rows"))
    data_dict, errors = tk.navl_validate(
        {k: v for k, v in data_dict.items() if k != "rows"}, S.push(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("satudata_integration_push", context, data_dict)
    user = _user(context)
    found = access.service_integration(user.name)
    if found is None:
        raise tk.NotAuthorized(tk._(
            "Only the service account of an approved integration may push rows"))
    return sync.push(user, found, data_dict["input_id"], data_dict["period"], rows)


@tk.side_effect_free
@tk.validate(S.kpi)
def satudata_integration_kpi(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The two KPIs of integration: the share of OPD applications integrated by API and
    the share of datasets updated by scheduled sync (counts only)."""
    tk.check_access("satudata_integration_kpi", context, data_dict)
    return kpi.compute()
