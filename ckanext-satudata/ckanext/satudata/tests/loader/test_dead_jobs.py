"""Dead loads: a killed worker, queued jobs lost with Redis, a kill while indexing.

A real RQ worker (`ckan jobs worker`) is started and killed with SIGKILL; the
sweep must notice within `stale_seconds` (set to a few seconds here), fail the
load with the reason, and a resubmit must start a new load that completes.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ckan.lib.jobs import get_queue
from ckan.tests.helpers import call_action
from ckanext.datastore.backend import postgres as ds

from ckanext.satudata.loader import recovery, shadow, stale, status
from ckanext.satudata.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_queue")

VENV_BIN = Path(sys.executable).parent
STALE = 5  # seconds without a heartbeat before a load is dead, in these tests
CSV = ("kode;nama;jumlah\n"
       "0164A;Desa Satu;-5\n"
       "007;Desa Dua;12\n"
       "35.14;Desa Tiga;0\n")


def _records(resource_id: str, **params: Any) -> list[dict[str, Any]]:
    return call_action("datastore_search", resource_id=resource_id, limit=1000,
                       **params)["records"]


def _status(resource_id: str) -> dict[str, Any]:
    return call_action("xloader_status", resource_id=resource_id)["satudata_loader"]


def _wait_for(what: Callable[[], Any], timeout: float, step: float = 0.25) -> Any:
    """Poll until `what()` is truthy; its value, or a failed test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = what()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {timeout} s")
        time.sleep(step)


def _worker_ini(ckan_config: Any, folder: Path, **settings: Any) -> Path:
    """The test ini plus this test's settings, for a worker subprocess."""
    test_ini = Path(ckan_config["__file__"])
    text = test_ini.read_text(encoding="utf-8")
    overrides = {"ckan.storage_path": ckan_config["ckan.storage_path"], **settings}
    ini = folder / "dead-worker.ini"
    ini.write_text(f"[app:main]\nuse = config:{test_ini}\n"
                   + "".join(f"{k} = {v}\n" for k, v in overrides.items()) + "\n"
                   + text[text.index("[loggers]"):], encoding="utf-8")
    return ini


def _work_in_process() -> None:
    """Run the queued jobs in this process (with_test_worker: RQ forks no work horse)."""
    from ckan.lib.jobs import Worker

    Worker(["default"]).work(burst=True)


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it (RQ's work horse runs in its own session)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


@pytest.mark.usefixtures("with_test_worker")
@pytest.mark.ckan_config("ckanext.satudata.loader.stale_seconds", STALE)
@pytest.mark.ckan_config("ckanext.satudata.loader.max_attempts", 1)
def test_a_killed_worker_is_noticed_and_a_resubmit_starts_a_new_load(
        upload_resource, ckan_config, tmp_path):
    settings = {"ckanext.satudata.loader.stale_seconds": STALE,
                "ckanext.satudata.loader.max_attempts": 1}
    resource = upload_resource(CSV, "data.csv", factories.Dataset()["id"])
    _work_in_process()
    rid = resource["id"]
    assert _status(rid)["stage"] == "complete"

    # A reader holding the live table keeps the next load, by a real worker process,
    # waiting at its swap.
    reader = shadow.engine().connect()
    held = reader.begin()
    reader.execute(sa.text(f"LOCK TABLE {ds.identifier(rid)} IN ACCESS SHARE MODE"))
    assert call_action("xloader_submit", resource_id=rid, ignore_hash=True) is True
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [str(VENV_BIN / "ckan"), "-c", str(_worker_ini(ckan_config, tmp_path, **settings)),
         "jobs", "worker", "default"], stdout=log, stderr=subprocess.STDOUT)
    try:
        loading = _wait_for(lambda: (lambda v: v.get("stage") == "loading"
                                     and v.get("rows_total") == 3 and v)(
            (status.read(rid) or {}).get("value", {})), timeout=180)
        dead_job = loading["job_id"]
        # Alive and waiting: its heartbeat keeps it from being swept.
        time.sleep(2 * STALE)
        assert stale.sweep_stale_loads() == []
        assert status.read(rid)["value"]["stage"] == "loading"
        for pid in _descendants(worker.pid):
            os.kill(pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(30)
        log.close()
        held.rollback()
        reader.close()

    # Noticed within the configured time (plus a margin for a busy machine).
    swept = _wait_for(stale.sweep_stale_loads, timeout=STALE + 30)
    assert swept == [{"resource_id": rid, "action": "failed"}]
    state = _status(rid)
    assert state["stage"] == "error" and not state["running"]
    assert state["errors"][-1]["msgid"] == stale.STOPPED_MESSAGE
    assert f"{STALE} seconds" in state["message"]
    assert call_action("xloader_status", resource_id=rid)["status"] == "error"
    # The killed load changed nothing: its swap never committed.
    assert [r["kode"] for r in _records(rid)] == ["0164A", "007", "35.14"]

    # A resubmit is not dropped as a duplicate of the dead job: a new load runs.
    assert call_action("xloader_submit", resource_id=rid, ignore_hash=True) is True
    queued = status.read(rid)["value"]
    assert queued["stage"] == "queued" and queued["job_id"] != dead_job
    _work_in_process()
    state = _status(rid)
    assert state["stage"] == "complete", state
    assert [r["kode"] for r in _records(rid, q="Satu")] == ["0164A"]


@pytest.mark.usefixtures("with_test_worker")
@pytest.mark.ckan_config("ckanext.satudata.loader.stale_seconds", 1)
def test_queued_loads_lost_with_redis_are_queued_again_from_the_database(upload_resource):
    dataset = factories.Dataset()
    rids = [upload_resource(CSV, f"data{i}.csv", dataset["id"])["id"] for i in range(3)]
    queue = get_queue()
    lost = [status.read(rid)["value"]["job_id"] for rid in rids]
    assert set(lost) <= set(queue.job_ids)
    time.sleep(1.5)
    assert stale.sweep_stale_loads() == []  # queued longer than stale_seconds, still in RQ

    # What a Redis restart without its data leaves: no queue, no job hashes.
    queue.connection.delete(queue.key, *(f"rq:job:{job_id}" for job_id in lost[:2]))
    # The third job's hash survived, but it is in no queue: it would never run either.
    swept = stale.sweep_stale_loads()
    assert sorted(swept, key=lambda s: s["resource_id"]) == sorted(
        ({"resource_id": rid, "action": "requeued"} for rid in rids),
        key=lambda s: s["resource_id"])
    for rid, old_job in zip(rids, lost, strict=True):
        value = status.read(rid)["value"]
        assert value["stage"] == "queued" and value["attempt"] == 1
        assert value["job_id"] != old_job and value["job_id"] in queue.job_ids
        assert [n["msgid"] for n in value["notices"]] == [stale.LOST_NOTE]
    _work_in_process()
    for rid in rids:
        assert _status(rid)["stage"] == "complete"
        assert len(_records(rid)) == 3


@pytest.mark.usefixtures("with_test_worker")
@pytest.mark.ckan_config("ckanext.satudata.loader.stale_seconds", STALE)
def test_a_load_killed_while_indexing_gets_its_full_text_finished(upload_resource):
    resource = upload_resource(CSV, "data.csv", factories.Dataset()["id"])
    _work_in_process()
    rid = resource["id"]
    table = ds.identifier(rid)
    # What a job killed after the early swap leaves: no full text, no indexes yet.
    with shadow.engine().begin() as conn:
        conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        conn.execute(sa.text(f"UPDATE {table} SET _full_text = NULL"))
        conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        indexes = set(ds._get_index_names(conn, rid))  # noqa: SLF001
        for name in indexes:
            if not name.endswith("_pkey"):
                conn.execute(sa.text(f"DROP INDEX {ds.identifier(name)}"))
    assert _records(rid, q="Satu") == []
    old = (dt.datetime.utcnow() - dt.timedelta(seconds=STALE * 6)).isoformat()
    status.write(rid, stage="indexing", viewable=True, heartbeat=old, attempt=1,
                 job_id="dead-job")

    assert stale.sweep_stale_loads() == [{"resource_id": rid, "action": "reindexing"}]
    _work_in_process()
    state = _status(rid)
    assert state["stage"] == "complete", state
    assert recovery.RESUMED_NOTE in [n["msgid"] for n in state["notices"]]
    assert [r["kode"] for r in _records(rid, q="Satu")] == ["0164A"]
    with shadow.engine().connect() as conn:
        assert set(ds._get_index_names(conn, rid)) == indexes  # noqa: SLF001
