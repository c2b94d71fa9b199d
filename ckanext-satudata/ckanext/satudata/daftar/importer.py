"""Import of a year's Daftar Data from the Forum's spreadsheet.

One row per period of an entry; the rows of one entry (same OPD and title) repeat
its fields, which must agree. The file is read with the project's tabular reader
(guarded against zip and XML bombs, cells as the user sees them) and every problem is
listed with its row and column, in the summary shape of data imports
(rows_read/rows_valid/rows_rejected, errors [{sheet,row,column,value,code,message}],
file_errors). Modes: dry_run writes nothing; all_or_nothing writes every entry or,
when any row is wrong, none; valid_only writes the entries whose rows are all valid.
An entry is written whole or not at all (never some of its periods).
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata import config, metadata
from ckanext.satudata.daftar import entries
from ckanext.satudata.daftar import periods as P
from ckanext.satudata.tabular import guard, read, values
from ckanext.satudata.tabular.validate import column_letter

#: (key, header as in the template, required)
COLUMNS = (
    ("year", "Tahun", True), ("organization", "OPD", True), ("title", "Judul Data", True),
    ("kategori", "Kategori", True), ("sektor", "Sektor", True),
    ("prioritas", "Prioritas", True), ("frequency", "Frekuensi", True),
    ("period", "Periode", False), ("planned", "Rencana Rilis", True),
    ("pembina", "Pembina", False), ("package_id", "Dataset", False),
)
_HEADERS = {h.casefold(): key for key, h, _ in COLUMNS} | {
    key: key for key, _, _ in COLUMNS}
#: Entry fields that must agree between the rows of one entry.
_ENTRY_FIELDS = ("kategori", "sektor", "prioritas", "frequency", "pembina", "package_id")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_FREQUENCY_WORDS = {"tahunan": "tahunan", "semesteran": "semesteran",
                    "triwulanan": "triwulanan", "bulanan": "bulanan", "sekali": "sekali",
                    "satu kali": "sekali", "yearly": "tahunan", "annual": "tahunan",
                    "half-yearly": "semesteran", "quarterly": "triwulanan",
                    "monthly": "bulanan", "one-off": "sekali"}


@dataclass
class _Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    ok: bool = True


@dataclass
class _Summary:
    sheet: str = ""
    rows_read: int = 0
    rows_valid: int = 0
    rows_rejected: int = 0
    entries: int = 0
    entries_valid: int = 0
    entries_written: int = 0
    written: bool = False
    mode: str = "dry_run"
    errors: list[dict[str, Any]] = field(default_factory=list)
    file_errors: list[dict[str, Any]] = field(default_factory=list)

    def row_error(self, row: int, key: str | None, positions: dict[str, int], value: Any,
                  code: str, message: str) -> None:
        column = None
        if key is not None:
            header = next(h for k, h, _ in COLUMNS if k == key)
            column = (f"{column_letter(positions[key])} ({header})" if key in positions
                      else header)
        self.errors.append({"sheet": self.sheet, "row": row, "column": column,
                            "value": None if value is None else values.display(value)[:100],
                            "code": code, "message": message})

    def file_error(self, code: str, message: str) -> None:
        self.file_errors.append({"sheet": self.sheet, "row": None, "column": None,
                                 "value": None, "code": code, "message": message})


def _choice_lookup(field_name: str) -> dict[str, str]:
    """Normalised value or label (any language) -> stored value."""
    found: dict[str, str] = {}
    for f in metadata.dataset_fields():
        if f["field_name"] == field_name:
            for c in f.get("choices", []):
                found[str(c["value"]).casefold()] = c["value"]
                labels = c["label"].values() if isinstance(c["label"], dict) else [c["label"]]
                for label in labels:
                    found[" ".join(str(label).split()).casefold()] = c["value"]
    return found


def parse_period(text: str, frequency: str) -> str | None:
    """The period code a cell names for this frequency ("Triwulan III" -> Q3), else None."""
    words = " ".join(text.replace("-", " ").split()).casefold()
    if frequency in ("tahunan", "sekali"):
        return "Y" if words in ("", "y", "tahunan", "sekali", "tahun", "-") or \
            words.isdigit() and len(words) == 4 else None
    for prefix in ("semester", "triwulan", "tw", "kuartal", "quarter", "q", "s", "bulan"):
        if words.startswith(prefix + " ") or (len(prefix) == 1 and words.startswith(prefix)):
            words = words[len(prefix):].strip()
            break
    number = _ROMAN.get(words) or (int(words) if words.isdigit() else None)
    if number is None and frequency == "bulanan":
        number = values._MONTHS.get(words)
    if number is None:
        return None
    code = {"semesteran": f"S{number}", "triwulanan": f"Q{number}",
            "bulanan": f"{number:02d}"}.get(frequency)
    return code if code in P.PERIODS[frequency] else None


def _save(upload: Any, target: str) -> None:
    limit = config.input_max_upload_bytes()
    stream = getattr(upload, "stream", None) or upload
    size = 0
    with open(target, "wb") as out:
        while chunk := stream.read(1 << 16):
            size += len(chunk)
            if size > limit:
                raise tk.ValidationError({"upload": [tk._(
                    "The file is larger than {mb} MB").format(mb=limit // 2**20)]})
            out.write(chunk)


def run(upload: Any, year: int, mode: str, sheet: str | None, user_id: str,
        reason: str | None = None) -> dict[str, Any]:
    """Check (and in a writing mode write) the file; the summary."""
    summary = _Summary(mode=mode)
    filename = os.path.basename(getattr(upload, "filename", "") or "") or "daftar.xlsx"
    with tempfile.TemporaryDirectory(prefix="satudata-daftar-") as tmp:
        path = os.path.join(tmp, "upload")
        _save(upload, path)
        try:
            with read.open_table(path, filename, guard.Limits(
                    max_bytes=config.input_max_upload_bytes(), max_rows=100_000)) as table:
                summary.sheet = sheet or (table.sheet_names[0] if table.sheet_names else "")
                rows, positions = _read(table, sheet, year, summary)
        except guard.FileRejected as err:
            summary.file_error(err.code, err.message)
            return _result(summary)
    groups = _group(rows, positions, summary)
    valid = _check_groups(groups, year, positions, summary, reason)
    summary.rows_rejected = sum(1 for r in rows if not r.ok)
    summary.rows_valid = len(rows) - summary.rows_rejected
    summary.entries, summary.entries_valid = len(groups), len(valid)
    writing = mode == "valid_only" or (mode == "all_or_nothing" and not summary.errors
                                       and not summary.file_errors)
    if writing and valid:
        try:
            for values_, periods in valid:
                entries.create(values_, periods, user_id, reason)
            model.Session.commit()
        except Exception:
            model.Session.rollback()
            raise
        summary.entries_written, summary.written = len(valid), True
    return _result(summary)


def _result(summary: _Summary) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(summary)


@dataclass
class _Line:
    """The cells of one row, read by column key; problems recorded against the row."""

    cells: list[Any]
    positions: dict[str, int]
    row: _Row
    summary: _Summary

    def cell(self, key: str) -> Any:
        i = self.positions.get(key)
        return self.cells[i] if i is not None and i < len(self.cells) else None

    def text(self, key: str) -> str:
        value = self.cell(key)
        return "" if value is None else " ".join(values.display(value).split())

    def bad(self, key: str, code: str, message: str) -> None:
        self.row.ok = False
        self.summary.row_error(self.row.number, key, self.positions, self.cell(key), code,
                               message)


def _read(table: Any, sheet: str | None, year: int, summary: _Summary
          ) -> tuple[list[_Row], dict[str, int]]:
    positions: dict[str, int] = {}
    rows: list[_Row] = []
    header_seen = False
    kategori, sektor = _choice_lookup("kategori"), _choice_lookup("sektor_kegiatan")
    to_date, to_bool = values.converter("DATE"), values.converter("BOOLEAN")
    for number, cells in table.rows(sheet):
        if not header_seen:
            for index, cell in enumerate(cells):
                key = _HEADERS.get(" ".join(values.display(cell).split()).rstrip("*")
                                   .strip().casefold())
                if key and key not in positions:
                    positions[key] = index
            header_seen = True
            for key, header, required in COLUMNS:
                if required and key not in positions:
                    summary.file_error("missing_column", tk._(
                        'The column "{column}" is missing from the header row').format(
                        column=header))
            if summary.file_errors:
                return [], positions
            continue
        summary.rows_read += 1
        row = _Row(number)
        rows.append(row)
        line = _Line(cells, positions, row, summary)
        cell, text, bad = line.cell, line.text, line.bad
        for key, header, required in COLUMNS:
            if required and not text(key):
                bad(key, "missing", tk._("The {column} cell is empty").format(column=header))
        raw_year = text("year")
        if raw_year and (not raw_year.isdigit() or int(raw_year) != year):
            bad("year", "wrong_year", tk._(
                "The row is for year {value}, not {year}").format(value=raw_year, year=year))
        row.values["organization"] = text("organization")
        org_id = entries.organization_id(text("organization"))
        if text("organization") and not org_id:
            bad("organization", "unknown_opd", tk._("Unknown OPD: {value}").format(
                value=text("organization")))
        row.values["organization_id"] = org_id
        row.values["title"] = text("title")
        for key, lookup in (("kategori", kategori), ("sektor", sektor)):
            found = lookup.get(text(key).casefold())
            if text(key) and found is None:
                bad(key, f"unknown_{key}", (tk._("Unknown category: {value}") if key ==
                    "kategori" else tk._("Unknown sector: {value}")).format(value=text(key)))
            row.values[key] = found
        try:
            flag = to_bool(cell("prioritas"))
            row.values["prioritas"] = flag == "t"
        except values.CellError as err:
            bad("prioritas", err.code, err.message)
        frequency = _FREQUENCY_WORDS.get(text("frequency").casefold())
        if text("frequency") and frequency is None:
            bad("frequency", "unknown_frequency", tk._(
                "Unknown frequency: {value} (use tahunan, semesteran, triwulanan, bulanan or "
                "sekali)").format(value=text("frequency")))
        row.values["frequency"] = frequency
        if frequency:
            code = parse_period(text("period"), frequency)
            if code is None:
                bad("period", "unknown_period", tk._(
                    "{value} is not a period of a {frequency} entry").format(
                    value=text("period") or "-", frequency=frequency))
            row.values["period"] = code
        try:
            planned = to_date(cell("planned"))
            row.values["planned"] = None
            if planned:
                row.values["planned"] = dt.date.fromisoformat(planned)
                if row.values["planned"].year != year:
                    bad("planned", "planned_year", tk._(
                        "The planned date {date} is not in {year}").format(date=planned,
                                                                          year=year))
        except values.CellError as err:
            bad("planned", err.code, err.message)
        pembina = text("pembina").upper()
        if pembina in ("DINAS CIPTA KARYA DAN TATA RUANG", "DCKTR"):
            pembina = "DCKTR"
        elif pembina.startswith("BPS"):
            pembina = "BPS"
        elif pembina:
            bad("pembina", "unknown_pembina", tk._(
                "Unknown Pembina: {value} (use BPS or DCKTR)").format(value=text("pembina")))
        row.values["pembina"] = pembina or None
        dataset = text("package_id")
        if dataset:
            pkg = model.Package.get(dataset.rstrip("/").rsplit("/", 1)[-1])
            if pkg is None or pkg.state == "deleted":
                bad("package_id", "unknown_dataset", tk._(
                    "No dataset with this name or id: {value}").format(value=dataset))
            row.values["package_id"] = pkg.id if pkg else None
        else:
            row.values["package_id"] = None
    if not header_seen:
        summary.file_error("empty", tk._("The file has no rows"))
    return rows, positions


def _group(rows: list[_Row], positions: dict[str, int], summary: _Summary
           ) -> dict[tuple[str, str], list[_Row]]:
    groups: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        org, title = row.values.get("organization_id"), row.values.get("title")
        if not org or not title:
            continue
        groups.setdefault((org, title.casefold()), []).append(row)
    for group in groups.values():
        first = group[0]
        seen: set[str] = set()
        for row in group:
            for key in _ENTRY_FIELDS:
                if row is not first and row.values.get(key) != first.values.get(key):
                    row.ok = False
                    summary.row_error(row.number, key, positions, row.values.get(key),
                                      "differs", tk._(
                                          "Differs from row {row} of the same entry").format(
                                          row=first.number))
            code = row.values.get("period")
            if code and code in seen:
                row.ok = False
                summary.row_error(row.number, "period", positions, code, "period_twice",
                                  tk._("Period {period} is given twice").format(period=code))
            seen.add(code or "")
    return groups


_FIELD_COLUMN = {"organization": "organization", "title": "title", "kategori": "kategori",
                 "sektor": "sektor", "frequency": "frequency", "pembina": "pembina",
                 "package_id": "package_id", "periods": "period", "reason": None}


def _check_groups(groups: dict[tuple[str, str], list[_Row]], year: int,
                  positions: dict[str, int], summary: _Summary, reason: str | None
                  ) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    valid = []
    in_file: dict[str, int] = {}
    reason_errors = entries.reason_problem(year, reason)
    if reason_errors:
        summary.file_error("reason", reason_errors["reason"][0])
    for group in groups.values():
        first = group[0]
        if not all(r.ok for r in group):
            for row in group:
                if row.ok:
                    row.ok = False
                    summary.row_error(row.number, None, positions, None, "entry_rejected",
                                      tk._("Another row of the same entry is wrong"))
            continue
        values_ = {k: first.values.get(k) for k in (
            "organization", "organization_id", "title", "kategori", "sektor", "prioritas",
            "frequency", "package_id")}
        values_["year"] = year
        values_["pembina"] = first.values.get("pembina") or (
            "DCKTR" if values_["kategori"] == "DATA_GEOSPASIAL" else "BPS")
        periods = [{"period": r.values["period"], "planned": r.values["planned"]}
                   for r in group]
        errors = entries.check(values_, periods)
        package_id = values_.get("package_id")
        if package_id and package_id in in_file:
            errors.setdefault("package_id", []).append(tk._(
                "The dataset already serves the entry of row {row}").format(
                row=in_file[package_id]))
        if errors:
            for field_name, messages in errors.items():
                for message in messages:
                    summary.row_error(first.number, _FIELD_COLUMN.get(field_name), positions,
                                      first.values.get(_FIELD_COLUMN.get(field_name) or ""),
                                      "entry", message)
            for row in group:
                row.ok = False
            continue
        if package_id:
            in_file[package_id] = first.number
        if not reason_errors:
            valid.append((values_, periods))
    return valid
