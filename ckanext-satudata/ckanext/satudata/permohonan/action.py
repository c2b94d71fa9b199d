"""Actions of the Permohonan Data (API contract of issue 14).

`satudata_request_create` (anyone; anonymous requesters give name, e-mail and
institution and confirm the address through `satudata_request_confirm`),
`satudata_request_show` (the requester by account or secret token, walidata, the OPD
it was forwarded to), `satudata_request_list` (the caller's own requests, or for
staff the ones they handle), `satudata_request_update` (the steps: forward, process,
answer, approve, reject, extend) and `satudata_request_statistics` (anonymised
figures, public).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict
from flask import has_request_context
from flask import request as flask_request

from ckanext.satudata import localtime
from ckanext.satudata.localtime import today_wib
from ckanext.satudata.permohonan import deadline, mail, ratelimit, schema
from ckanext.satudata.permohonan import requests as R
from ckanext.satudata.permohonan.model import Permohonan
from ckanext.verifikasi import shared

__all__ = ["satudata_request_confirm", "satudata_request_create", "satudata_request_list",
           "satudata_request_show", "satudata_request_statistics",
           "satudata_request_update"]

#: Steps that end a request, and the state each leads to.
TARGETS = {"forward": "diteruskan", "process": "diproses", "answer": "selesai",
           "approve": "selesai", "reject": "ditolak"}
#: States each step starts from.
SOURCES = {"forward": ("diterima",), "process": ("diterima", "diteruskan"),
           "answer": schema.OPEN_STATES, "approve": schema.OPEN_STATES,
           "reject": schema.OPEN_STATES, "extend": schema.OPEN_STATES}


def _status_url(request: Permohonan, token: str | None = None) -> str:
    """The status page; for a requester without an account, with the secret link."""
    args = {"token": token} if token else {}
    return tk.h.url_for("satudata_public.permohonan_show", number=request.number,
                        qualified=True, **args)


def _requester_url(request: Permohonan) -> str:
    return _status_url(request, None if request.user_id else R.status_token(request.id))


def _or_404(id_or_number: str) -> Permohonan:
    found = R.find(id_or_number)
    if found is None:
        raise tk.ObjectNotFound(tk._("Request not found"))
    return found


def _remote_ip() -> str | None:
    return flask_request.remote_addr if has_request_context() else None


def _requester(data: dict[str, Any], user: model.User | None) -> dict[str, str]:
    if user is not None:
        return {"name": user.fullname or user.name, "email": user.email or "",
                "institution": data.get("institution") or ""}
    errors = {field: [tk._("Missing value")] for field in ("name", "email", "institution")
              if not data.get(field)}
    if errors:
        raise tk.ValidationError(errors)
    return {field: data[field] for field in ("name", "email", "institution")}


def _target(data: dict[str, Any], user_name: str | None) -> tuple[str | None, str | None]:
    """The dataset and OPD a request concerns (the dataset's OPD wins)."""
    kind = data["kind"]
    if kind in ("akses", "pengaduan"):
        if not data.get("package_id"):
            raise tk.ValidationError({"package_id": [tk._("Missing value")]})
        pkg = model.Package.get(data["package_id"])
        # A dataset the requester may not see does not exist for them.
        if pkg is None or pkg.type != "dataset" or not R.dataset_visible(pkg.id, user_name):
            raise tk.ValidationError({"package_id": [tk._("Dataset not found")]})
        if kind == "akses" and shared.can_use_data(user_name, pkg.id):
            raise tk.ValidationError({"package_id": [
                tk._("You may already use the data of this dataset")]})
        return pkg.id, pkg.owner_org
    if data.get("organization"):
        org = model.Group.get(data["organization"])
        if org is None or not org.is_organization or org.state != "active":
            raise tk.ValidationError({"organization": [tk._("OPD not found")]})
        return None, org.id
    return None, None


@tk.validate_action_data(schema.create)
def satudata_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Send a request: missing data (`kind=data`), access to a terbatas dataset
    (`akses`, logged-in users only: the access is granted to an account), or a complaint
    about a dataset (`pengaduan`).

    Args:
        kind: data, akses or pengaduan. description: what is asked (at most 4000
            characters). purpose: purpose of use (required for akses).
        package_id: the dataset (akses, pengaduan). organization: the OPD, if known (data).
        name, email, institution: the requester, when not logged in (the e-mail address
            receives a confirmation link; nothing is processed before it is confirmed).
    Returns:
        the request, with `token` (the secret of its status link, given only here) and
        `status_url`.
    """
    tk.check_access("satudata_request_create", context, data_dict)
    data = data_dict
    user = model.User.get(context.get("user") or "")
    if user is not None and user.state != "active":
        user = None
    user_name = user.name if user else None
    if data["kind"] == "akses":
        if user is None:
            raise tk.ValidationError({"kind": [tk._(
                "Log in to request access to data: access is granted to an account")]})
        if not data.get("purpose"):
            raise tk.ValidationError({"purpose": [tk._("Missing value")]})
    who = _requester(data, user)
    if user is not None and not who["email"]:
        raise tk.ValidationError({"email": [tk._("Your account has no e-mail address")]})
    package_id, organization_id = _target(data, user_name)
    if not R.caller(user_name).manager and not ratelimit.hit(
            _remote_ip(), user.id if user else who["email"]):
        raise tk.ValidationError({"limit": [tk._(
            "Too many requests. Please try again in an hour.")]})
    request_id = str(uuid.uuid4())
    token = R.status_token(request_id)
    token_hash = R.hash_token(token)
    confirm_token, confirm_hash = R.new_token()
    request = Permohonan(
        id=request_id,
        number=R.next_number(today_wib()), kind=data["kind"], state="diterima",
        description=data["description"], purpose=data.get("purpose") or None,
        package_id=package_id, organization_id=organization_id,
        user_id=user.id if user else None, token_hash=token_hash,
        confirm_hash=None if user else confirm_hash, name=who["name"],
        email=who["email"], institution=who["institution"])
    model.Session.add(request)
    model.Session.flush()
    R.add_step(request, "create", "diterima", user.id if user else None,
               tk._("Requester"))
    if user is not None:
        R.receive(request)
    model.Session.commit()
    if user is None:
        mail.confirmation(request, tk.h.url_for(
            "satudata_public.permohonan_confirm", number=request.number,
            token=confirm_token, qualified=True))
    else:
        _announce(request)
    result = R.dicts([request], R.caller(user_name), token)[0]
    return {**result, "token": token, "status_url": _status_url(request, token)}


def _announce(request: Permohonan) -> None:
    """A received request: the requester gets its number, walidata a notification
    (texts in the portal's default language, see mail)."""
    with shared.default_language():
        labels = R.state_labels()
        mail.step(request, labels["diterima"], tk._(
            "Your request has been received. Tracking number: {number}. Answer due by "
            "{due} (10 working days).").format(number=request.number,
                                               due=_date(request.due)),
            _requester_url(request))
        mail.staff(shared.role_holders("walidata"), request, tk._(
            "New data request {number}").format(number=request.number), _status_url(request))


def _date(value: dt.date | None) -> str:
    """A date as the UI shows it ("5 Desember 2026"; the page's language in a request)."""
    return localtime.format_date(value)


@tk.validate_action_data(schema.confirm)
def satudata_request_confirm(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Confirm the e-mail address of an anonymous request (the link in the e-mail):
    the request is received, its deadline runs and walidata is told.

    Args:
        id: the request's id or number. token: the confirmation secret.
    """
    tk.check_access("satudata_request_confirm", context, data_dict)
    request = _or_404(data_dict["id"])
    # Sysadmins pass every auth function: the secret is checked here too.
    if not R.token_matches(request.confirm_hash, data_dict["token"]):
        raise tk.NotAuthorized(tk._("The confirmation link is not valid"))
    if request.confirmed is None:
        R.receive(request)
        R.add_step(request, "confirm", request.state, None, tk._("Requester"))
        model.Session.commit()
        _announce(request)
    return {"number": request.number, "confirmed": True}


@tk.side_effect_free
@tk.validate_action_data(schema.show)
def satudata_request_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A request with every step (who acted, when, the note) and its deadline.

    Args:
        id: the request's id or tracking number. token: the requester's secret (status
            link), when not logged in as the requester.
    """
    tk.check_access("satudata_request_show", context, data_dict)
    request = _or_404(data_dict["id"])
    return R.dicts([request], R.caller(context.get("user")), data_dict.get("token"),
                   steps=True)[0]


@tk.side_effect_free
@tk.validate_action_data(schema.list_)
def satudata_request_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Requests the caller may see: walidata every confirmed one, an OPD's operators
    and verifikators those forwarded to their OPD, everyone else their own.

    Args:
        state, kind: only these. overdue: only open requests past their deadline.
        limit, offset: paging (newest first).
    Returns:
        {count, results}.
    """
    tk.check_access("satudata_request_list", context, data_dict)
    who = R.caller(context.get("user"))
    query = sa.select(Permohonan)
    if who.manager:
        query = query.where(Permohonan.confirmed.isnot(None))
    else:
        own = Permohonan.user_id == who.user.id if who.user else sa.false()
        forwarded = sa.and_(
            Permohonan.organization_id.in_(who.opds), Permohonan.confirmed.isnot(None),
            sa.exists().where(sa.and_(R.PermohonanEvent.request_id == Permohonan.id,
                                      R.PermohonanEvent.action == "forward")))
        query = query.where(sa.or_(own, forwarded) if who.opds else own)
    if data_dict.get("state"):
        query = query.where(Permohonan.state == data_dict["state"])
    if data_dict.get("kind"):
        query = query.where(Permohonan.kind == data_dict["kind"])
    if data_dict.get("overdue"):
        query = query.where(Permohonan.state.in_(schema.OPEN_STATES),
                            Permohonan.due < today_wib())
    count = model.Session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    found = list(model.Session.scalars(
        query.order_by(Permohonan.created.desc(), Permohonan.number.desc())
        .limit(data_dict["limit"]).offset(data_dict["offset"])))
    return {"count": count, "results": R.dicts(found, who)}


@tk.validate_action_data(schema.update)
def satudata_request_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Move a request on. Steps (`action`):

    - forward (walidata): to the OPD holding the data (`organization` for a data
      request without one; a dataset's request goes to the dataset's OPD).
    - process (walidata, or the OPD it was forwarded to): processing started.
    - answer (data and complaints): `note` is the answer. Ends the request.
    - approve (access requests): creates the access grant until `expires`
      (YYYY-MM-DD; default `ckanext.satudata.permohonan.grant_days` from today)
      through verifikasi's grant action, audited there. `note`: optional message.
    - reject: `note` is the reason, required.
    - extend: the deadline once by 7 working days; `note` is the reason, required.

    Args:
        id: the request's id or number. action, note, organization, expires as above.
    Returns:
        the request with its steps.
    """
    tk.check_access("satudata_request_update", context, data_dict)
    data = data_dict
    step = data["action"]
    request = model.Session.scalars(sa.select(Permohonan).where(
        Permohonan.id == _or_404(data["id"]).id).with_for_update()).one()
    who = R.caller(context.get("user"))
    if request.state not in SOURCES[step]:
        raise tk.ValidationError({"action": [tk._(
            "This step is not possible while the request is: {state}").format(
                state=R.state_labels()[request.state])]})
    note = data.get("note") or None
    if step in ("answer", "reject", "extend") and not note:
        raise tk.ValidationError({"note": [tk._("Missing value")]})
    if (step == "approve") != (request.kind == "akses") and step in ("answer", "approve"):
        raise tk.ValidationError({"action": [tk._(
            "Access requests are approved or rejected; other requests are answered")]})
    label = R.actor_label(who, request)
    actor_id = who.user.id if who.user else None
    if step == "extend":
        if request.extension_reason:
            raise tk.ValidationError({"action": [tk._(
                "The deadline can be extended only once")]})
        request.extension_reason = note
        request.due = deadline.extended_due(request.due or today_wib())
        R.add_step(request, "extend", request.state, actor_id, label, note)
    elif step == "forward":
        _forward(request, data)
        R.add_step(request, "forward", "diteruskan", actor_id, label, note)
    else:
        if step == "approve":
            note = _grant(request, data, who, note)
        R.add_step(request, step, TARGETS[step], actor_id, label, note)
        if step in ("answer", "approve", "reject"):
            request.answer = note
            request.closed = dt.datetime.utcnow()
    model.Session.commit()
    _after_step(request, step, note)
    return R.dicts([request], who, steps=True)[0]


def _forward(request: Permohonan, data: dict[str, Any]) -> None:
    if data.get("organization") and not request.package_id:
        org = model.Group.get(data["organization"])
        if org is None or not org.is_organization or org.state != "active":
            raise tk.ValidationError({"organization": [tk._("OPD not found")]})
        request.organization_id = org.id
    if not request.organization_id:
        raise tk.ValidationError({"organization": [tk._(
            "Choose the OPD that holds the data")]})


def _grant(request: Permohonan, data: dict[str, Any], who: R.Caller,
           note: str | None) -> str:
    """The access grant of an approved access request (through verifikasi's action,
    which audits it and commits), and the message to the requester."""
    expires = data.get("expires")
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    if expires is None:
        expires = today_wib() + dt.timedelta(
            days=int(tk.config["ckanext.satudata.permohonan.grant_days"]))
    if expires < today_wib():
        raise tk.ValidationError({"expires": [tk._("The expiry date cannot be in the past")]})
    if not request.user_id or not request.package_id:
        raise tk.ValidationError({"action": [tk._("This request has no account to grant")]})
    actor = who.user.name if who.user else None
    tk.get_action("verifikasi_access_grant")(
        {"user": actor, "ignore_auth": True},
        {"id": request.package_id, "user": request.user_id, "expires": expires.isoformat(),
         "reason": tk._("Request {number}").format(number=request.number)})
    request.grant_expires = expires
    with shared.default_language():  # stored as the answer the requester is e-mailed
        granted = tk._("Access to the data is granted until {date}.").format(
            date=_date(expires))
    return f"{granted}\n{note}" if note else granted


def _after_step(request: Permohonan, step: str, note: str | None) -> None:
    with shared.default_language():
        _tell_after_step(request, step, note)


def _tell_after_step(request: Permohonan, step: str, note: str | None) -> None:
    labels = R.state_labels()
    if step == "forward":
        opd = [uid for role in ("operator", "verifikator")
               for uid in shared.role_holders(role, request.organization_id)]
        mail.staff(opd, request, tk._("Data request {number} forwarded to your OPD").format(
            number=request.number), _status_url(request))
    if step == "extend":
        note = tk._("The deadline was extended to {date}: {reason}").format(
            date=_date(request.due), reason=note)
    if step != "process":
        mail.step(request, labels[request.state], note, _requester_url(request))


@tk.side_effect_free
@tk.validate_action_data(schema.statistics)
def satudata_request_statistics(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Anonymised figures for the public page: received, answered, answered within the
    deadline, open and overdue requests (no titles, no requesters).

    Args:
        year: only requests received in this year.
    """
    tk.check_access("satudata_request_statistics", context, data_dict)
    return R.statistics(data_dict.get("year"))
