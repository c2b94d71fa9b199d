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


class _LiveServer:
    """The worker's gunicorn, kept running for the next test that asks for the same one.

    Starting one costs seconds (CKAN loads every plugin); tests that act with the same
    token and environment (the world's walidata token is the same in every test, see
    `ckanext.verifikasi.tests.snapshot`) share it. Only one runs at a time: it holds the
    port of `ckan.site_url`. It keeps nothing a test made: the databases, Solr and Redis
    are the tests' own, cleaned by their fixtures.
    """

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.key: tuple | None = None

    def ensure(self, key: tuple, ini: Path, site_url: str, environ: dict[str, str]) -> str:
        if self.key == key and self.proc is not None and self.proc.poll() is None:
            return site_url
        self.stop()
        log_path = self.log_dir / "live-server.log"
        log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
        env = dict(os.environ, CKAN_INI=str(ini), **environ)
        config_dir = Path(__file__).resolve().parent.parent / "config"
        port = urlsplit(site_url).port
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--chdir", str(config_dir), "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", "4", "wsgi:application"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{site_url}/api/3/action/status_show", timeout=10).ok:
                    self.key = key
                    return site_url
            except requests.RequestException:  # not up yet, or slow on a busy machine
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"live CKAN did not start: {log_path.read_text()}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.proc, self.key = None, None


@pytest.fixture(scope="session")
def _live_server(tmp_path_factory) -> Iterator[_LiveServer]:
    server = _LiveServer(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture
def live_ckan(ckan_config, monkeypatch, _live_server) -> Callable[..., str]:
    """CKAN under gunicorn on ckan.site_url, acting with `token` for xloader.

    A function taking the API token (and environment variables for the server) and
    returning the base URL. The server shares the test databases, Solr core and
    Redis with the test; one started for an earlier test with the same token and
    environment is used again.
    """
    test_ini = Path(ckan_config["__file__"])
    site_url = ckan_config["ckan.site_url"]

    def start(token: str, **environ: str) -> str:
        monkeypatch.setitem(ckan_config, "ckanext.xloader.api_token", token)
        ini = _live_ini(test_ini, token)
        key = (str(ini), ini.read_text(encoding="utf-8"), tuple(sorted(environ.items())))
        return _live_server.ensure(key, ini, site_url, environ)

    return start


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
