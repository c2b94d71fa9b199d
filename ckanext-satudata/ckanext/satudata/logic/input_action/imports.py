"""File imports: a dry run of a file for one period, then applying it (the period's rows
are replaced in one transaction)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata import config
from ckanext.satudata.inputdata import access, import_files, publishing, worktable
from ckanext.satudata.logic.input_action import schema
from ckanext.satudata.logic.input_action.common import input_of, period_of, raise_if, user_of
from ckanext.satudata.model import InputImport, InputPackage
from ckanext.satudata.tabular import guard, read, sheets, validate
from ckanext.satudata.tabular.structure import Period, Structure


class _NothingWritten(Exception):
    pass


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


def _checked_import(input_pkg: InputPackage, import_id: Any, period: Period) -> InputImport:
    """An uploaded file not applied yet, to be checked again (for `period`)."""
    found = model.Session.get(InputImport, str(import_id))
    if found is None or found.input_id != input_pkg.id or found.state != "checked":
        raise tk.ObjectNotFound(tk._("Import not found"))
    found.period = period.code()
    return found


def _new_import(input_pkg: InputPackage, upload: Any, period: Period,
                user: model.User) -> InputImport:
    """A new import of the uploaded file, saved to disk."""
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
    return found


def _check_file(input_pkg: InputPackage, found: InputImport, period: Period,
                chosen: bool) -> None:
    """Read the whole file and keep its summary (a rejected file is removed)."""
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
    user = user_of(context)
    input_pkg = input_of(data_dict)
    period = period_of(input_pkg, data_dict.get("period"))
    data, errors = schema.validate(data_dict, schema.import_check(), context)
    raise_if(errors)
    if data_dict.get("import_id"):
        found = _checked_import(input_pkg, data_dict["import_id"], period)
    else:
        found = _new_import(input_pkg, data_dict.get("upload"), period, user)
    found.sheet = data_dict.get("sheet") or None
    if "decimal_separator" in data_dict or not found.summary:
        found.summary = {**(found.summary or {}),
                         "decimal_separator": data["decimal_separator"]}
    _check_file(input_pkg, found, period, chosen=found.sheet is not None)
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


def _replace_period(input_pkg: InputPackage, found: InputImport, period: Period,
                    mode: str) -> tuple[int, validate.Validation]:
    """Replace the period's rows by the file's; nothing is written (ValidationError) when
    the file has no valid rows, or any problem in all_or_nothing mode."""
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
    return count, validation


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
    data, errors = schema.validate(data_dict, schema.import_apply(), context)
    raise_if(errors)
    mode = data["mode"]
    input_pkg = access.input_package(found.input_id)
    publishing.writable_or_raise(input_pkg.package_id)
    period = period_of(input_pkg, found.period)
    count, validation = _replace_period(input_pkg, found, period, mode)
    found.state, found.mode, found.rows_applied = "applied", mode, count
    found.applied = dt.datetime.utcnow()
    found.summary = validation.summary.to_dict()
    model.Session.commit()
    import_files.import_path(found).unlink(missing_ok=True)
    published = publishing.after_rows_changed(input_pkg, [period.code()])
    return {**_import_dict(found), "published": published}
