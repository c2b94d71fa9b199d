"""A real, long-running `ckan jobs worker default` for tests whose point is the worker
(own process, own database connections), and waiting for what it commits."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import rq
from ckan import model
from ckan.lib.redis import connect_to_redis

VENV_BIN = Path(sys.executable).parent


def registered(pid: int) -> str | None:
    """The name of the RQ worker of this process, once it has registered in Redis."""
    found = [w for w in rq.Worker.all(connection=connect_to_redis()) if w.pid == pid]
    return found[0].name if found else None


def _tail(log: Path) -> str:
    return log.read_text()[-3000:]


@contextmanager
def running_worker(ini: str | Path, log: Path) -> Iterator[subprocess.Popen]:
    """The worker on `ini`, registered (CKAN starts in it: a few seconds), stopped after."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(VENV_BIN / "ckan"), "-c", str(ini), "jobs", "worker", "default"],
            stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ))
        deadline = time.monotonic() + 90
        while not registered(proc.pid):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("worker did not start: " + _tail(log))
            time.sleep(0.5)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck job
                proc.kill()
                proc.wait(timeout=10)


def wait_for(what: str, found: Callable[[], object], worker: subprocess.Popen, log: Path,
             seconds: float = 90) -> object:
    """`found()` once it is true, read afresh each time (what the worker committed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        model.Session.remove()
        value = found()
        if value:
            return value
        assert worker.poll() is None, _tail(log)
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {seconds} s\n" + _tail(log))
