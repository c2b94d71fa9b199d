"""Fixtures of the loader tests: a clean DataStore, uploaded resources, RQ workers."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def clean_datastore(clean_db, clean_index):
    import ckanext.datastore.tests.helpers as ds_helpers

    engine = ds_helpers.db.get_write_engine()
    ds_helpers.rebuild_all_dbs(ds_helpers.orm.scoped_session(
        ds_helpers.orm.sessionmaker(bind=engine)))


@pytest.fixture
def run_worker(with_test_worker) -> Callable[[], None]:
    """Run the queued jobs in this process until the default queue is empty.

    CKAN's RQ worker with `with_test_worker`: no work horse is forked and no CKAN
    booted, the jobs see this test's configuration. The load itself still forks its
    converting children (loader.children). Where the worker process is the point,
    use `real_worker`.
    """

    def run() -> None:
        from ckan.lib.jobs import Worker

        Worker(["default"]).work(burst=True)

    return run


@pytest.fixture
def real_worker(ckan_config, tmp_path) -> Callable[..., subprocess.CompletedProcess]:
    """Run a real RQ worker (`ckan jobs worker --burst`) until the default queue is empty.

    The worker reads the test ini plus the settings this test changed (storage path, loader).
    """

    def run(timeout: int = 300, **settings: str) -> subprocess.CompletedProcess:
        test_ini = Path(ckan_config["__file__"])
        text = test_ini.read_text(encoding="utf-8")
        overrides = {"ckan.storage_path": ckan_config["ckan.storage_path"], **settings}
        ini = tmp_path / "worker.ini"
        ini.write_text(
            f"[app:main]\nuse = config:{test_ini}\n"
            + "".join(f"{k} = {v}\n" for k, v in overrides.items()) + "\n"
            + text[text.index("[loggers]"):], encoding="utf-8")
        result = subprocess.run(
            [str(VENV_BIN / "ckan"), "-c", str(ini), "jobs", "worker", "--burst",
             "default"], capture_output=True, text=True, timeout=timeout, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    return run


@pytest.fixture
def clean_queue():
    from ckan.lib.jobs import get_queue

    get_queue().empty()
    yield
    get_queue().empty()


@pytest.fixture
def upload_resource(create_with_upload, sysadmin_context) -> Callable[..., dict[str, Any]]:
    """Create a resource with an uploaded file (xloader's automatic submission included)."""

    def make(data: str | bytes, filename: str, package_id: str, **fields: Any) -> dict[str, Any]:
        fmt = filename.rsplit(".", 1)[-1].upper()
        return create_with_upload(data, filename, context=dict(sysadmin_context),
                                  package_id=package_id, url=filename, format=fmt, **fields)

    return make
