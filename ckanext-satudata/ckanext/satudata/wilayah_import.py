"""Import the official desa/kelurahan list of Kabupaten Pasuruan into `satudata_wilayah`.

The file is a CSV (UTF-8 with or without BOM, `,` or `;` between fields) with
the header ``kode_kemendagri,kode_bps,nama,jenis`` (``kode_bps`` may be left
out or empty; other columns are ignored). Every row is checked first and every
problem is reported with its line number (the header is line 1); only a file
without problems is written, in one transaction, as an upsert: importing the
same file again changes nothing, a changed name is updated, and regions that
are not in the file are kept.

Rows for the regency and its kecamatan are accepted too, as long as their
codes are the built-in ones (`wilayah.builtin()`); the built-in BPS code is
stored for them when the file has none.

Messages are English msgids wrapped in `tk._`; until the .po catalogue has
them, `localize` takes their Indonesian text from
``i18n/wilayah_import_id.json`` when the portal's default language is id.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import fileproblems, wilayah
from ckanext.satudata.model import JENIS, KodeWilayah

__all__ = ["InvalidFile", "Problem", "Row", "Summary", "import_file", "localize", "read"]

KABUPATEN = "35.14"
REQUIRED_COLUMNS = ("kode_kemendagri", "nama", "jenis")
OPTIONAL_COLUMNS = ("kode_bps",)
_COLUMN_ORDER = {"kode_kemendagri": 0, "kode_bps": 1, "nama": 2, "jenis": 3}

_CATALOGUE = Path(__file__).resolve().parent / "i18n" / "wilayah_import_id.json"
_KODE_DESA = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")
_KODE_BPS_DESA = re.compile(r"[0-9]{10}")
# First digit of the last part of a Kemendagri code: 35.14.xx.1yyy kelurahan, 35.14.xx.2yyy desa.
_FIRST_DIGIT = {"kelurahan": "1", "desa": "2"}


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict[str, str]:
    with _CATALOGUE.open(encoding="utf-8") as f:
        return json.load(f)


def localize(text: str) -> str:
    """Indonesian for a msgid the .po catalogue does not translate yet (default language id)."""
    if tk.config.get("ckan.locale_default") != "id":
        return text
    return _catalogue().get(text, text)


def _render(msgid: str, params: dict[str, object]) -> str:
    return localize(msgid).format(**params)


@dataclass(frozen=True)
class Problem:
    """One problem in one line of the file; `column` is None for the whole row."""

    line: int
    column: str | None
    msgid: str
    params: dict[str, object] = field(default_factory=dict)

    def render(self) -> str:
        message = _render(self.msgid, self.params)
        if self.column is None:
            return _render(tk._("Line {line}: {message}"), {"line": self.line, "message": message})
        return _render(
            tk._("Line {line}, column {column}: {message}"),
            {"line": self.line, "column": self.column, "message": message},
        )


@dataclass(frozen=True)
class Row:
    """A checked row, as it is stored."""

    line: int
    kode_kemendagri: str
    kode_bps: str | None
    nama: str
    jenis: str
    induk: str | None


@dataclass(frozen=True)
class Summary:
    read: int
    inserted: int
    updated: int
    unchanged: int

    def render(self) -> str:
        return _render(
            tk._("Rows read: {read}, inserted: {inserted}, updated: {updated}, "
                 "unchanged: {unchanged}"),
            {"read": self.read, "inserted": self.inserted, "updated": self.updated,
             "unchanged": self.unchanged},
        )


class InvalidFile(fileproblems.InvalidFile[Problem]):
    """The file has problems; nothing was written (in the order of its lines and columns)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, lambda p: (p.line, _COLUMN_ORDER.get(p.column or "", -1)))

    def render_summary(self) -> str:
        return _render(
            tk._("Nothing imported: {problems} problem(s) in {rows} line(s)"),
            {"problems": len(self.problems), "rows": len({p.line for p in self.problems})},
        )


def import_file(path: Path) -> Summary:
    """Check the whole file, then upsert its rows in one transaction.

    Raises:
        InvalidFile: with every problem found; the table is left as it was.
    """
    rows = read(path)
    return _upsert(rows)


def read(path: Path) -> list[Row]:
    """The checked rows of the file (the table is only read, to find BPS codes in use).

    Raises:
        InvalidFile: with every problem found.
    """
    records, problems = _records(path.read_bytes())
    rows: list[Row] = []
    for line, record in records:
        row, row_problems = _check_record(line, record)
        problems += row_problems
        if row is not None:
            rows.append(row)
    problems += _duplicates(records, "kode_kemendagri")
    problems += _duplicates(records, "kode_bps")
    problems += _bps_codes_in_use(records)
    if problems:
        raise InvalidFile(problems)
    return rows


def _records(raw: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """Data rows as (line, {column: stripped value}); problems of encoding and shape."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return [], [Problem(line, None, tk._("the file is not UTF-8 text"))]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    header = [name.strip().lower() for name in next(reader, [])]
    problems = [
        Problem(1, None, tk._("column {column} is missing from the header"), {"column": column})
        for column in REQUIRED_COLUMNS
        if column not in header
    ]
    problems += [
        Problem(1, None, tk._("column {column} appears more than once in the header"),
                {"column": column})
        for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
        if header.count(column) > 1
    ]
    if problems:
        return [], problems

    records = []
    for line, values in enumerate(reader, start=2):
        values = [value.strip() for value in values]
        if not any(values):
            continue
        if any(values[len(header):]):
            problems.append(Problem(
                line, None, tk._("the row has {found} fields but the header has {expected}"),
                {"found": len(values), "expected": len(header)},
            ))
        values = values[: len(header)] + [""] * (len(header) - len(values))
        records.append((line, dict(zip(header, values, strict=True))))
    return records, problems


@functools.lru_cache(maxsize=1)
def _builtin_by_kode() -> dict[str, wilayah.Wilayah]:
    return {w.kode_kemendagri: w for w in wilayah.builtin()}


def _check_record(line: int, record: dict[str, str]) -> tuple[Row | None, list[Problem]]:
    """The row as stored, or None and the problems of its fields."""
    kode = record["kode_kemendagri"]
    kode_bps = record.get("kode_bps") or None
    nama = " ".join(record["nama"].split())
    jenis = record["jenis"].lower()
    problems: list[Problem] = []

    def problem(column: str, msgid: str, **params: object) -> None:
        problems.append(Problem(line, column, msgid, params))

    if not jenis:
        problem("jenis", tk._("jenis is required (desa or kelurahan)"))
    elif jenis not in JENIS:
        problem("jenis", tk._("unknown jenis {jenis}; use desa or kelurahan"), jenis=jenis)
    if not nama:
        problem("nama", tk._("nama is required"))

    builtin = _builtin_by_kode()
    induk: str | None = None
    if not kode:
        problem("kode_kemendagri", tk._("the Kemendagri code is required"))
    elif jenis in ("kabupaten", "kecamatan"):
        known = builtin.get(kode)
        if known is None or known.jenis != jenis:
            problem("kode_kemendagri",
                    tk._("code {code} is not the code of a {jenis} of Kabupaten Pasuruan"),
                    code=kode, jenis=jenis)
        elif kode_bps is not None and kode_bps != known.kode_bps:
            problem("kode_bps",
                    tk._("BPS code {code} differs from the BPS code of {nama}, {expected}"),
                    code=kode_bps, nama=known.nama, expected=known.kode_bps)
        else:
            kode_bps = known.kode_bps
            induk = None if jenis == "kabupaten" else KABUPATEN
    elif not _KODE_DESA.fullmatch(kode):
        problem("kode_kemendagri",
                tk._("code {code} does not have the form NN.NN.NN.NNNN of a desa or kelurahan"),
                code=kode)
    elif not kode.startswith(KABUPATEN + "."):
        problem("kode_kemendagri",
                tk._("code {code} is not under Kabupaten Pasuruan (35.14)"), code=kode)
    elif kode[:8] not in builtin:
        problem("kode_kemendagri",
                tk._("code {code} is not under a kecamatan of Kabupaten Pasuruan: "
                     "there is no kecamatan {kecamatan}"),
                code=kode, kecamatan=kode[:8])
    else:
        induk = kode[:8]
        if jenis in _FIRST_DIGIT and kode[9] != _FIRST_DIGIT[jenis]:
            problem("kode_kemendagri",
                    tk._("code {code} does not fit jenis {jenis}: desa codes are 35.14.xx.2yyy, "
                         "kelurahan codes 35.14.xx.1yyy"),
                    code=kode, jenis=jenis)

    if kode_bps is not None and jenis not in ("kabupaten", "kecamatan"):
        if not _KODE_BPS_DESA.fullmatch(kode_bps):
            problem("kode_bps",
                    tk._("BPS code {code} of a desa or kelurahan must have 10 digits"),
                    code=kode_bps)
        elif induk is not None and not kode_bps.startswith(builtin[induk].kode_bps):
            kecamatan = builtin[induk]
            problem("kode_bps",
                    tk._("BPS code {code} does not start with {prefix}, the BPS code of "
                         "Kecamatan {kecamatan}"),
                    code=kode_bps, prefix=kecamatan.kode_bps, kecamatan=kecamatan.nama)

    if problems:
        return None, problems
    return Row(line, kode, kode_bps, nama, jenis, induk), []


def _duplicates(records: Iterable[tuple[int, dict[str, str]]], column: str) -> list[Problem]:
    """A problem for each repeated non-empty value of `column`, naming its first line."""
    first_line: dict[str, int] = {}
    problems = []
    for line, record in records:
        value = record.get(column, "")
        if not value:
            continue
        if value in first_line:
            problems.append(Problem(
                line, column, tk._("{code} appears again; it is already on line {first}"),
                {"code": value, "first": first_line[value]},
            ))
        else:
            first_line[value] = line
    return problems


def _bps_codes_in_use(records: list[tuple[int, dict[str, str]]]) -> list[Problem]:
    """BPS codes of the file that the table gives to regions the file does not list."""
    by_bps = {r["kode_bps"]: line for line, r in records if r.get("kode_bps")}
    if not by_bps:
        return []
    in_file = {r["kode_kemendagri"] for _line, r in records}
    stmt = sa.select(KodeWilayah.kode_bps, KodeWilayah.kode_kemendagri, KodeWilayah.nama).where(
        KodeWilayah.kode_bps.in_(by_bps)
    )
    return [
        Problem(by_bps[kode_bps], "kode_bps",
                tk._("BPS code {code} already belongs to {holder} ({nama}) in the table"),
                {"code": kode_bps, "holder": holder, "nama": nama})
        for kode_bps, holder, nama in model.Session.execute(stmt)
        if holder not in in_file
    ]


def _upsert(rows: list[Row]) -> Summary:
    """Insert new rows and update changed ones, in one transaction."""
    session = model.Session
    try:
        stmt = sa.select(KodeWilayah).where(
            KodeWilayah.kode_kemendagri.in_([row.kode_kemendagri for row in rows])
        )
        existing = {obj.kode_kemendagri: obj for obj in session.execute(stmt).scalars()}
        # Free BPS codes that move between regions first: the unique constraint
        # is checked per statement, so a swap would fail halfway otherwise.
        moving = [
            obj for row in rows
            if (obj := existing.get(row.kode_kemendagri)) is not None
            and obj.kode_bps is not None and obj.kode_bps != row.kode_bps
        ]
        for obj in moving:
            obj.kode_bps = None
        session.flush()

        inserted = updated = 0
        for row in rows:
            values = {"kode_bps": row.kode_bps, "nama": row.nama, "jenis": row.jenis,
                      "induk": row.induk}
            obj = existing.get(row.kode_kemendagri)
            if obj is None:
                session.add(KodeWilayah(kode_kemendagri=row.kode_kemendagri, kode_bps=row.kode_bps,
                                        nama=row.nama, jenis=row.jenis, induk=row.induk))
                inserted += 1
                continue
            if obj in moving or any(getattr(obj, k) != v for k, v in values.items()):
                updated += 1
            for key, value in values.items():
                setattr(obj, key, value)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return Summary(len(rows), inserted, updated, len(rows) - inserted - updated)
