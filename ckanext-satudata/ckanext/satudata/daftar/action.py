"""Actions of the Daftar Data (API contract of issue 12).

`satudata_daftar_data_list`, `_show` (walidata, sysadmins, and the OPD's operators and
verifikators for their own OPD), `_create`, `_update`, `_delete`, `_import` and
`_agree` (walidata and sysadmins). Bad values raise one ValidationError listing every
problem, and nothing is written.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata import config
from ckanext.satudata.daftar import access, entries, importer, revisions, schema
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.daftar.model import DaftarEntry, DaftarPeriod, DaftarRevision, DaftarYear

__all__ = ["satudata_daftar_data_agree", "satudata_daftar_data_create",
           "satudata_daftar_data_delete", "satudata_daftar_data_import",
           "satudata_daftar_data_list", "satudata_daftar_data_show",
           "satudata_daftar_data_update", "satudata_daftar_revision_decide",
           "satudata_daftar_revision_propose"]


def _user_id(context: Context) -> str:
    user = model.User.get(context.get("user") or "")
    if user is None:  # ignore_auth calls of the system
        return tk.get_action("get_site_user")({"ignore_auth": True}, {})["id"]
    return user.id


def _entry_or_404(entry_id: str) -> DaftarEntry:
    entry = model.Session.get(DaftarEntry, entry_id)
    if entry is None:
        raise tk.ObjectNotFound(tk._("Daftar Data entry not found"))
    return entry


def _dicts(found: list[DaftarEntry]) -> list[dict[str, Any]]:
    periods = entries.periods_of([e.id for e in found])
    names = entries.organization_names(e.organization_id for e in found)
    today, due = P.today_wib(), config.jadwal_rilis_due_days()
    pending = revisions.pending_counts([e.id for e in found])
    return [{**entries.entry_dict(e, periods[e.id], names, today, due),
             "pending_revisions": pending.get(e.id, 0)} for e in found]


def _values(data: dict[str, Any], entry: DaftarEntry | None = None) -> dict[str, Any]:
    """The entry's fields after the change (OPD resolved to its id, None when unknown)."""
    values = {f: getattr(entry, f) for f in entries.FIELDS} if entry else {}
    for field in ("year", "title", "kategori", "sektor", "prioritas", "frequency",
                  "package_id"):
        if field in data:
            values[field] = data[field]
    if "organization" in data:
        values["organization"] = data["organization"]
        values["organization_id"] = entries.organization_id(data["organization"])
    if data.get("package_id"):
        pkg = model.Package.get(data["package_id"])
        values["package_id"] = pkg.id if pkg else data["package_id"]
    # Pembina: BPS, or Dinas Cipta Karya dan Tata Ruang for geospatial data, unless given.
    values["pembina"] = data.get("pembina") or (entry.pembina if entry else (
        "DCKTR" if values.get("kategori") == "DATA_GEOSPASIAL" else "BPS"))
    return values


@tk.side_effect_free
def satudata_daftar_data_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Entries of the Daftar Data the caller may read, with their periods and statuses.

    Args:
        year: only this year. organization: only this OPD (id or name).
        prioritas: only priority (true) or other (false) entries.
        status: only entries with a period in this status (akan_datang, jatuh_tempo,
            terlambat, rilis_tepat_waktu, rilis_terlambat), or `belum_tersedia`
            (no dataset linked yet).
        limit (default 1000), offset.

    Returns:
        {"count": n, "results": [entry, ...]} ordered by year, OPD and title.
    """
    tk.check_access("satudata_daftar_data_list", context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), schema.listing(), context)
    if errors:
        raise tk.ValidationError(errors)
    who = access.caller(context.get("user"))
    stmt = sa.select(DaftarEntry)
    if not who.manager:
        stmt = stmt.where(DaftarEntry.organization_id.in_(list(who.opds)))
    if "year" in data:
        stmt = stmt.where(DaftarEntry.year == data["year"])
    if data.get("organization"):
        org_id = entries.organization_id(data["organization"])
        stmt = stmt.where(DaftarEntry.organization_id == (org_id or ""))
    if "prioritas" in data:
        stmt = stmt.where(DaftarEntry.prioritas.is_(bool(data["prioritas"])))
    stmt = stmt.order_by(DaftarEntry.year, DaftarEntry.organization_id, DaftarEntry.title)
    found = list(model.Session.execute(stmt).scalars())
    results = _dicts(found)
    status = data.get("status")
    if status == "belum_tersedia":
        results = [r for r in results if not r["available"]]
    elif status:
        results = [r for r in results if any(p["status"] == status for p in r["periods"])]
    offset, limit = data["offset"], data["limit"]
    return {"count": len(results), "results": results[offset:offset + limit]}


@tk.side_effect_free
def satudata_daftar_data_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One entry with its periods (planned, revised, released, status) and change log.

    Args:
        id: the entry.
    """
    tk.check_access("satudata_daftar_data_show", context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), schema.by_id(), context)
    if errors:
        raise tk.ValidationError(errors)
    entry = _entry_or_404(data["id"])
    result = _dicts([entry])[0]
    result["changes"] = entries.changes_of(entry.id)
    result["revisions"] = revisions.of_entry(entry, entries.periods_of([entry.id])[entry.id])
    result["agreed"] = entries.year_agreed(entry.year) is not None
    return result


@tk.validate(schema.create)
def satudata_daftar_data_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add an entry to a year's Daftar Data (walidata).

    Args:
        year, organization (OPD id, name or title), title, kategori (DATA_DASAR...),
        sektor (a sector of the dataset schema), prioritas (bool), frequency (tahunan,
        semesteran, triwulanan, bulanan, sekali), pembina (BPS or DCKTR; default DCKTR
        for geospatial data, else BPS), package_id (optional: the dataset serving it,
        of the same OPD, serving no other entry), periods: [{period, planned}] one per
        period of the frequency (Y; S1-S2; Q1-Q4; 01-12), each planned date in the
        year; reason: required once the year's list is agreed.
    """
    tk.check_access("satudata_daftar_data_create", context, data_dict)
    values = _values(data_dict)
    errors = entries.check(values, data_dict.get("periods") or [])
    for item in data_dict.get("periods") or []:
        if not item.get("planned"):
            errors.setdefault("periods", []).append(tk._(
                "Period {period}: the planned date is missing").format(period=item["period"]))
    errors.update(entries.reason_problem(values["year"], data_dict.get("reason")))
    if errors:
        raise tk.ValidationError(errors)
    entry = entries.create(values, data_dict.get("periods") or [], _user_id(context),
                           data_dict.get("reason"))
    model.Session.commit()
    return _dicts([entry])[0]


@tk.validate(schema.update)
def satudata_daftar_data_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change an entry (walidata): any field of create; periods given are changed
    ([{period, planned}] or a revision [{period, revised, revised_reason}]), the others
    kept; an empty package_id unlinks the dataset. Once the year is agreed, `reason` is
    required and the change is logged (who, when, why, what).
    """
    tk.check_access("satudata_daftar_data_update", context, data_dict)
    entry = _entry_or_404(data_dict["id"])
    existing = entries.periods_of([entry.id])[entry.id]
    values = _values(data_dict, entry)
    errors = entries.check(values, data_dict.get("periods"), entry, existing)
    years = {entry.year, values["year"]}
    for year in years:
        errors.update(entries.reason_problem(year, data_dict.get("reason")))
    if errors:
        raise tk.ValidationError(errors)
    entries.update(entry, values, data_dict.get("periods"), existing, _user_id(context),
                   data_dict.get("reason"))
    model.Session.commit()
    return _dicts([entry])[0]


@tk.validate(schema.by_id)
def satudata_daftar_data_delete(context: Context, data_dict: DataDict) -> None:
    """Remove an entry (walidata); `reason` required once its year is agreed (logged)."""
    tk.check_access("satudata_daftar_data_delete", context, data_dict)
    entry = _entry_or_404(data_dict["id"])
    errors = entries.reason_problem(entry.year, data_dict.get("reason"))
    if errors:
        raise tk.ValidationError(errors)
    entries.delete(entry, _user_id(context), data_dict.get("reason"))
    model.Session.commit()


@tk.validate(schema.agree)
def satudata_daftar_data_agree(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record that the Forum Satu Data agreed the year's Daftar Data (walidata): from now
    on every change of that year needs a reason and is logged."""
    tk.check_access("satudata_daftar_data_agree", context, data_dict)
    year = data_dict["year"]
    found = entries.year_agreed(year)
    if found is None:
        found = DaftarYear(year=year, agreed_by=_user_id(context), note=data_dict.get("note"))
        model.Session.add(found)
        model.Session.commit()
    return {"year": found.year, "agreed": found.agreed.isoformat(), "note": found.note}


@tk.validate(schema.import_)
def satudata_daftar_data_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Import a year's Daftar Data from the Forum's spreadsheet (walidata).

    Args:
        year: the year of the list; every row must be of that year.
        upload: the xlsx (or ods, xls, csv) file, one row per period of an entry (see
            `importer.COLUMNS`).
        mode: dry_run (default: check only, nothing written), all_or_nothing (write
            nothing unless every row is valid), valid_only (write the entries whose rows
            are all valid, list the others).
        sheet: the sheet to read (default the first).

    Returns:
        the summary: rows_read, rows_valid, rows_rejected, entries, entries_written,
        errors [{row, column, value, message}], file_errors, written (bool).
    """
    tk.check_access("satudata_daftar_data_import", context, data_dict)
    summary = importer.run(data_dict["upload"], data_dict["year"], data_dict["mode"],
                           data_dict.get("sheet"), _user_id(context), data_dict.get("reason"))
    if data_dict["mode"] == "all_or_nothing" and not summary["written"]:
        raise tk.ValidationError({"upload": [tk._(
            "Nothing was written: the file has {n} problem(s); see the summary").format(
            n=len(summary["errors"]) + len(summary["file_errors"]))], "summary": [summary]})
    return summary


@tk.validate(schema.revision_propose)
def satudata_daftar_revision_propose(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A revised release date of one period, with its reason.

    Walidata's (and a sysadmin's) revision applies at once; one by an operator or
    verifikator of the entry's OPD waits for walidata's decision (walidata are notified).
    Either way the applied revision is in the entry's change log (who, when, why).

    Args:
        period_id: the period (an id from `satudata_daftar_data_show`).
        revised: the new date (YYYY-MM-DD), in the entry's year or the year after.
        reason: why the date moves (required).

    Returns:
        the revision: {id, period, revised, reason, state (approved/pending), ...}.
    """
    tk.check_access("satudata_daftar_revision_propose", context, data_dict)
    period = model.Session.get(DaftarPeriod, data_dict["period_id"])
    if period is None:
        raise tk.ObjectNotFound(tk._("Period not found"))
    entry = _entry_or_404(period.entry_id)
    errors = revisions.check(entry, period, data_dict["revised"])
    if errors:
        raise tk.ValidationError(errors)
    manager = access.caller(context.get("user")).manager
    revision = revisions.propose(entry, period, data_dict["revised"], data_dict["reason"],
                                 _user_id(context), manager)
    model.Session.commit()
    if not manager:
        revisions.notify_proposed(entry, period, revision)
    return revisions.revision_dicts([revision], entry, {period.id: period})[0]


@tk.validate(schema.revision_decide)
def satudata_daftar_revision_decide(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Walidata approves (the date applies, logged) or rejects an OPD's proposal.

    Args:
        id: the revision. decision: approve or reject. note: walidata's note (required
        to reject: the OPD learns why).
    """
    tk.check_access("satudata_daftar_revision_decide", context, data_dict)
    revision = model.Session.get(DaftarRevision, data_dict["id"])
    if revision is None:
        raise tk.ObjectNotFound(tk._("Revision not found"))
    entry = _entry_or_404(revision.entry_id)
    period = model.Session.get(DaftarPeriod, revision.period_id)
    assert period is not None  # a period's revisions go with it (foreign key)
    if revision.state != "pending":
        raise tk.ValidationError({"id": [tk._("This revision was already decided")]})
    if data_dict["decision"] == "reject" and not data_dict.get("note"):
        raise tk.ValidationError({"note": [tk._("Give the reason for rejecting")]})
    if data_dict["decision"] == "approve":
        errors = revisions.check(entry, period, revision.revised, revision)
        if errors:
            raise tk.ValidationError(errors)
    revisions.decide(revision, entry, period, data_dict["decision"], data_dict.get("note"),
                     _user_id(context))
    model.Session.commit()
    revisions.notify_decided(entry, period, revision)
    return revisions.revision_dicts([revision], entry, {period.id: period})[0]
