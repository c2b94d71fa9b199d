"""Recognisers of personal data values and the per-column tally.

Only counts and row numbers leave this module: never the values.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

# Province codes of Indonesia (first two digits of a NIK / kode wilayah).
PROVINCES = frozenset(
    [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53,
     61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97])

NAME_WORDS = ("nama", "name", "pemilik", "penerima", "pemohon", "responden")
SAMPLE_ROWS = 10
# A column is flagged when at least this share of its non-empty cells match.
MIN_SHARE = 0.5

_DIGITS = re.compile(r"\d+")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^(?:\+62|62|0)8[1-9]\d{6,10}$")
_PHONE_STRIP = re.compile(r"[\s().-]")


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        if value != value or value != int(value):
            return ""
        value = int(value)
    return str(value).strip()


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def is_nik(value: Any) -> bool:
    """16 digits: province+regency+district, birth date (day +40 for women), serial."""
    text = _text(value)
    if len(text) != 16 or not text.isdigit():
        return False
    if int(text[0:2]) not in PROVINCES or text[2:4] == "00" or text[4:6] == "00":
        return False
    day, month, year = int(text[6:8]), int(text[8:10]), int(text[10:12])
    if day > 40:
        day -= 40
    # Two-digit year: any century gives the same validity except 29 February.
    if not (_valid_date(2000 + year, month, day) or _valid_date(1900 + year, month, day)):
        return False
    return text[12:16] != "0000"


def is_nip(value: Any) -> bool:
    """18 digits: birth date YYYYMMDD, appointment YYYYMM, sex 1/2, serial."""
    text = _text(value)
    if len(text) != 18 or not text.isdigit():
        return False
    born = int(text[0:4])
    if not 1940 <= born <= 2010 or not _valid_date(born, int(text[4:6]), int(text[6:8])):
        return False
    appointed, month = int(text[8:12]), int(text[12:14])
    if not born + 17 <= appointed <= 2100 or not 1 <= month <= 12:
        return False
    return text[14] in "12" and text[15:18] != "000"


def is_phone(value: Any) -> bool:
    """Indonesian mobile numbers: +62 8.., 62 8.., 08.."""
    if not isinstance(value, str):
        return False  # numbers lose the leading 0 / + and are amounts or codes
    text = _PHONE_STRIP.sub("", value.strip())
    return bool(_PHONE.match(text))


def is_email(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 254 and bool(_EMAIL.match(value.strip()))


KINDS = {"nik": is_nik, "nip": is_nip, "phone": is_phone, "email": is_email}


def is_name_header(header: str) -> bool:
    words = re.split(r"[^a-z]+", (header or "").lower())
    return any(w in NAME_WORDS for w in words)


@dataclass
class ColumnTally:
    """Matches of one column; rows are the user-visible row numbers."""
    filled: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)

    def add(self, row: int, value: Any) -> None:
        if value is None or value == "":
            return
        self.filled += 1
        self.add_candidate(row, value)

    def add_candidate(self, row: int, value: Any) -> None:
        """A cell pre-selected by SQL; `filled` was counted there."""
        for kind, check in KINDS.items():
            if check(value):
                self.counts[kind] = self.counts.get(kind, 0) + 1
                sample = self.rows.setdefault(kind, [])
                if len(sample) < SAMPLE_ROWS:
                    sample.append(row)
                break

    def kinds(self) -> list[str]:
        return [k for k, n in self.counts.items() if self.filled and n / self.filled >= MIN_SHARE]


@dataclass
class Finding:
    source: str  # resource id
    source_name: str
    column: str
    kind: str  # nik / nip / phone / email / name
    count: int
    rows: list[int]

    def as_dict(self) -> dict[str, Any]:
        return {"resource_id": self.source, "resource_name": self.source_name,
                "column": self.column, "kind": self.kind, "count": self.count,
                "rows": list(self.rows)}


def findings(source: str, source_name: str, headers: list[str],
             tallies: list[ColumnTally]) -> list[Finding]:
    """Flagged columns, plus name-like columns when some column of the table is flagged."""
    out: list[Finding] = []
    for header, tally in zip(headers, tallies, strict=True):
        for kind in tally.kinds():
            out.append(Finding(source, source_name, header, kind,
                               tally.counts[kind], tally.rows[kind]))
    if out:
        flagged = {f.column for f in out}
        for header, tally in zip(headers, tallies, strict=True):
            if header not in flagged and is_name_header(header) and tally.filled:
                out.append(Finding(source, source_name, header, "name", tally.filled, []))
    return out
