"""The compose health check of the harvest consumers, against the real Redis.

`entrypoint.sh health consumer` must fail when no consumer of the container is
connected to Redis (dead, or blocked on a connection Redis lost) and pass while
one is; the entrypoint's watchdog stops a consumer whose check keeps failing.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import redis

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _health(env: dict[str, str]) -> int:
    return subprocess.run([str(ROOT / "docker" / "entrypoint.sh"), "health", "consumer"],
                          env=env, capture_output=True, timeout=60, check=False).returncode


def _wait_for_health(env: dict[str, str], wanted: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while _health(env) != wanted:
        assert time.monotonic() < deadline, f"health consumer never returned {wanted}"
        time.sleep(0.3)


def test_consumer_health_needs_a_live_consumer_connection(ckan_config):
    url = urlsplit(ckan_config["ckan.redis.url"])
    # A database no test uses: only this test's connections are in it.
    db = 15
    env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
           "REDIS_HOST": url.hostname or "127.0.0.1", "REDIS_PORT": str(url.port or 6379),
           "REDIS_DB": str(db)}
    assert _health(env) == 1  # no consumer
    consumer = subprocess.Popen([sys.executable, "-c", (
        "import redis, sys; r = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]), "
        "db=int(sys.argv[3])); r.blpop('satudata-test-harvest-queue')"),
        env["REDIS_HOST"], env["REDIS_PORT"], str(db)], stderr=subprocess.DEVNULL)
    try:
        _wait_for_health(env, 0)
        # What a Redis restart does to the consumer's connection.
        admin = redis.Redis(host=env["REDIS_HOST"], port=int(env["REDIS_PORT"]), db=db)
        for client in admin.client_list():
            if client["cmd"] == "blpop" and int(client["db"]) == db:
                admin.client_kill_filter(_id=client["id"])
        admin.close()  # this test's own connection is not a consumer either
        _wait_for_health(env, 1)
    finally:
        consumer.kill()
        consumer.wait(10)
