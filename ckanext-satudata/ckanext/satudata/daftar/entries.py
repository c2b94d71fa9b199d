"""The rules of a Daftar Data entry, shared by the actions and the spreadsheet import.

`check` returns every problem of an entry's values at once (field -> messages, in the
request's language); `create` and `update` write an entry that passed `check` to the
session without committing, and record the change when the year is agreed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import metadata
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.daftar.model import DaftarChange, DaftarEntry, DaftarPeriod, DaftarYear

Errors = dict[str, list[str]]
#: The entry's own fields a change may touch (beside its periods).
FIELDS = ("year", "organization_id", "title", "kategori", "sektor", "prioritas", "frequency",
          "pembina", "package_id")


def choices(field_name: str) -> dict[str, str]:
    """Values and labels (current language) of a choice field of the dataset schema."""
    for field in metadata.dataset_fields():
        if field["field_name"] == field_name:
            return {c["value"]: metadata.text(c["label"]) for c in field.get("choices", [])}
    return {}


def organization_id(value: Any) -> str | None:
    """The id of an active OPD given by id, name or title (case-insensitive), else None."""
    text = str(value or "").strip()
    if not text:
        return None
    group = model.Group.get(text)
    if group is None:
        group = model.Session.execute(sa.select(model.Group).where(
            sa.func.lower(model.Group.title) == text.lower(), model.Group.is_organization,
            model.Group.state == "active")).scalars().first()
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group.id


def year_agreed(year: int) -> DaftarYear | None:
    return model.Session.get(DaftarYear, year)


def _duplicate(year: int, org_id: str, title: str, own_id: str | None) -> bool:
    stmt = sa.select(DaftarEntry.id).where(
        DaftarEntry.year == year, DaftarEntry.organization_id == org_id,
        sa.func.lower(DaftarEntry.title) == title.lower())
    if own_id:
        stmt = stmt.where(DaftarEntry.id != own_id)
    return model.Session.execute(stmt).first() is not None


def _package_problem(package_id: str, org_id: str, own_id: str | None) -> str | None:
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state == "deleted" or pkg.type != metadata.DATASET_TYPE:
        return tk._("No dataset with this name or id: {value}").format(value=package_id)
    if pkg.owner_org != org_id:
        return tk._("The dataset belongs to another OPD; link a dataset of the entry's OPD")
    stmt = sa.select(DaftarEntry.id).where(DaftarEntry.package_id == pkg.id)
    if own_id:
        stmt = stmt.where(DaftarEntry.id != own_id)
    if model.Session.execute(stmt).first() is not None:
        return tk._("The dataset already serves another entry of the Daftar Data")
    return None


def check(values: dict[str, Any], periods: list[dict[str, Any]] | None,
          entry: DaftarEntry | None = None, existing: Iterable[DaftarPeriod] = ()) -> Errors:
    """Every problem of an entry's values (the schema already checked their types).

    `values` holds the entry's fields after the change (organization already an id, None
    when unknown); `periods` the periods given ({period, planned, revised,
    revised_reason}), None when unchanged; `existing` the entry's stored periods.
    """
    errors: Errors = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    year, org_id = values["year"], values["organization_id"]
    if not org_id:
        add("organization", tk._("Unknown OPD: {value}").format(value=values.get("organization")))
    if values["kategori"] not in choices("kategori"):
        add("kategori", tk._("Unknown category: {value}").format(value=values["kategori"]))
    if values["sektor"] not in choices("sektor_kegiatan"):
        add("sektor", tk._("Unknown sector: {value}").format(value=values["sektor"]))
    if values["frequency"] not in P.FREQUENCIES:
        add("frequency", tk._("Unknown frequency: {value} (use tahunan, semesteran, triwulanan, "
                              "bulanan or sekali)").format(value=values["frequency"]))
    if values["pembina"] not in P.PEMBINA:
        add("pembina", tk._("Unknown Pembina: {value} (use BPS or DCKTR)").format(
            value=values["pembina"]))
    if org_id and _duplicate(year, org_id, values["title"], entry.id if entry else None):
        add("title", tk._("The OPD already has an entry with this title in {year}").format(
            year=year))
    if org_id and values.get("package_id"):
        problem = _package_problem(values["package_id"], org_id, entry.id if entry else None)
        if problem:
            add("package_id", problem)
    if values["frequency"] in P.FREQUENCIES:
        _check_periods(values, periods, list(existing), add)
    return errors


def _check_periods(values: dict[str, Any], periods: list[dict[str, Any]] | None,
                   existing: list[DaftarPeriod], add: Any) -> None:
    year, wanted = values["year"], P.PERIODS[values["frequency"]]
    given: dict[str, dict[str, Any]] = {}
    item: dict[str, Any] | None
    for item in periods or []:
        code = item["period"]
        if code not in wanted:
            add("periods", tk._("Period {period} is not a period of a {frequency} entry "
                                "(periods: {wanted})").format(
                period=code, frequency=values["frequency"], wanted=", ".join(wanted)))
        elif code in given:
            add("periods", tk._("Period {period} is given twice").format(period=code))
        given[code] = item
    stored = {p.period: p for p in existing}
    missing = [c for c in wanted if c not in given and c not in stored]
    if missing:
        add("periods", tk._("A planned release date is missing for period(s) {periods}").format(
            periods=", ".join(missing)))
    released = [c for c, p in stored.items() if c not in wanted and p.released]
    if released:
        add("frequency", tk._("Period(s) {periods} were already released and cannot be "
                              "removed").format(periods=", ".join(released)))
    for code in wanted:
        item, old = given.get(code), stored.get(code)
        planned = item["planned"] if item and item.get("planned") else (
            old.planned if old else None)
        if planned is not None and planned.year != year:
            add("periods", tk._("Period {period}: the planned date {date} is not in {year}"
                                ).format(period=code, date=planned.isoformat(), year=year))
        if item and item.get("revised") and not item.get("revised_reason"):
            add("periods", tk._("Period {period}: give the reason for the revised date").format(
                period=code))
        if item and item.get("revised") and item["revised"].year not in (year, year + 1):
            add("periods", tk._("Period {period}: the revised date {date} is not in {year} or "
                                "the year after").format(
                period=code, date=item["revised"].isoformat(), year=year))


def _period_values(p: DaftarPeriod) -> dict[str, Any]:
    return {"planned": p.planned.isoformat(),
            "revised": p.revised.isoformat() if p.revised else None,
            "revised_reason": p.revised_reason}


def _apply_periods(entry: DaftarEntry, periods: list[dict[str, Any]] | None,
                   existing: list[DaftarPeriod], user_id: str) -> dict[str, list[Any]]:
    """Write the given periods; drop stored ones the frequency no longer has."""
    wanted = P.PERIODS[entry.frequency]
    stored = {p.period: p for p in existing}
    given = {item["period"]: item for item in periods or []}
    changes: dict[str, list[Any]] = {}
    for code, old in stored.items():
        if code not in wanted:
            changes[f"period:{code}"] = [_period_values(old), None]
            model.Session.delete(old)
    for position, code in enumerate(wanted):
        item, p = given.get(code), stored.get(code)
        if item is None:
            if p is not None:
                p.position = position
            continue
        before = _period_values(p) if p is not None else None
        if p is None:
            p = DaftarPeriod(entry_id=entry.id, period=code, position=position,
                             planned=item["planned"])
            model.Session.add(p)
        p.position = position
        if item.get("planned"):
            p.planned = item["planned"]
        if item.get("revised"):
            p.revised, p.revised_reason, p.revised_by = (
                item["revised"], item["revised_reason"], user_id)
        after = _period_values(p)
        if after != before:
            changes[f"period:{code}"] = [before, after]
    return changes


def _log(entry: DaftarEntry, action: str, reason: str | None, changes: dict[str, Any],
         user_id: str) -> None:
    model.Session.add(DaftarChange(
        entry_id=entry.id, year=entry.year, organization_id=entry.organization_id,
        action=action, reason=reason or "", changes=changes, user_id=user_id))


def reason_problem(year: int, reason: str | None) -> Errors:
    """After the Forum agreed the year's list, every change says why."""
    if year_agreed(year) is not None and not (reason or "").strip():
        return {"reason": [tk._("The Daftar Data of {year} was agreed: give the reason for "
                                "this change").format(year=year)]}
    return {}


def create(values: dict[str, Any], periods: list[dict[str, Any]], user_id: str,
           reason: str | None = None) -> DaftarEntry:
    entry = DaftarEntry(created_by=user_id)
    for k in FIELDS:
        setattr(entry, k, values.get(k))
    entry.package_id = entry.package_id or None
    model.Session.add(entry)
    model.Session.flush()
    changes = _apply_periods(entry, periods, [], user_id)
    if year_agreed(entry.year) is not None:
        _log(entry, "create", reason, {**{k: [None, _plain(getattr(entry, k))]
                                          for k in FIELDS}, **changes}, user_id)
    return entry


def update(entry: DaftarEntry, values: dict[str, Any], periods: list[dict[str, Any]] | None,
           existing: list[DaftarPeriod], user_id: str, reason: str | None) -> dict[str, Any]:
    """Write the changed fields and periods; the changes ({field: [before, after]})."""
    agreed_before = year_agreed(entry.year) is not None
    changes: dict[str, Any] = {}
    for field in FIELDS:
        new = values.get(field) if field != "package_id" else (values.get(field) or None)
        old = getattr(entry, field)
        if new != old:
            changes[field] = [_plain(old), _plain(new)]
            setattr(entry, field, new)
    changes.update(_apply_periods(entry, periods, existing, user_id))
    if changes:
        entry.modified = dt.datetime.utcnow()
        if agreed_before or year_agreed(entry.year) is not None:
            _log(entry, "update", reason, changes, user_id)
    return changes


def delete(entry: DaftarEntry, user_id: str, reason: str | None) -> None:
    if year_agreed(entry.year) is not None:
        _log(entry, "delete", reason, {k: [_plain(getattr(entry, k)), None] for k in FIELDS},
             user_id)
    model.Session.execute(sa.delete(DaftarPeriod).where(DaftarPeriod.entry_id == entry.id))
    model.Session.delete(entry)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def periods_of(entry_ids: list[str]) -> dict[str, list[DaftarPeriod]]:
    """The periods of these entries in order (one query)."""
    found: dict[str, list[DaftarPeriod]] = {i: [] for i in entry_ids}
    if not entry_ids:
        return found
    for p in model.Session.execute(sa.select(DaftarPeriod).where(
            DaftarPeriod.entry_id.in_(entry_ids)).order_by(
            DaftarPeriod.entry_id, DaftarPeriod.position)).scalars():
        found[p.entry_id].append(p)
    return found


def period_dict(p: DaftarPeriod, year: int, today: dt.date, due_days: int) -> dict[str, Any]:
    return {
        "id": p.id, "period": p.period, "label": P.period_label(p.period, year),
        "planned": p.planned.isoformat(),
        "revised": p.revised.isoformat() if p.revised else None,
        "revised_reason": p.revised_reason,
        "effective": (p.revised or p.planned).isoformat(),
        "released": (p.released.replace(tzinfo=dt.timezone.utc).isoformat()
                     if p.released else None),
        "released_date": P.wib_date(p.released).isoformat() if p.released else None,
        "status": P.status(p.planned, p.revised, p.released, today, due_days),
    }


def entry_dict(entry: DaftarEntry, periods: list[DaftarPeriod], org_names: dict[str, str],
               today: dt.date, due_days: int) -> dict[str, Any]:
    return {
        "id": entry.id, "year": entry.year, "organization_id": entry.organization_id,
        "organization": org_names.get(entry.organization_id), "title": entry.title,
        "kategori": entry.kategori, "sektor": entry.sektor, "prioritas": entry.prioritas,
        "frequency": entry.frequency, "pembina": entry.pembina,
        "package_id": entry.package_id,
        "available": entry.package_id is not None,
        "periods": [period_dict(p, entry.year, today, due_days) for p in periods],
        "created": entry.created.isoformat(), "modified": entry.modified.isoformat(),
    }


def organization_names(ids: Iterable[str]) -> dict[str, str]:
    ids = list(set(ids))
    if not ids:
        return {}
    return dict(model.Session.execute(sa.select(model.Group.id, model.Group.name).where(
        model.Group.id.in_(ids))).all())


def changes_of(entry_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(DaftarChange, model.User.name)
        .outerjoin(model.User, model.User.id == DaftarChange.user_id)
        .where(DaftarChange.entry_id == entry_id).order_by(DaftarChange.id)).all()
    return [{"action": c.action, "reason": c.reason, "changes": c.changes, "user": name,
             "created": c.created.replace(tzinfo=dt.timezone.utc).isoformat()}
            for c, name in rows]
