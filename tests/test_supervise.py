"""scripts/supervise.sh: `make run`'s background processes come back when they die."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _wait_for(what, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = what()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"not reached within {timeout} s")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped by the supervisor) is not alive.
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _child(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def test_a_killed_process_is_started_again_and_stop_ends_both(tmp_path):
    pidfile = tmp_path / "consumer.pid.child"
    supervisor = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "supervise.sh"), "consumer", "sleep", "300"],
        env={**os.environ, "SUPERVISE_CHILD_PIDFILE": str(pidfile)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = _wait_for(lambda: _child(pidfile))
        os.kill(first, signal.SIGKILL)  # what a Redis restart did to the harvest consumers
        second = _wait_for(lambda: (lambda pid: pid if pid and pid != first else None)(
            _child(pidfile)))
        assert second != first and _alive(second)
        # `make stop` (stop_pidfile): TERM to the supervisor stops the command too.
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert not _alive(second)
        assert not pidfile.exists()
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    output = supervisor.stdout.read()
    assert "consumer exited with code 137; starting it again" in output


def test_make_run_supervises_the_one_periodic_schedule():
    ckan_sh = (ROOT / "scripts" / "lib" / "ckan.sh").read_text()
    assert ('_supervise periodic "$PERIODIC_PID" "$LOG_DIR/periodic.log" \\\n'
            '    "$VENV/bin/ckan" -c "$CKAN_INI" satudata periodic loop') in ckan_sh
    # The jobs and their intervals live in ckanext/satudata/periodic.py only.
    scripts = [path for path in (ROOT / "scripts").rglob("*")
               if path.is_file() and path.suffix in ("", ".sh")]
    for path in scripts:
        text = path.read_text(errors="replace")
        for job in ("harvester run", "send-reminders", "tracking update", "index-check",
                    "satudata-loader sweep", "discard-stale-imports"):
            assert job not in text, (path, job)
