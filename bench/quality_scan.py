"""Bench: the nightly metadata quality scan of 10,000 datasets (issue 13: under 60 s).

Run against a test database (it is reset):
    var/venv/bin/pytest --ckan-ini=var/test_<you>.ini bench/quality_scan.py -q -s

The datasets are inserted in bulk (each with the full MS-Keg extras of the demo, half
with two tags, every tenth with a short description), then `quality.jobs.scan` scores
them all in batches (no notifications); the time and the number of SQL statements are
printed. QUALITY_BENCH_N overrides the count.
"""
from __future__ import annotations

import json
import os
import time
import uuid

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories

from ckanext.satudata.ms_keg_sample import complete_ms_keg
from ckanext.satudata.quality import checks, jobs
from ckanext.satudata.quality.model import QualityScore

N = int(os.environ.get("QUALITY_BENCH_N", "10000"))


def _insert(n: int, org_id: str) -> None:
    fields = complete_ms_keg("Jumlah Posyandu", 2025, "Dinas Kesehatan")
    fields.pop("notes")
    extras = {k: json.dumps(v) if isinstance(v, (list, dict)) else str(v)
              for k, v in {**fields, "klasifikasi_akses": "terbuka",
                           "kategori": "DATA_DASAR"}.items()}
    tag = model.Tag(name="posyandu")
    model.Session.add(tag)
    model.Session.flush()
    packages, rows, tags = [], [], []
    for i in range(n):
        pid = str(uuid.uuid4())
        packages.append({"id": pid, "name": f"bench-{i}", "title": f"Data {i}",
                         "type": "dataset", "state": "active", "owner_org": org_id,
                         "private": False, "license_id": "cc-by",
                         "notes": "Singkat." if i % 10 == 0 else "x" * 120})
        rows += [{"id": str(uuid.uuid4()), "package_id": pid, "key": k, "value": v,
                  "state": "active"} for k, v in extras.items()]
        if i % 2:
            tags.append({"id": str(uuid.uuid4()), "package_id": pid, "tag_id": tag.id,
                         "state": "active"})
    model.Session.execute(sa.insert(model.Package.__table__), packages)
    model.Session.execute(sa.insert(model.PackageExtra.__table__), rows)
    model.Session.execute(sa.insert(model.PackageTag.__table__), tags)
    model.Session.commit()


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
def test_scan_of_many_datasets():
    org = factories.Organization()
    _insert(N, org["id"])
    statements = 0

    def count(*_a, **_k):
        nonlocal statements
        statements += 1

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    started = time.monotonic()
    try:
        done = jobs.scan(notify=False)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    took = time.monotonic() - started
    print(f"\nquality scan: {done['scored']} datasets in {took:.1f} s "
          f"({statements} SQL statements, batch {jobs.BATCH})")
    assert done["scored"] == N
    assert model.Session.query(QualityScore).count() == N

    # The bulk datasets have no workflow, so none counts as published: the mandatory
    # field check (the scheming rules, the costliest) is timed on a sample as published.
    facts = checks.load(checks.dataset_ids()[:1000])
    plain = time.monotonic()
    for f in facts:
        checks.evaluate(f)
    plain = time.monotonic() - plain
    for f in facts:
        f.published = True
    published = time.monotonic()
    for f in facts:
        checks.evaluate(f)
    published = time.monotonic() - published
    extra = (published - plain) / len(facts)
    print(f"as published: +{extra * 1000:.2f} ms per dataset, about +{extra * N:.1f} s "
          f"for {N}")
