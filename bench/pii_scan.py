"""Bench: personal-data scan of a 1,000,000-row DataStore table (issue 14: under 30 s).

    var/venv/bin/pytest --ckan-ini=var/test_<you>.ini bench/pii_scan.py -q -s

Rows are generated in PostgreSQL (name, NIK on every tenth row, kode wilayah, year, amount).
PII_BENCH_N overrides the count.
"""
from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa
from ckan.tests.helpers import call_action
from ckanext.datastore.backend.postgres import get_write_engine

from ckanext.satudata.pii.datastore import scan_table
from ckanext.satudata.tests import factories

N = int(os.environ.get("PII_BENCH_N", "1000000"))


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
def test_scan_million_rows(sysadmin_context):
    fields = [{"id": "nama", "type": "text"}, {"id": "nik", "type": "text"},
              {"id": "kode_wilayah", "type": "int8"}, {"id": "tahun", "type": "int4"},
              {"id": "jumlah", "type": "numeric"}]
    table = call_action("datastore_create", sysadmin_context, fields=fields,
                        resource={"package_id": factories.Dataset()["id"], "name": "Bench"})
    rid = table["resource_id"]
    with get_write_engine().begin() as conn:
        conn.execute(sa.text(
            f'INSERT INTO "{rid}" (nama, nik, kode_wilayah, tahun, jumlah) '
            "SELECT 'Warga ' || g, CASE WHEN g % 10 = 0 "
            "THEN '35140152049' || lpad((g % 99999 + 1)::text, 5, '0') ELSE NULL END, "
            "3514010000 + g % 1000, 2000 + g % 25, g * 1500 "
            "FROM generate_series(1, :n) g"), {"n": N})
    started = time.perf_counter()
    found = scan_table(rid, "Bench")
    elapsed = time.perf_counter() - started
    summary = [(f.column, f.kind, f.count) for f in found]
    print(f"\nPII scan of {N} rows: {elapsed:.1f} s; findings {summary}")
    assert {(f.column, f.kind) for f in found} == {("nik", "nik"), ("nama", "name")}
    assert elapsed < 30
