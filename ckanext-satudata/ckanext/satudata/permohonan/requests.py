"""What a request is and who may see and move it.

States: diterima (received; an anonymous requester's request only once the e-mail
address is confirmed) -> diteruskan (forwarded to the OPD) -> diproses (being
processed) -> selesai (answered; an approved access request) or ditolak (rejected,
with the reason). Every step is kept (PermohonanEvent) with who acted and the note.

Who: walidata and sysadmins see and move every confirmed request; an OPD's operators
and verifikators see and answer the requests forwarded to their OPD; the requester
sees their own (by account, or by the secret link). Powers come from the Daftar
Data's `access.caller` (walidata, and the OPDs where the caller is operator or
verifikator), itself through verifikasi's shared module.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata.daftar import access
from ckanext.satudata.localtime import today_wib, wib_date_sql
from ckanext.satudata.permohonan import deadline
from ckanext.satudata.permohonan.model import NUMBER_SEQUENCE, Permohonan, PermohonanEvent
from ckanext.satudata.permohonan.schema import OPEN_STATES

Caller = access.Caller
caller = access.caller


def kind_labels() -> dict[str, str]:
    return {"data": tk._("Data request"), "akses": tk._("Access to restricted data"),
            "pengaduan": tk._("Complaint about a dataset")}


def state_labels() -> dict[str, str]:
    return {"menunggu_konfirmasi": tk._("Waiting for e-mail confirmation"),
            "diterima": tk._("Request received"), "diteruskan": tk._("Forwarded to the OPD"),
            "diproses": tk._("Being processed"), "selesai": tk._("Completed"),
            "ditolak": tk._("Rejected")}


def step_labels() -> dict[str, str]:
    return {"create": tk._("Request sent"), "confirm": tk._("E-mail address confirmed"),
            "forward": tk._("Forwarded to the OPD"), "process": tk._("Processing started"),
            "answer": tk._("Answered"), "approve": tk._("Access granted"),
            "reject": tk._("Rejected"), "extend": tk._("Deadline extended")}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(24)
    return token, hash_token(token)


def status_token(request_id: str) -> str:
    """The secret of a request's status link: derived from its id and the site's
    SECRET_KEY, so every e-mail can carry the link again (only its hash is stored)."""
    key = str(tk.config.get("SECRET_KEY") or "").encode()
    digest = hmac.new(key, f"satudata-permohonan:{request_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def token_matches(stored_hash: str | None, token: str | None) -> bool:
    if not stored_hash or not token:
        return False
    return hmac.compare_digest(stored_hash, hash_token(str(token)))


def find(id_or_number: str) -> Permohonan | None:
    """A request by its id or tracking number."""
    value = str(id_or_number or "").strip()
    if not value:
        return None
    return model.Session.scalars(sa.select(Permohonan).where(
        sa.or_(Permohonan.id == value, Permohonan.number == value.upper()))).first()


def next_number(today: dt.date) -> str:
    serial = model.Session.scalar(sa.select(NUMBER_SEQUENCE.next_value()))
    return f"PD-{today.year}-{int(serial):06d}"


def forwarded(request: Permohonan) -> bool:
    """Sent to the OPD (it stays with the OPD after it answered or rejected it)."""
    return model.Session.scalar(sa.select(sa.func.count()).where(
        PermohonanEvent.request_id == request.id, PermohonanEvent.action == "forward")) > 0


def is_requester(request: Permohonan, user: model.User | None, token: str | None) -> bool:
    if user is not None and request.user_id and request.user_id == user.id:
        return True
    return token_matches(request.token_hash, token)


def staff_reads(who: Caller, request: Permohonan) -> bool:
    """Walidata (confirmed requests) or the OPD the request was forwarded to."""
    if request.confirmed is None:
        return False
    if who.manager:
        return True
    return bool(request.organization_id and request.organization_id in who.opds
                and forwarded(request))


def may_read(who: Caller, request: Permohonan, token: str | None) -> bool:
    return is_requester(request, who.user, token) or staff_reads(who, request)


def may_step(who: Caller, request: Permohonan, step: str) -> bool:
    """May the caller take this step (whatever the state; the step checks that)?"""
    if request.confirmed is None or who.user is None:
        return False
    if who.manager:
        return True
    if step == "forward":
        return False
    return bool(request.organization_id and request.organization_id in who.opds
                and forwarded(request))


def dataset_visible(package_id: str | None, user_name: str | None) -> bool:
    """May this viewer read the dataset's title (never an unpublished or rahasia one)."""
    if not package_id:
        return False
    try:
        tk.check_access("package_show", {"user": user_name or ""}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _wib(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.timezone.utc).astimezone(
        dt.timezone(dt.timedelta(hours=7))).isoformat()


def overdue(request: Permohonan, today: dt.date | None = None) -> bool:
    return bool(request.state in OPEN_STATES and request.due
                and (today or today_wib()) > request.due)


def rows_by_id(ids: Iterable[str | None], table: Any) -> dict[str, Any]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {row.id: row for row in model.Session.scalars(
        sa.select(table).where(table.id.in_(wanted)))}


def dicts(found: list[Permohonan], who: Caller, token: str | None = None,
          steps: bool = False) -> list[dict[str, Any]]:
    """The requests as the caller may see them (a few queries for the whole list)."""
    viewer = who.user.name if who.user else None
    packages = rows_by_id((r.package_id for r in found), model.Package)
    orgs = rows_by_id((r.organization_id for r in found), model.Group)
    kinds, states = kind_labels(), state_labels()
    today = today_wib()
    events: dict[str, list[PermohonanEvent]] = {}
    if steps and found:
        for event in model.Session.scalars(sa.select(PermohonanEvent).where(
                PermohonanEvent.request_id.in_([r.id for r in found]))
                .order_by(PermohonanEvent.id)):
            events.setdefault(event.request_id, []).append(event)
    actors = rows_by_id((e.actor_id for es in events.values() for e in es), model.User)
    out = []
    for r in found:
        pkg = packages.get(r.package_id or "")
        org = orgs.get(r.organization_id or "")
        staff = staff_reads(who, r)
        state = r.state if r.confirmed else "menunggu_konfirmasi"
        item: dict[str, Any] = {
            "id": r.id, "number": r.number, "kind": r.kind, "kind_label": kinds[r.kind],
            "state": state, "state_label": states[state],
            "description": r.description, "purpose": r.purpose,
            "dataset": {"name": pkg.name, "title": pkg.title}
            if pkg is not None and dataset_visible(pkg.id, viewer) else None,
            "organization": {"name": org.name, "title": org.title} if org else None,
            "requester": {"name": r.name, "institution": r.institution,
                          "account": bool(r.user_id),
                          **({"email": r.email} if who.manager or is_requester(
                              r, who.user, token) else {})},
            "created": _wib(r.created), "received": r.received.isoformat()
            if r.received else None,
            "due": r.due.isoformat() if r.due else None,
            "extended": bool(r.extension_reason), "extension_reason": r.extension_reason,
            "overdue": overdue(r, today), "closed": _wib(r.closed), "answer": r.answer,
            "grant_expires": r.grant_expires.isoformat() if r.grant_expires else None,
        }
        if steps:
            labels = step_labels()
            item["steps"] = [{
                "action": e.action, "label": labels.get(e.action, e.action),
                "from_state": e.from_state, "to_state": e.to_state,
                "actor": e.actor_label,
                **({"actor_name": actors[e.actor_id].display_name}
                   if staff and e.actor_id in actors else {}),
                "note": e.note, "created": _wib(e.created)} for e in events.get(r.id, [])]
        out.append(item)
    return out


def actor_label(who: Caller, request: Permohonan) -> str:
    if who.manager:
        return tk._("Walidata")
    org = model.Group.get(request.organization_id or "")
    return org.title if org is not None else tk._("OPD")


def add_step(request: Permohonan, action: str, to_state: str, actor_id: str | None,
             label: str, note: str | None = None) -> PermohonanEvent:
    event = PermohonanEvent(request_id=request.id, action=action, from_state=request.state,
                            to_state=to_state, actor_id=actor_id, actor_label=label,
                            note=note)
    model.Session.add(event)
    request.state = to_state
    return event


def receive(request: Permohonan, now: dt.datetime | None = None) -> None:
    """The request counts as received (account, or confirmed e-mail): its deadline runs."""
    now = now or dt.datetime.utcnow()
    request.confirmed = now
    request.received = today_wib(now)
    request.due = deadline.first_due(request.received)


def statistics(year: int | None = None) -> dict[str, Any]:
    """Anonymised figures (no titles, no requesters): received, answered, answered
    within the deadline, still open, overdue; by kind."""
    r = Permohonan
    today = today_wib()
    query = sa.select(
        r.kind, sa.func.count().label("received"),
        sa.func.count().filter(r.state.in_(("selesai", "ditolak"))).label("answered"),
        sa.func.count().filter(r.state.in_(("selesai", "ditolak")),
                               wib_date_sql(r.closed) <= r.due).label("on_time"),
        sa.func.count().filter(r.state.in_(OPEN_STATES)).label("open"),
        sa.func.count().filter(r.state.in_(OPEN_STATES), r.due < today).label("overdue"),
    ).where(r.confirmed.isnot(None)).group_by(r.kind)
    if year:
        query = query.where(sa.extract("year", r.received) == year)
    rows = {row.kind: row._asdict() for row in model.Session.execute(query)}
    total = {k: sum(int(row[k]) for row in rows.values())
             for k in ("received", "answered", "on_time", "open", "overdue")}
    return {"year": year, "total": total, "by_kind": {
        kind: {k: int(v) for k, v in rows.get(kind, {}).items() if k != "kind"}
        for kind in kind_labels()}}


def field_labels() -> dict[str, str]:
    return {"kind": tk._("Type of request"), "description": tk._("Description"),
            "purpose": tk._("Purpose of use"), "package_id": tk._("Dataset"),
            "organization": tk._("OPD"), "name": tk._("Name"), "email": tk._("E-mail"),
            "institution": tk._("Institution"), "note": tk._("Note"),
            "action": tk._("Step"), "expires": tk._("Valid until"), "limit": tk._("Limit"),
            "id": tk._("Dataset"), "user": tk._("User")}


def field_label(field: str) -> str:
    return field_labels().get(field, field)
