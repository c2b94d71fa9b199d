"""Scheduled pulls through the real worker (issue 15, "Done when": "a scheduled pull runs
through the real worker ... reaching the inbox of the verifikator").

A local HTTP server plays the OPD system; `ckan satudata integrasi pull-due` (the
periodic job's command, its own process) queues the due pulls in Redis; a real
`ckan jobs worker` process fetches them through safe_fetch (127.0.0.1 allow-listed in
the worker's ini only) and imports them with the same checks as a file import. A pull
of a missing file fails and the OPD's operator and walidata get an in-app notification
and an e-mail (real SMTP).
"""
from __future__ import annotations

import datetime as dt
import http.server
import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import rq
import sqlalchemy as sa
from ckan import model
from ckan.lib.jobs import get_queue
from ckan.tests.helpers import call_action

from ckanext.satudata.integrasi import jobs
from ckanext.satudata.integrasi.model import IntegrasiPull, IntegrasiRun
from ckanext.verifikasi.model.notification import Notification
from ckanext.verifikasi.tests.world import make_world
from tests.live_worker import VENV_BIN, registered, running_worker, wait_for

pytestmark = [pytest.mark.live_server,
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index",
                                      "clean_queues")]

COLUMNS = [
    {"id": "kode", "label": "Kode Desa", "tipe_data": "CHARACTER", "key": True},
    {"id": "nama", "label": "Nama Desa", "tipe_data": "CHARACTER", "required": True},
    {"id": "jumlah", "label": "Jumlah Penduduk", "tipe_data": "INTEGER", "required": True},
]
FILES = {
    "/penduduk.csv": b"Kode Desa;Nama Desa;Jumlah Penduduk\n0164A;Sukorejo;1.234\n007;Pandaan;56\n"
,
    "/penduduk.json": json.dumps({"rows": [
        {"Kode Desa": "01", "Nama Desa": "Bangil", "Jumlah Penduduk": 10}]}).encode(),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's hook
        body = FILES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def opd_system() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def worker_ini(ckan_config, tmp_path) -> Path:
    """The test ini with the local OPD system allow-listed for server-side fetches."""
    source = Path(ckan_config["__file__"])
    text = source.read_text().replace(
        "use = config:", f"use = config:{source.parent}/", 1).replace(
        "[app:main]\n", "[app:main]\nckanext.satudata.fetch.allowed_networks = 127.0.0.1/32\n",
        1)
    ini = tmp_path / "worker.ini"
    ini.write_text(text)
    return ini


@pytest.fixture
def worker(worker_ini, tmp_path) -> Iterator[subprocess.Popen]:
    with running_worker(worker_ini, tmp_path / "worker.log") as proc:
        yield proc


def _wait_for(what: str, found: Callable[[], object], worker: subprocess.Popen,
              tmp_path: Path, seconds: float = 90) -> object:
    return wait_for(what, found, worker, tmp_path / "worker.log", seconds)


def _finished_run(input_id: str) -> IntegrasiRun | None:
    return model.Session.scalars(sa.select(IntegrasiRun).where(
        IntegrasiRun.input_id == input_id, IntegrasiRun.finished.is_not(None))).first()


def _pull_jobs_run_by(worker_name: str) -> list:
    queue = get_queue()
    done = rq.job.Job.fetch_many(queue.finished_job_registry.get_job_ids(),
                                 connection=queue.connection)
    return [j for j in done if j is not None and j.worker_name == worker_name
            and j.func_name == f"{jobs.__name__}.pull_input"]


def test_scheduled_pulls_run_through_the_worker_and_reach_the_verifikator(
        app, worker, worker_ini, opd_system, smtp_server, tmp_path):
    with app.flask_app.test_request_context():
        world = make_world()
        operator = world.context("operator")
        packages = []
        for _ in range(3):
            dataset = world.dataset()
            inp = call_action("satudata_input_package_create", operator,
                              package_id=dataset["id"], title="Penduduk per desa",
                              frequency="tahunan", columns=COLUMNS)
            packages.append((dataset, inp))
        created = call_action("satudata_integration_create", operator,
                              organization_id=world.opd["id"], system_name="SIAK Desa",
                              contact="Admin SIAK", api_description="berkas CSV/JSON harian",
                              data_structure="kode, nama, jumlah")
        call_action("satudata_integration_decide", world.context("walidata"),
                    id=created["id"], decision="approve")
        for (_ds, inp), (path, fmt) in zip(packages, [("/penduduk.csv", "csv"),
                                                       ("/penduduk.json", "json"),
                                                       ("/hilang.csv", "csv")], strict=True):
            call_action("satudata_integration_pull_set", operator, input_id=inp["id"],
                        integration_id=created["id"], url=opd_system + path, format=fmt,
                        schedule="daily", period="2025")
    worker_name = registered(worker.pid)

    # The periodic job's command, as the scheduler runs it (its own process).
    out = subprocess.run([str(VENV_BIN / "ckan"), "-c", str(worker_ini), "satudata",
                          "integrasi", "pull-due"], capture_output=True, text=True,
                         timeout=120, check=True)
    assert "3 penarikan diantrekan" in out.stdout, out.stdout + out.stderr
    (csv_ds, csv_inp), (_json_ds, json_inp), (_missing_ds, missing_inp) = packages
    runs = {inp["id"]: _wait_for("the pull's run", lambda i=inp["id"]: _finished_run(i),
                                 worker, tmp_path) for _ds, inp in packages}

    ok = runs[csv_inp["id"]]
    assert (ok.state, ok.mode, ok.rows_received, ok.rows_accepted, ok.rows_rejected) == (
        "success", "pull", 2, 2, 0), ok.errors
    assert runs[json_inp["id"]].state == "success"
    rows = call_action("satudata_input_rows_list", {"user": world.users["operator"]["name"]},
                       id=csv_inp["id"], period="2025")["rows"]
    assert sorted((r["kode"], r["jumlah"]) for r in rows) == [("007", "56"),
                                                              ("0164A", "1234")]
    # the pulls ran in the worker process (RQ files a job as finished just after the
    # job's own commit that `_finished_run` sees)
    _wait_for("the finished pull jobs", lambda: len(_pull_jobs_run_by(worker_name)) == 3,
              worker, tmp_path, 30)
    # not due again until tomorrow
    pull = model.Session.scalars(sa.select(IntegrasiPull).where(
        IntegrasiPull.input_id == csv_inp["id"])).one()
    assert pull.next_due > dt.datetime.utcnow() + dt.timedelta(hours=23)

    failed = runs[missing_inp["id"]]
    assert failed.state == "failed" and "404" in " ".join(failed.errors)
    told = set(model.Session.scalars(sa.select(Notification.user_id).where(
        Notification.package_id == missing_inp["package_id"])))
    assert {world.users["operator"]["id"], world.users["walidata"]["id"]} <= told
    _wait_for("the alert e-mails", lambda: smtp_server.to("operator@contoh.go.id")
              and smtp_server.to("walidata@contoh.go.id"), worker, tmp_path, 30)

    # the pulled rows go through verification like any other input
    with app.flask_app.test_request_context():
        call_action("verifikasi_submit", world.context("operator"), id=csv_ds["id"])
        inbox = call_action("verifikasi_queue_list", world.context("verifikator"))
    assert csv_ds["id"] in [i["id"] for i in inbox["waiting"]]


@pytest.mark.ckan_config("ckanext.satudata.fetch.allowed_networks", "127.0.0.1/32")
def test_a_pull_of_an_xlsx_with_a_wrong_row_writes_nothing_and_lists_every_error(
        app, opd_system):
    """In this process (no worker): the same checks as a file import, all or nothing."""
    import io  # noqa: PLC0415

    import openpyxl  # noqa: PLC0415

    from ckanext.satudata.integrasi import sync  # noqa: PLC0415

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kode Desa", "Nama Desa", "Jumlah Penduduk"])
    sheet.append(["01", "Bangil", 10])
    sheet.append(["02", "", "banyak"])
    sheet.append(["01", "Dobel", 3])
    out = io.BytesIO()
    book.save(out)
    FILES["/salah.xlsx"] = out.getvalue()
    with app.flask_app.test_request_context():
        world = make_world()
        dataset = world.dataset()
        inp = call_action("satudata_input_package_create", world.context("operator"),
                          package_id=dataset["id"], title="Penduduk per desa",
                          frequency="tahunan", columns=COLUMNS)
        call_action("satudata_integration_pull_set", world.context("operator"),
                    input_id=inp["id"], url=opd_system + "/salah.xlsx", format="xlsx",
                    schedule="weekly", period="2025")
        pull = model.Session.scalars(sa.select(IntegrasiPull)).one()
        run = sync.pull(pull.id, send_now=False)
    assert run is not None and run.state == "failed"
    assert (run.rows_received, run.rows_accepted, run.rows_rejected) == (3, 0, 2)
    assert len(run.errors) >= 3, run.errors  # name, number, duplicate key
    listing = call_action("satudata_input_package_show", world.context("operator"),
                          id=inp["id"])
    assert listing["periods"] == {}
