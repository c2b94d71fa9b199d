"""The variable structure of an input package and the period its rows belong to.

A structure is the list of variables (columns) with the same names and data
types that carry MS-Var metadata on the DataStore data dictionary, so the
table an input package fills and the MS-Var of its columns never disagree.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

# MS-Var `tipe_data` values (see ms_var.TIPE_DATA) and the DataStore type each becomes.
DATASTORE_TYPES = {
    "CHARACTER": "text",
    "INTEGER": "int8",
    "DECIMAL": "numeric",
    "DATE": "date",
    "BOOLEAN": "bool",
}
# Every table an input package fills carries its rows' period in this column.
PERIOD_COLUMN = "periode"
COLUMN_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RESERVED_IDS = frozenset({PERIOD_COLUMN, "_id", "_full_text"})


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    tipe_data: str = "CHARACTER"
    satuan: str = ""
    # (kode, nilai) pairs; a cell may hold the code or the value, the code is stored.
    value_domain: tuple[tuple[str, str], ...] = ()
    required: bool = False
    key: bool = False

    @property
    def datastore_type(self) -> str:
        return DATASTORE_TYPES[self.tipe_data]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "label": self.label, "tipe_data": self.tipe_data,
            "satuan": self.satuan,
            "value_domain": [{"kode": k, "nilai": v} for k, v in self.value_domain],
            "required": self.required, "key": self.key,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Column:
        domain = tuple((str(d["kode"]), str(d["nilai"])) for d in data.get("value_domain") or ())
        return cls(
            id=data["id"], label=data.get("label") or data["id"],
            tipe_data=(data.get("tipe_data") or "CHARACTER").upper(),
            satuan=data.get("satuan") or "", value_domain=domain,
            required=bool(data.get("required")), key=bool(data.get("key")),
        )


@dataclass(frozen=True)
class Structure:
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def stamp(self) -> str:
        """A short fingerprint of what a file must match (ids, types, domains, required, keys).

        Labels and units are left out: rewording a label keeps old templates valid.
        """
        canonical = [
            [c.id, c.tipe_data, [k for k, _ in c.value_domain], c.required, c.key]
            for c in self.columns
        ]
        digest = hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
        return digest[:12]

    @property
    def key_ids(self) -> list[str]:
        return [c.id for c in self.columns if c.key]

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.columns if c.id == column_id), None)

    def datastore_fields(self) -> list[dict[str, Any]]:
        """DataStore fields: the period first, then each column with its MS-Var `info`."""
        fields = [{"id": PERIOD_COLUMN, "type": "text",
                   "info": {"label": "Periode", "tipe_data": "CHARACTER"}}]
        for c in self.columns:
            info: dict[str, Any] = {"label": c.label, "tipe_data": c.tipe_data}
            if c.satuan:
                info["satuan"] = c.satuan
            if c.value_domain:
                info["value_domain"] = [{"kode": k, "nilai": v} for k, v in c.value_domain]
            fields.append({"id": c.id, "type": c.datastore_type, "info": info})
        return fields

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [c.to_dict() for c in self.columns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Structure:
        return cls(columns=tuple(Column.from_dict(c) for c in data.get("columns") or ()))


FREQUENCIES = ("tahunan", "semesteran", "triwulanan", "bulanan")
_SUB_PREFIX = {"semesteran": "S", "triwulanan": "T", "bulanan": ""}
_SUB_COUNT = {"semesteran": 2, "triwulanan": 4, "bulanan": 12}
MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
             "Agustus", "September", "Oktober", "November", "Desember")
_ROMAN = ("I", "II", "III", "IV")
_PERIOD_CODE = re.compile(r"^(\d{4})(?:-(S|T)?(\d{1,2}))?$")


@dataclass(frozen=True)
class Period:
    """A year, or a semester/quarter/month within a year. Codes: 2025, 2025-S1, 2025-T3, 2025-07."""
    frequency: str
    year: int
    sub: int | None = None

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"unknown frequency {self.frequency!r}")
        if not 1900 <= self.year <= 2100:
            raise ValueError(f"year out of range: {self.year}")
        if self.frequency == "tahunan":
            if self.sub is not None:
                raise ValueError("a yearly period has no sub-period")
        elif self.sub is None or not 1 <= self.sub <= _SUB_COUNT[self.frequency]:
            raise ValueError(f"sub-period out of range for {self.frequency}: {self.sub}")

    def code(self) -> str:
        if self.frequency == "tahunan":
            return str(self.year)
        if self.frequency == "bulanan":
            return f"{self.year}-{self.sub:02d}"
        return f"{self.year}-{_SUB_PREFIX[self.frequency]}{self.sub}"

    def label(self) -> str:
        # Indonesian period names are proper names in both UI languages.
        sub = self.sub
        if self.frequency == "tahunan" or sub is None:
            return str(self.year)
        if self.frequency == "bulanan":
            return f"{MONTHS_ID[sub - 1]} {self.year}"
        word = "Semester" if self.frequency == "semesteran" else "Triwulan"
        return f"{word} {_ROMAN[sub - 1]} {self.year}"

    @classmethod
    def parse(cls, code: str) -> Period:
        match = _PERIOD_CODE.match(str(code).strip())
        if not match:
            raise ValueError(f"not a period code: {code!r}")
        year, prefix, sub = match.groups()
        if sub is None:
            return cls("tahunan", int(year))
        frequency = {"S": "semesteran", "T": "triwulanan", None: "bulanan"}[prefix]
        return cls(frequency, int(year), int(sub))
