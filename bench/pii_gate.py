"""Bench: what the personal data gate adds to submitting a dataset with a 1,000,000-row
DataStore table (issue 14: "scanning must not make submit slow on big tables").

    var/venv/bin/pytest --ckan-ini=var/test_<you>.ini bench/pii_gate.py -q -s

Rows are generated in PostgreSQL (name, NIK on every tenth row, kode wilayah, year,
amount), as in bench/pii_scan.py (the full scan: 22.9 s). Printed: the fingerprint
(what every check costs), the first check (fingerprint + sampled scan of about
`ckanext.satudata.pii.sample_rows` rows, stored), a second check of the unchanged table
(fingerprint + stored result). PII_BENCH_N overrides the count.
"""
from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa
from ckan.tests.helpers import call_action
from ckanext.datastore.backend.postgres import get_write_engine

from ckanext.satudata.pii import datastore, scan
from ckanext.satudata.tests import factories

N = int(os.environ.get("PII_BENCH_N", "1000000"))


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
def test_gate_on_a_million_rows(sysadmin_context):
    fields = [{"id": "nama", "type": "text"}, {"id": "nik", "type": "text"},
              {"id": "kode_wilayah", "type": "int8"}, {"id": "tahun", "type": "int4"},
              {"id": "jumlah", "type": "numeric"}]
    dataset = factories.Dataset()
    table = call_action("datastore_create", sysadmin_context, fields=fields,
                        resource={"package_id": dataset["id"], "name": "Bench"})
    rid = table["resource_id"]
    with get_write_engine().begin() as conn:
        # NIK on every row here: the sample must flag the column (share >= 50 %).
        conn.execute(sa.text(
            f'INSERT INTO "{rid}" (nama, nik, kode_wilayah, tahun, jumlah) '
            "SELECT 'Warga ' || g, '35140152049' || lpad((g % 99999 + 1)::text, 5, '0'), "
            "3514010000 + g % 1000, 2000 + g % 25, g * 1500 "
            "FROM generate_series(1, :n) g"), {"n": N})
    timings = {}
    started = time.perf_counter()
    datastore.table_state(rid)
    timings["fingerprint"] = time.perf_counter() - started
    started = time.perf_counter()
    first = scan.blocking_findings(dataset["id"])
    timings["first check (sampled scan)"] = time.perf_counter() - started
    started = time.perf_counter()
    second = scan.blocking_findings(dataset["id"])
    timings["second check (unchanged)"] = time.perf_counter() - started
    print(f"\nPII gate on {N} rows: " + "; ".join(f"{k} {v:.1f} s" for k, v in timings.items())
          + f"; findings {[(f['column'], f['kind'], f['count']) for f in first]}")
    assert {(f["column"], f["kind"]) for f in first} == {("nik", "nik"), ("nama", "name")}
    assert second == first
