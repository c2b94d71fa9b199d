"""Actions of data input: input packages, their rows, file imports and survey links.

Rows are validated by `tabular.validate` and written to the package's working
table (`inputdata.worktable`); `inputdata.publishing` decides when they reach
the DataStore resource.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata import config
from ckanext.satudata.inputdata import access, import_files, publishing, worktable
from ckanext.satudata.localtime import local_to_utc
from ckanext.satudata.model import InputImport, InputPackage, SurveyLink, SurveySubmission
from ckanext.satudata.ms_var import TIPE_DATA
from ckanext.satudata.tabular import guard, read, sheets, validate
from ckanext.satudata.tabular.structure import (
    COLUMN_ID,
    FREQUENCIES,
    RESERVED_IDS,
    Column,
    Period,
    Structure,
)
from ckanext.satudata.tabular.values import DECIMAL_SEPARATORS

IMPORT_MODES = ("all_or_nothing", "valid_only")

__all__ = [
    "satudata_input_import_apply",
    "satudata_input_import_check",
    "satudata_input_import_show",
    "satudata_input_package_create",
    "satudata_input_package_delete",
    "satudata_input_package_list",
    "satudata_input_package_show",
    "satudata_input_package_update",
    "satudata_input_rows_list",
    "satudata_input_rows_save",
    "satudata_survey_form_show",
    "satudata_survey_link_create",
    "satudata_survey_link_list",
    "satudata_survey_link_revoke",
    "satudata_survey_submission_list",
    "satudata_survey_submission_review",
    "satudata_survey_submit",
]


class _NothingWritten(Exception):
    pass


class RowsInvalid(tk.ValidationError):
    """Rows that failed validation; `cells` holds (row index, column id, message) for forms."""

    def __init__(self, messages: list[str], cells: list[tuple[int, str | None, str]]):
        super().__init__({"rows": messages})
        self.cells = cells


def _user(context: Context) -> model.User:
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("Log in first"))
    return user


def _input_of(data_dict: DataDict) -> InputPackage:
    """The input package `id`, once every other id of the request is found to belong to it.

    The auth functions check the same (`access.agreed`), but sysadmins skip them.
    """
    access.package_of(data_dict)
    return access.input_package(data_dict.get("id"))


# --- input packages -------------------------------------------------------------------

def _domain(value: Any, label: str) -> list[dict[str, str]]:
    if isinstance(value, list):
        items = value
    else:
        items = []
        for line in str(value or "").splitlines():
            if not line.strip():
                continue
            kode, sep, nilai = line.partition("=")
            items.append({"kode": kode.strip(), "nilai": (nilai if sep else kode).strip()})
    for item in items:
        if not isinstance(item, dict) or not str(item.get("kode", "")).strip():
            raise tk.ValidationError({"columns": [tk._(
                'Column "{label}": every allowed value needs a code').format(label=label)]})
    return [{"kode": str(i["kode"]).strip(), "nilai": str(i.get("nilai") or i["kode"]).strip()}
            for i in items]


def _structure(columns: Any) -> Structure:
    if not isinstance(columns, list) or not columns:
        raise tk.ValidationError({"columns": [tk._("Define at least one column")]})
    errors: list[str] = []
    parsed: list[Column] = []
    seen: set[str] = set()
    for number, raw in enumerate(columns, start=1):
        if not isinstance(raw, dict):
            errors.append(tk._("Column {n}: not a column definition").format(n=number))
            continue
        column_id = str(raw.get("id") or "").strip()
        label = str(raw.get("label") or "").strip() or column_id
        tipe = str(raw.get("tipe_data") or "CHARACTER").strip().upper()
        if not COLUMN_ID.match(column_id) or column_id in RESERVED_IDS:
            errors.append(tk._(
                'Column {n}: the name "{id}" must start with a letter and hold only lowercase '
                'letters, digits and _ (and cannot be "periode")').format(n=number, id=column_id))
        elif column_id in seen:
            errors.append(tk._('Column {n}: the name "{id}" is used twice').format(
                n=number, id=column_id))
        seen.add(column_id)
        if tipe not in TIPE_DATA:
            errors.append(tk._("Column {n}: the data type must be one of {choices}").format(
                n=number, choices=", ".join(TIPE_DATA)))
            continue
        try:
            domain = _domain(raw.get("value_domain"), label)
        except tk.ValidationError as err:
            errors += err.error_dict["columns"]
            continue
        parsed.append(Column.from_dict({
            "id": column_id, "label": label, "tipe_data": tipe,
            "satuan": str(raw.get("satuan") or "").strip(), "value_domain": domain,
            "required": tk.asbool(raw.get("required")) or tk.asbool(raw.get("key")),
            "key": tk.asbool(raw.get("key"))}))
    if errors:
        raise tk.ValidationError({"columns": errors})
    return Structure(columns=tuple(parsed))


def _period(input_pkg: InputPackage, code: Any) -> Period:
    try:
        period = Period.parse(str(code or ""))
    except ValueError:
        period = None
    if period is None or period.frequency != input_pkg.frequency:
        raise tk.ValidationError({"period": [tk._(
            'The period "{code}" does not fit this package\'s frequency ({frequency})').format(
            code=code or "", frequency=input_pkg.frequency)]})
    return period


def _package_dict(input_pkg: InputPackage, counts: dict[str, int] | None = None,
                  ) -> dict[str, Any]:
    structure = Structure.from_dict(input_pkg.structure)
    return {
        "id": input_pkg.id, "package_id": input_pkg.package_id,
        "resource_id": input_pkg.resource_id, "title": input_pkg.title,
        "frequency": input_pkg.frequency, "columns": structure.to_dict()["columns"],
        "stamp": structure.stamp(), "pending": input_pkg.pending,
        "created": input_pkg.created.isoformat(), "modified": input_pkg.modified.isoformat(),
        "periods": counts if counts is not None else {},
    }


def satudata_input_package_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create an input package for a dataset.

    Args:
        package_id: the dataset.
        title: what the rows are (e.g. "Jumlah penduduk per kecamatan").
        frequency: tahunan | semesteran | triwulanan | bulanan.
        columns: [{id, label, tipe_data, satuan, value_domain, required, key}].
    """
    tk.check_access("satudata_input_package_create", context, data_dict)
    user = _user(context)
    package_id = access.package_of(data_dict)
    publishing.writable_or_raise(package_id)
    title = str(data_dict.get("title") or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [tk._("Missing value")]
    frequency = data_dict.get("frequency") or "tahunan"
    if frequency not in FREQUENCIES:
        errors["frequency"] = [tk._("The frequency must be one of {choices}").format(
            choices=", ".join(FREQUENCIES))]
    try:
        structure = _structure(data_dict.get("columns"))
    except tk.ValidationError as err:
        errors.update(err.error_dict)
    if errors:
        raise tk.ValidationError(errors)
    input_pkg = InputPackage(package_id=package_id, title=title, frequency=frequency,
                             structure=structure.to_dict(), created_by=user.id)
    model.Session.add(input_pkg)
    model.Session.flush()
    with worktable.transaction() as conn:
        worktable.ensure(conn, input_pkg.id, structure)
    model.Session.commit()
    publishing.ensure_resource(input_pkg)
    return _package_dict(input_pkg)


def satudata_input_package_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Rename an input package or change its columns (entered rows are kept and converted).

    Args:
        id: the input package.
        title, columns: as in satudata_input_package_create (omit to keep).
    """
    tk.check_access("satudata_input_package_update", context, data_dict)
    input_pkg = _input_of(data_dict)
    publishing.writable_or_raise(input_pkg.package_id)
    if "title" in data_dict:
        title = str(data_dict.get("title") or "").strip()
        if not title:
            raise tk.ValidationError({"title": [tk._("Missing value")]})
        input_pkg.title = title
    if "columns" in data_dict:
        structure = _structure(data_dict["columns"])
        with worktable.transaction() as conn:
            worktable.ensure(conn, input_pkg.id, structure)
        input_pkg.structure = structure.to_dict()
        model.Session.commit()
        publishing.after_rows_changed(input_pkg)
    model.Session.commit()
    return _package_dict(input_pkg)


def satudata_input_package_delete(context: Context, data_dict: DataDict) -> None:
    """Delete an input package and its pending rows (the published resource stays)."""
    tk.check_access("satudata_input_package_delete", context, data_dict)
    input_pkg = _input_of(data_dict)
    publishing.writable_or_raise(input_pkg.package_id)
    input_pkg.state = "deleted"
    with worktable.transaction() as conn:
        worktable.drop(conn, input_pkg.id)
    model.Session.commit()


@tk.side_effect_free
def satudata_input_package_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An input package with its columns and the row count of each period."""
    tk.check_access("satudata_input_package_show", context, data_dict)
    input_pkg = _input_of(data_dict)
    with worktable.transaction() as conn:
        counts = worktable.period_counts(conn, input_pkg.id)
    return _package_dict(input_pkg, counts)


@tk.side_effect_free
def satudata_input_package_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The input packages of a dataset (package_id)."""
    tk.check_access("satudata_input_package_list", context, data_dict)
    package_id = access.package_of(data_dict)
    packages = model.Session.scalars(sa.select(InputPackage).where(
        InputPackage.package_id == package_id, InputPackage.state == "active")
        .order_by(InputPackage.created)).all()
    return [_package_dict(p) for p in packages]


# --- rows -----------------------------------------------------------------------------

def _whole_number(data_dict: DataDict, field: str, default: int, *, minimum: int,
                  maximum: int = 10**9) -> int:
    """A whole-number argument (`default` when absent or empty); anything else is a
    ValidationError naming the field."""
    value = data_dict.get(field)
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
        if minimum <= number <= maximum:
            return number
    except ValueError:
        pass
    raise tk.ValidationError({field: [tk._(
        "Must be a whole number from {minimum} to {maximum}").format(
        minimum=minimum, maximum=maximum)]})


@tk.side_effect_free
def satudata_input_rows_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Rows of one period, as text. Args: id, period, offset (0), limit (100, at most 1000)."""
    tk.check_access("satudata_input_rows_list", context, data_dict)
    input_pkg = _input_of(data_dict)
    period = _period(input_pkg, data_dict.get("period"))
    offset = _whole_number(data_dict, "offset", 0, minimum=0)
    limit = min(1000, _whole_number(data_dict, "limit", 100, minimum=1))
    structure = Structure.from_dict(input_pkg.structure)
    with worktable.transaction() as conn:
        rows = worktable.read_rows(conn, input_pkg.id, structure, period.code(),
                                   offset=offset, limit=limit)
        total = worktable.period_counts(conn, input_pkg.id).get(period.code(), 0)
    return {"period": period.code(), "total": total, "offset": offset, "rows": rows}


def _row_label(index: int, row: dict[str, Any]) -> str:
    if row.get("_row"):
        return tk._("Row {n} (no. {id})").format(n=index + 1, id=row["_row"])
    return tk._("Row {n}").format(n=index + 1)


def _check_rows(structure: Structure, period: Period, rows: list[dict[str, Any]],
                existing_keys: dict[tuple, int], removed: set[int]):
    """Validate rows given as {_row?, values}; every problem is collected."""
    messages: list[str] = []
    cells: list[tuple[int, str | None, str]] = []
    normalised: list[tuple[int | None, list[str | None]]] = []
    keys = {k: r for k, r in existing_keys.items() if r not in removed}
    key_index = [i + 1 for i, c in enumerate(structure.columns) if c.key]
    for index, row in enumerate(rows):
        values = row.get("values") if isinstance(row, dict) else None
        if not isinstance(values, dict):
            messages.append(_row_label(index, {}) + ": " + tk._("no values given"))
            cells.append((index, None, tk._("no values given")))
            continue
        row_id = tk.asint(row["_row"]) if row.get("_row") else None
        out, errors = validate.validate_row(structure, values, period=period)
        for error in errors:
            messages.append(f"{_row_label(index, row)}, {error.column}: {error.message}")
            cells.append((index, _column_id(structure, error.column), error.message))
        if errors:
            continue
        if key_index:
            key = tuple(out[i] for i in key_index)
            other = keys.get(key)
            if other is not None and other != row_id:
                message = tk._("the key {key} is already used in this period").format(
                    key=", ".join(str(k) for k in key))
                messages.append(f"{_row_label(index, row)}: {message}")
                cells.append((index, structure.key_ids[0], message))
                continue
            keys[key] = row_id if row_id is not None else -1 - index
        normalised.append((row_id, out))
    if messages:
        raise RowsInvalid(messages, cells)
    return normalised


def _column_id(structure: Structure, header: str | None) -> str | None:
    for column in structure.columns:
        if header in (column.id, column.label):
            return column.id
    return None


def satudata_input_rows_save(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add, change and delete rows of one period: all of it, or nothing when any row is wrong.

    Args:
        id: the input package. period: its code (2025, 2025-T1, 2025-07 …).
        rows: [{"_row": id of an existing row (omit for a new row), "values": {column: value}}].
        delete: ids of rows to delete.
    """
    tk.check_access("satudata_input_rows_save", context, data_dict)
    input_pkg = _input_of(data_dict)
    publishing.writable_or_raise(input_pkg.package_id)
    period = _period(input_pkg, data_dict.get("period"))
    structure = Structure.from_dict(input_pkg.structure)
    rows = data_dict.get("rows") or []
    removed = {tk.asint(r) for r in data_dict.get("delete") or []}
    if not isinstance(rows, list):
        raise tk.ValidationError({"rows": [tk._("rows must be a list")]})
    with worktable.transaction() as conn:
        existing = worktable.keys_of_period(conn, input_pkg.id, structure, period.code())
        checked = _check_rows(structure, period, rows, existing, removed)
        deleted = worktable.delete_rows(conn, input_pkg.id, period.code(), sorted(removed))
        new_rows = [out for row_id, out in checked if row_id is None]
        for row_id, out in checked:
            if row_id is not None and not worktable.update_row(
                    conn, input_pkg.id, structure, row_id, out):
                raise tk.ValidationError({"rows": [tk._(
                    "Row no. {id} no longer exists; reload the page").format(id=row_id)]})
        added = worktable.insert_rows(conn, input_pkg.id, structure, new_rows)
    published = publishing.after_rows_changed(input_pkg, [period.code()])
    return {"added": added, "updated": len(checked) - len(new_rows), "deleted": deleted,
            "published": published}


# --- file imports ---------------------------------------------------------------------

def _save_upload(upload: Any, target: Path) -> None:
    """Stream the upload to disk, refusing it past the size limit (nothing kept)."""
    limit = config.input_max_upload_bytes()
    stream = getattr(upload, "stream", None) or upload
    size = 0
    with open(target, "wb") as out:
        while chunk := stream.read(1 << 16):
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise tk.ValidationError({"upload": [tk._(
                    "The file is larger than {mb} MB").format(mb=limit // 2**20)]})
            out.write(chunk)


def _limits() -> guard.Limits:
    return guard.Limits(max_bytes=config.input_max_upload_bytes())


def _decimal_separator(data_dict: DataDict) -> str | None:
    """The decimal separator declared for the file ("," or "."), None to read it from the data."""
    value = data_dict.get("decimal_separator") or None
    if value not in (None, *DECIMAL_SEPARATORS):
        raise tk.ValidationError({"decimal_separator": [tk._(
            'The decimal separator must be "," or "."')]})
    return value


def _run_validation(input_pkg: InputPackage, found: InputImport, period: Period):
    """The file's validation, with the decimal separator it was checked with (in its summary).

    Without a chosen sheet, the first sheet that looks like data is read (tabular.sheets).
    """
    structure = Structure.from_dict(input_pkg.structure)
    table = read.open_table(str(import_files.import_path(found)), found.filename, _limits())
    if found.sheet is None:
        try:
            found.sheet = sheets.data_sheet(table)
        except BaseException:
            table.close()
            raise
    return table, validate.Validation(
        table, structure, sheet=found.sheet, period=period, package_id=input_pkg.id,
        decimal_separator=(found.summary or {}).get("decimal_separator"))


def _import_dict(found: InputImport) -> dict[str, Any]:
    return {"id": found.id, "input_id": found.input_id, "period": found.period,
            "filename": found.filename, "sheet": found.sheet,
            "sheet_names": found.sheet_names, "summary": found.summary, "state": found.state,
            "mode": found.mode, "rows_applied": found.rows_applied,
            "created": found.created.isoformat(),
            "applied": found.applied.isoformat() if found.applied else None}


def satudata_input_import_check(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Dry run of a file for one period: every problem found, nothing written to the rows.

    Args:
        id: the input package. period: period code. upload: the file (xlsx, xls, ods, csv).
        sheet: which sheet to read (default the first sheet that looks like data, see
            tabular.sheets.data_sheet; the answer lists all and `summary.sheet_auto`
            says whether the sheet was picked that way).
        import_id: check an already uploaded file again (e.g. with another sheet).
        decimal_separator: "," or "." when the file's numbers use that decimal separator;
            empty: read it from each column's numbers. A column whose numbers are all
            like 15.085 (15085 or 15.085?) is a problem of the summary until it is given.
            A check again keeps the separator given before unless this is passed.
    """
    tk.check_access("satudata_input_import_check", context, data_dict)
    user = _user(context)
    input_pkg = _input_of(data_dict)
    period = _period(input_pkg, data_dict.get("period"))
    separator = _decimal_separator(data_dict)
    if data_dict.get("import_id"):
        found = model.Session.get(InputImport, str(data_dict["import_id"]))
        if found is None or found.input_id != input_pkg.id or found.state != "checked":
            raise tk.ObjectNotFound(tk._("Import not found"))
        found.period = period.code()
    else:
        upload = data_dict.get("upload")
        filename = os.path.basename(getattr(upload, "filename", "") or "")
        if upload is None or not filename:
            raise tk.ValidationError({"upload": [tk._("Choose a file to upload")]})
        if "\x00" in filename:
            raise tk.ValidationError({"upload": [tk._(
                "The file name contains a NUL character (byte 0). Rename the file and "
                "upload it again.")]})
        found = InputImport(input_id=input_pkg.id, period=period.code(), filename=filename,
                            created_by=user.id, sheet_names=[], summary={})
        model.Session.add(found)
        model.Session.flush()
        _save_upload(upload, import_files.import_path(found))
    found.sheet = data_dict.get("sheet") or None
    chosen = found.sheet is not None
    if "decimal_separator" in data_dict or not found.summary:
        found.summary = {**(found.summary or {}), "decimal_separator": separator}
    try:
        table, validation = _run_validation(input_pkg, found, period)
    except guard.FileRejected as err:
        import_files.import_path(found).unlink(missing_ok=True)
        model.Session.rollback()
        raise tk.ValidationError({"upload": [err.message]}) from err
    with table:
        found.sheet_names = list(table.sheet_names)
        for _ in validation.rows():
            pass
        # sheet_auto: the sheet was picked as the first that looks like data (not chosen).
        found.summary = {**validation.summary.to_dict(),
                         "sheet_auto": not chosen and len(found.sheet_names) > 1}
        found.sheet = validation.summary.sheet
    model.Session.commit()
    return _import_dict(found)


@tk.side_effect_free
def satudata_input_import_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    tk.check_access("satudata_input_import_show", context, data_dict)
    access.package_of(data_dict)  # every id of the request belongs together
    found = model.Session.get(InputImport, str(data_dict.get("import_id") or ""))
    if found is None:
        raise tk.ObjectNotFound(tk._("Import not found"))
    return _import_dict(found)


def satudata_input_import_apply(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Apply a checked file: the period's rows are replaced in one transaction.

    Args:
        import_id: the checked import.
        mode: all_or_nothing (nothing is written when any row is wrong) or valid_only
            (the valid rows are written, the rejected ones listed in the summary are left out).
    """
    tk.check_access("satudata_input_import_apply", context, data_dict)
    access.package_of(data_dict)  # every id of the request belongs together
    found = model.Session.get(InputImport, str(data_dict.get("import_id") or ""))
    if found is None:
        raise tk.ObjectNotFound(tk._("Import not found"))
    if found.state != "checked":
        raise tk.ValidationError({"import_id": [tk._("This file was already applied or "
                                                     "discarded; upload it again")]})
    mode = data_dict.get("mode") or "all_or_nothing"
    if mode not in IMPORT_MODES:
        raise tk.ValidationError({"mode": [tk._("The mode must be all_or_nothing or "
                                                "valid_only")]})
    input_pkg = access.input_package(found.input_id)
    publishing.writable_or_raise(input_pkg.package_id)
    period = _period(input_pkg, found.period)
    structure = Structure.from_dict(input_pkg.structure)
    try:
        table, validation = _run_validation(input_pkg, found, period)
    except guard.FileRejected as err:
        raise tk.ValidationError({"upload": [err.message]}) from err
    try:
        with table, worktable.transaction() as conn:
            count = worktable.replace_period(conn, input_pkg.id, structure, period.code(),
                                             (row for _, row in validation.rows()))
            summary = validation.summary
            if summary.file_errors or not summary.rows_valid or \
                    (mode == "all_or_nothing" and not summary.ok):
                raise _NothingWritten()  # rolls the period's replacement back
    except _NothingWritten as abort:
        found.summary = {**summary.to_dict(),
                         "sheet_auto": (found.summary or {}).get("sheet_auto", False)}
        model.Session.commit()
        problems = summary.errors_total + len(summary.file_errors)
        message = tk._("Nothing was written: the file has {n} problem(s); see the summary"
                       ).format(n=problems) if problems else \
            tk._("Nothing was written: the file has no rows")
        raise tk.ValidationError({"upload": [message]}) from abort
    found.state, found.mode, found.rows_applied = "applied", mode, count
    found.applied = dt.datetime.utcnow()
    found.summary = validation.summary.to_dict()
    model.Session.commit()
    import_files.import_path(found).unlink(missing_ok=True)
    published = publishing.after_rows_changed(input_pkg, [period.code()])
    return {**_import_dict(found), "published": published}


# --- survey links ---------------------------------------------------------------------

def _link_dict(link: SurveyLink) -> dict[str, Any]:
    return {"id": link.id, "input_id": link.input_id, "token": link.token,
            "url": tk.url_for("satudata_input.survey", token=link.token, _external=True),
            "title": link.title, "period": link.period, "columns": link.columns,
            "expires": link.expires.isoformat() if link.expires else None,
            "max_submissions": link.max_submissions, "login_required": link.login_required,
            "submissions": link.submissions,
            "revoked": link.revoked.isoformat() if link.revoked else None,
            "created": link.created.isoformat()}


def _datetime(value: Any, field: str) -> dt.datetime | None:
    """A date-time given to an action as the naive UTC time stored.

    A naive value (the web form's `datetime-local`, "2026-12-20T23:59", or a date, which
    means 23:59 of that day) is local time (WIB); an ISO string or datetime with an offset
    ("2026-12-20T23:59:00+07:00", "...Z") keeps its offset. Both are converted to UTC.
    """
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return local_to_utc(value)
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
        return local_to_utc(day.replace(hour=23, minute=59))
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise tk.ValidationError({field: [tk._("Not a date; use DD/MM/YYYY")]}) from None
    return local_to_utc(parsed)


def satudata_survey_link_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A share link for respondents to submit rows of one period into staging.

    Args:
        id: the input package. period: period code. title: shown on the form.
        columns: column ids asked (default all); every required column must be asked.
        expires: date/time (optional): ISO 8601 with an offset, or naive local time (WIB)
            as the web form sends it; stored in UTC. max_submissions: int (optional).
        login_required: bool (default false).
    """
    tk.check_access("satudata_survey_link_create", context, data_dict)
    user = _user(context)
    input_pkg = _input_of(data_dict)
    period = _period(input_pkg, data_dict.get("period"))
    structure = Structure.from_dict(input_pkg.structure)
    columns = data_dict.get("columns") or [c.id for c in structure.columns]
    if isinstance(columns, str):
        columns = [c.strip() for c in columns.split(",") if c.strip()]
    errors: dict[str, list[str]] = {}
    unknown = [c for c in columns if structure.column(c) is None]
    missing = [c.label for c in structure.columns if c.required and c.id not in columns]
    if unknown:
        errors["columns"] = [tk._("Unknown columns: {names}").format(names=", ".join(unknown))]
    elif missing:
        errors["columns"] = [tk._("Required columns must be asked: {names}").format(
            names=", ".join(missing))]
    expires = _datetime(data_dict.get("expires"), "expires")
    if expires and expires < dt.datetime.utcnow():
        errors["expires"] = [tk._("The expiry lies in the past")]
    max_submissions = data_dict.get("max_submissions")
    if max_submissions not in (None, ""):
        try:
            max_submissions = int(max_submissions)
            if max_submissions < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors["max_submissions"] = [tk._("Must be a whole number of at least 1")]
    else:
        max_submissions = None
    title = str(data_dict.get("title") or "").strip() or input_pkg.title
    if errors:
        raise tk.ValidationError(errors)
    link = SurveyLink(input_id=input_pkg.id, token=secrets.token_urlsafe(18), title=title,
                      period=period.code(), columns=list(columns), expires=expires,
                      max_submissions=max_submissions,
                      login_required=tk.asbool(data_dict.get("login_required")),
                      created_by=user.id)
    model.Session.add(link)
    model.Session.commit()
    return _link_dict(link)


def satudata_survey_link_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Revoke a link (link_id): it stops accepting submissions at once."""
    tk.check_access("satudata_survey_link_revoke", context, data_dict)
    access.package_of(data_dict)  # every id of the request belongs together
    link = model.Session.get(SurveyLink, str(data_dict.get("link_id") or ""))
    if link is None:
        raise tk.ObjectNotFound(tk._("Survey link not found"))
    link.revoked = link.revoked or dt.datetime.utcnow()
    model.Session.commit()
    return _link_dict(link)


@tk.side_effect_free
def satudata_survey_link_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The links of an input package (id)."""
    tk.check_access("satudata_survey_link_list", context, data_dict)
    input_pkg = _input_of(data_dict)
    links = model.Session.scalars(sa.select(SurveyLink).where(
        SurveyLink.input_id == input_pkg.id).order_by(SurveyLink.created.desc())).all()
    return [_link_dict(link) for link in links]


def _asked(link: SurveyLink, structure: Structure) -> Structure:
    return Structure(columns=tuple(c for c in structure.columns if c.id in link.columns))


@tk.side_effect_free
def satudata_survey_form_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the form of a link (token) asks; errors say when the link cannot be used."""
    tk.check_access("satudata_survey_form_show", context, data_dict)
    link = access.usable_link(data_dict.get("token"))
    input_pkg = access.input_package(link.input_id)
    asked = _asked(link, Structure.from_dict(input_pkg.structure))
    return {"title": link.title, "period": link.period,
            "period_label": Period.parse(link.period).label(),
            "columns": asked.to_dict()["columns"], "login_required": link.login_required}


def _rate_limited(link: SurveyLink) -> bool:
    from ckan.lib.redis import connect_to_redis
    from flask import has_request_context, request

    address = request.remote_addr if has_request_context() else "local"
    minute = dt.datetime.utcnow().strftime("%Y%m%d%H%M")
    key = f"satudata:survey:{link.id}:{address}:{minute}"
    redis = connect_to_redis()
    count = redis.incr(key)
    if count == 1:
        redis.expire(key, 120)
    return count > config.survey_submissions_per_minute()


def satudata_survey_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit one row through a link (token, values {column: value}) into staging."""
    tk.check_access("satudata_survey_submit", context, data_dict)
    link = access.usable_link(data_dict.get("token"))
    input_pkg = access.input_package(link.input_id)
    if _rate_limited(link):
        raise tk.ValidationError({"link": [tk._(
            "Too many submissions from your address; wait a minute and try again")]})
    values = data_dict.get("values")
    if not isinstance(values, dict):
        raise tk.ValidationError({"values": [tk._("No values given")]})
    asked = _asked(link, Structure.from_dict(input_pkg.structure))
    limit = config.survey_max_value_chars()
    errors: dict[str, list[str]] = {}
    for column in asked.columns:
        value = values.get(column.id)
        if value is not None and len(str(value)) > limit:
            errors[column.id] = [tk._("At most {n} characters").format(n=limit)]
    extra = sorted(set(values) - {c.id for c in asked.columns})
    if extra:
        errors["values"] = [tk._("Not asked by this form: {names}").format(
            names=", ".join(extra))]
    if errors:
        raise tk.ValidationError(errors)
    clean = {c.id: values.get(c.id) for c in asked.columns}
    _, row_errors = validate.validate_row(asked, clean, period=Period.parse(link.period))
    if row_errors:
        raise tk.ValidationError({_column_id(asked, e.column) or "values": [e.message]
                                  for e in row_errors})
    # Count and store in one statement each, so concurrent submissions cannot pass the limit.
    claimed = model.Session.execute(
        sa.update(SurveyLink).where(
            SurveyLink.id == link.id,
            sa.or_(SurveyLink.max_submissions.is_(None),
                   SurveyLink.submissions < SurveyLink.max_submissions))
        .values(submissions=SurveyLink.submissions + 1)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        model.Session.rollback()
        raise tk.ValidationError({"link": [tk._(
            "This form has received its maximum number of submissions")]})
    user = model.User.get(context.get("user") or "")
    submission = SurveySubmission(link_id=link.id, input_id=input_pkg.id, period=link.period,
                                  values={k: None if v is None else str(v)
                                          for k, v in clean.items()},
                                  submitted_by=user.id if user else None)
    model.Session.add(submission)
    model.Session.commit()
    return {"id": submission.id, "state": submission.state}


@tk.side_effect_free
def satudata_survey_submission_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Staging of an input package (id), optionally one state (pending/accepted/rejected)."""
    tk.check_access("satudata_survey_submission_list", context, data_dict)
    input_pkg = _input_of(data_dict)
    query = sa.select(SurveySubmission).where(SurveySubmission.input_id == input_pkg.id)
    if data_dict.get("state"):
        query = query.where(SurveySubmission.state == data_dict["state"])
    found = model.Session.scalars(query.order_by(SurveySubmission.created)).all()
    return [{"id": s.id, "link_id": s.link_id, "period": s.period, "values": s.values,
             "state": s.state, "created": s.created.isoformat(),
             "reviewed": s.reviewed.isoformat() if s.reviewed else None,
             "review_note": s.review_note} for s in found]


def satudata_survey_submission_review(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Accept or reject submissions waiting in staging.

    Args:
        submission_ids: list of ids (of one input package). decision: accept | reject.
        note: optional reason.
    Accepted rows are validated again and added to their period in one transaction:
    all of them, or none when any fails (e.g. a key already used).
    """
    tk.check_access("satudata_survey_submission_review", context, data_dict)
    access.package_of(data_dict)  # every id of the request belongs together
    user = _user(context)
    ids = data_dict.get("submission_ids") or []
    ids = [ids] if isinstance(ids, str) else list(ids)
    decision = data_dict.get("decision")
    if decision not in ("accept", "reject"):
        raise tk.ValidationError({"decision": [tk._("The decision must be accept or reject")]})
    found = model.Session.scalars(sa.select(SurveySubmission).where(
        SurveySubmission.id.in_(ids)).with_for_update()).all()
    if len(found) != len(set(ids)) or len({s.input_id for s in found}) != 1:
        raise tk.ValidationError({"submission_ids": [tk._(
            "Choose submissions of one input package")]})
    if any(s.state != "pending" for s in found):
        raise tk.ValidationError({"submission_ids": [tk._(
            "Some submissions were already reviewed; reload the page")]})
    input_pkg = access.input_package(found[0].input_id)
    if decision == "accept":
        publishing.writable_or_raise(input_pkg.package_id)
        structure = Structure.from_dict(input_pkg.structure)
        with worktable.transaction() as conn:
            for period_code in sorted({s.period for s in found}):
                group = [s for s in found if s.period == period_code]
                period = Period.parse(period_code)
                existing = worktable.keys_of_period(conn, input_pkg.id, structure, period_code)
                checked = _check_rows(structure, period, [{"values": s.values} for s in group],
                                      existing, set())
                worktable.insert_rows(conn, input_pkg.id, structure, [r for _, r in checked])
    now = dt.datetime.utcnow()
    for submission in found:
        submission.state = "accepted" if decision == "accept" else "rejected"
        submission.reviewed, submission.reviewed_by = now, user.id
        submission.review_note = (data_dict.get("note") or "").strip() or None
    model.Session.commit()
    published = publishing.after_rows_changed(input_pkg, sorted({s.period for s in found})) \
        if decision == "accept" else False
    return {"reviewed": len(found), "decision": decision, "published": published}
