"""Bench: harvesting N datasets from a local stock-CKAN remote into the portal (issue 15:
">= 10 datasets/s with one gather and one fetch consumer").

    var/venv/bin/pytest --ckan-ini=var/test_<you>.ini bench/harvest.py -q -s

The remote is a real HTTP server on 127.0.0.1 answering the CKAN action API as a stock
CKAN 2.11 does (tests/harvest_remote.py: package_search pages, package_show), holding N
datasets shaped like a stock CKAN's (no SDI field). A `ckan` harvest source of an OPD with
the portal's defaults (kategori, sektor, klasifikasi_akses, licence, frequency) runs the
real stages in this process, one after the other, as one gather and one fetch consumer
would (without Redis queue hops): gather (the remote's search pages), then fetch + import
of each object (the portal's validation, workflow and search indexing). Printed: the time
of each stage and datasets/s end to end. HARVEST_BENCH_N overrides N (300).

Not measured here: a stock CKAN harvesting the portal's API (that needs a second CKAN
installation; run one against `make run` with ckanext-harvest's `ckan` source type).
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

# The remote of the harvest tests (pytest runs in importlib mode: the repository root is
# not on sys.path by itself).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.harvest_remote import ALLOW_LOCAL, stock_ckan, stock_dataset  # noqa: E402

N = int(os.environ.get("HARVEST_BENCH_N", "300"))
DEFAULTS = {"kategori": "DATA_DASAR", "klasifikasi_akses": "terbuka", "license_id": "cc-by",
            "sektor_kegiatan": "KESEHATAN", "frekuensi_penyelenggaraan": "TAHUNAN"}


@pytest.mark.ckan_config(*ALLOW_LOCAL)
# As in production: Solr's soft commits, not a hard commit per dataset (test.ini's choice).
@pytest.mark.ckan_config("ckan.search.solr_commit", "false")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_harvest_rate():
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject
    from ckanext.harvest.queue import get_harvester

    admin = factories.Sysadmin()
    org = factories.Organization(title="Dinas Kesehatan")
    remote_datasets = [stock_dataset(f"Indikator Kesehatan {i:04d}") for i in range(N)]
    harvester = get_harvester("ckan")
    with stock_ckan(remote_datasets) as remote:
        source = call_action(
            "harvest_source_create", {"user": admin["name"]}, url=f"{remote.url}/",
            name="bench-remote", title="Portal CKAN lokal", source_type="ckan",
            owner_org=org["id"], config=json.dumps({"satudata_defaults": DEFAULTS}))
        job_dict = call_action("harvest_job_create", {"user": admin["name"]},
                               source_id=source["id"], run=False)
        job = HarvestJob.get(job_dict["id"])
        job.status = "Running"
        job.save()

        started = time.perf_counter()
        object_ids = queue.gather_stage(harvester, job) or []
        gathered = time.perf_counter() - started

        started = time.perf_counter()
        for object_id in object_ids:
            queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
        imported = time.perf_counter() - started
    call_action("harvest_jobs_run", {"ignore_auth": True}, source_id=source["id"])

    states = [HarvestObject.get(i).state for i in object_ids]
    done = states.count("COMPLETE")
    total = gathered + imported
    print(f"\nHarvest of {N} datasets from a local stock-CKAN API (one gather, one fetch, "
          f"in-process): gather {gathered:.1f} s ({len(object_ids)} objects), fetch+import "
          f"{imported:.1f} s ({done} complete, {len(states) - done} failed); "
          f"{done / total:.1f} datasets/s end to end "
          f"({done / imported:.1f}/s fetch+import alone)")
    assert done == N, states[:5]
