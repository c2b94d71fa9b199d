"""Fixtures for cross-plugin tests: a live CKAN web server and a real RQ worker."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

VENV_BIN = Path(sys.executable).parent


def _live_ini(test_ini: Path, token: str) -> Path:
    """An ini that inherits the test ini and adds the API token xloader acts with."""
    text = test_ini.read_text(encoding="utf-8")
    logging_sections = text[text.index("[loggers]"):]
    live = test_ini.with_name(f"{test_ini.stem}-live.ini")
    live.write_text(
        f"[app:main]\nuse = config:{test_ini.name}\nckanext.xloader.api_token = {token}\n\n"
        + logging_sections,
        encoding="utf-8",
    )
    return live


@pytest.fixture
def live_ckan(ckan_config, monkeypatch, tmp_path) -> Iterator[Callable[[str], str]]:
    """Start CKAN under gunicorn on ckan.site_url, acting with `token` for xloader.

    Returns a function taking the API token (and environment variables for the
    server) and returning the base URL. The server shares the test databases,
    Solr core and Redis with the test.
    """
    procs: list[subprocess.Popen] = []
    test_ini = Path(ckan_config["__file__"])
    site_url = ckan_config["ckan.site_url"]
    port = urlsplit(site_url).port

    def start(token: str, **environ: str) -> str:
        monkeypatch.setitem(ckan_config, "ckanext.xloader.api_token", token)
        ini = _live_ini(test_ini, token)
        log = open(tmp_path / "live-server.log", "wb")  # noqa: SIM115 - closed with the process
        env = dict(os.environ, CKAN_INI=str(ini), **environ)
        config_dir = Path(__file__).resolve().parent.parent / "config"
        procs.append(subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--chdir", str(config_dir), "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", "4", "wsgi:application"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        ))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{site_url}/api/3/action/status_show", timeout=10).ok:
                    return site_url
            except requests.RequestException:  # not up yet, or slow on a busy machine
                pass
            if procs[-1].poll() is not None:
                break
            time.sleep(0.5)
        raise RuntimeError(f"live CKAN did not start: {(tmp_path / 'live-server.log').read_text()}")

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def run_worker(ckan_config) -> Callable[..., subprocess.CompletedProcess]:
    """Run a real RQ worker (`ckan jobs worker --burst`) until the queues are empty."""

    def run(timeout: int = 180) -> subprocess.CompletedProcess:
        test_ini = Path(ckan_config["__file__"])
        ini = test_ini.with_name(f"{test_ini.stem}-live.ini")
        if not ini.exists():
            ini = test_ini
        return subprocess.run(
            [str(VENV_BIN / "ckan"), "-c", str(ini), "jobs", "worker", "--burst", "default"],
            capture_output=True, text=True, timeout=timeout, check=False,
        )

    return run
