"""Recognisers and false positives of the personal-data scanner (no database)."""
from __future__ import annotations

import csv

import openpyxl
import pytest

from ckanext.satudata.pii import detect
from ckanext.satudata.pii.files import scan_file


@pytest.mark.parametrize("value", [
    "3514011204900001",   # Pasuruan, man born 12-04-1990
    "3514015204900002",   # woman: day 12 + 40
    3514015204900002,     # stored as a number
    "3171012902000003",   # 29-02-2000
])
def test_nik_valid(value):
    assert detect.is_nik(value)


@pytest.mark.parametrize("value", [
    "3514010001",          # kode wilayah desa
    "1234567890123456",    # 16 digits, no valid date
    "9914011204900001",    # unknown province
    "3500011204900001",    # regency 00
    "3514013204900001",    # day 32
    "3514011213900001",    # month 13
    "3514011204900000",    # serial 0000
    "3514012902010003",    # 29-02-2001/1901
    2024, 1500000000, 12500000.5, "2024",
])
def test_nik_false_positives(value):
    assert not detect.is_nik(value)


def test_nip():
    assert detect.is_nip("199003122015031002")
    assert detect.is_nip("198512302010012001")
    assert not detect.is_nip("199003122015033002")  # sex 3
    assert not detect.is_nip("199013122015031002")  # month 13
    assert not detect.is_nip("199003122000031002")  # appointed at 10
    assert not detect.is_nip("123456789012345678")


def test_phone_and_email():
    for value in ["081234567890", "+6281234567890", "62 812-3456-7890", "0857 1234 5678"]:
        assert detect.is_phone(value), value
    for value in [81234567890, "0343123456", "2024", "3514010001", "+6221123456"]:
        assert not detect.is_phone(value), value
    assert detect.is_email("budi.santoso@pasuruankab.go.id")
    assert not detect.is_email("budi at example")
    assert not detect.is_email("@x.id")


def test_ordinary_table_not_flagged():
    headers = ["kode_wilayah", "tahun", "jumlah", "anggaran", "kode16"]
    tallies = [detect.ColumnTally() for _ in headers]
    for row in range(2, 1002):
        values = [3514010000 + row, 2000 + row % 25, row * 7, row * 1_000_000.0,
                  1000000000000000 + row * 9_999_991]
        for tally, value in zip(tallies, values, strict=True):
            tally.add(row, value)
    assert detect.findings("r", "Tabel", headers, tallies) == []


def test_findings_rows_not_values():
    headers = ["nama", "nik", "jumlah"]
    tallies = [detect.ColumnTally() for _ in headers]
    for row in range(2, 30):
        for tally, value in zip(tallies, ["Budi", f"35140112049{row:05d}", row], strict=True):
            tally.add(row, value)
    found = detect.findings("r1", "Penerima bantuan", headers, tallies)
    kinds = {(f.column, f.kind) for f in found}
    assert kinds == {("nik", "nik"), ("nama", "name")}
    nik = next(f for f in found if f.kind == "nik")
    assert nik.count == 28 and nik.rows == list(range(2, 12))
    assert "3514011204900002" not in repr([f.as_dict() for f in found])


def test_scan_csv_and_xlsx(tmp_path):
    rows = [["Nama", "NIK", "Telepon", "Email", "Jumlah"]] + [
        [f"Warga {i}", f"35140152049{i:05d}", f"08123456{i:04d}", f"w{i}@contoh.id", i * 1000]
        for i in range(1, 21)]
    path = tmp_path / "data.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    found = scan_file(str(path), "data.csv", "r1", "Data")
    assert {(f.column, f.kind) for f in found} == {
        ("NIK", "nik"), ("Telepon", "phone"), ("Email", "email"), ("Nama", "name")}
    assert next(f for f in found if f.kind == "nik").rows[:3] == [2, 3, 4]

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    xlsx = tmp_path / "data.xlsx"
    book.save(xlsx)
    found = scan_file(str(xlsx), "data.xlsx", "r2", "Data")
    assert {(f.column, f.kind) for f in found} == {
        ("NIK", "nik"), ("Telepon", "phone"), ("Email", "email"), ("Nama", "name")}
