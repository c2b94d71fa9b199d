"""Findings of data about to be written (DataStore records, an upload), no database:
the same detector as stored tables and files, row numbers only, the stream put back."""
from __future__ import annotations

import io

from ckanext.satudata.pii import scan


def nik(i: int) -> str:
    return f"35140152049{i:05d}"


def test_records_are_judged_with_the_same_detector():
    records = [{"_id": i, "nama": f"Warga {i}", "nik": nik(i), "jumlah": i * 1000,
                "kode": f"35.14.01.{2000 + i}"} for i in range(1, 13)]
    found = scan.records_findings("rid", "Penerima", records)
    assert [(f["column"], f["kind"], f["source"]) for f in found] == [
        ("nik", "nik", "records"), ("nama", "name", "records")]
    nik_finding = found[0]
    assert nik_finding["count"] == 12 and nik_finding["rows"] == list(range(1, 11))
    assert nik(1) not in repr(found) and "Warga" not in repr(found)


def test_records_without_personal_data_and_odd_records_give_nothing():
    assert scan.records_findings("rid", "R", [{"tahun": 2025, "jumlah": 3514015204900001.5},
                                              "not a record", {}]) == []


def test_an_upload_is_scanned_and_the_stream_put_back():
    content = ("NIK,Jumlah\n" + "".join(f"{nik(i)},{i}\n" for i in range(1, 6))).encode()
    stream = io.BytesIO(content)
    stream.seek(3)
    found = scan.upload_findings(stream, "penerima.csv", "", "Daftar")
    assert [(f["column"], f["kind"], f["source"], f["rows"]) for f in found] == [
        ("NIK", "nik", "file", [2, 3, 4, 5, 6])]
    assert stream.tell() == 3


def test_an_upload_that_is_not_a_table_is_not_read():
    stream = io.BytesIO(b"%PDF-1.7 " + nik(1).encode())
    assert scan.upload_findings(stream, "surat.pdf", "", "Surat") == []
    assert stream.tell() == 0
