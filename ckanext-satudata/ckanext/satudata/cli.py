"""`ckan satudata ...` commands."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from ckanext.satudata import periodic as periodic_jobs
from ckanext.satudata.fileproblems import InvalidFile

__all__ = ["satudata"]


@click.group(short_help="Satu Data Pasuruan commands")
def satudata() -> None:
    """Satu Data Kabupaten Pasuruan portal commands."""


@satudata.command("seed-demo")
def seed_demo() -> None:
    """Load the demo OPDs, users and datasets (safe to run again)."""
    from ckanext.satudata import demo

    # The Daftar Data's actions answer with dates in the language of a request.
    with click.get_current_context().meta["flask_app"].test_request_context():
        summary = demo.seed()
    click.secho(
        "Demo: {organizations} OPD, {users} pengguna, {datasets} dataset, "
        "{indicators} indikator, {drafts} draf".format(**summary),
        fg="green",
    )


@satudata.group(short_help="Desa/kelurahan reference codes")
def wilayah() -> None:
    """Reference codes of the desa and kelurahan of Kabupaten Pasuruan."""


def _refuse(err: InvalidFile[Any]) -> NoReturn:
    """List every problem of a refused file and its summary, then exit with 1."""
    for line in err.report():
        click.secho(line, fg="red", err=True)
    raise click.exceptions.Exit(1) from None


@wilayah.command("import")
@click.argument("path", metavar="FILE.csv",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def wilayah_import(path: Path) -> None:
    """Import the official desa/kelurahan list from a CSV file.

    Header: kode_kemendagri,kode_bps,nama,jenis (`,` or `;`, UTF-8). Every row
    is checked first; if any row is bad, each problem is listed and nothing is
    imported (exit code 1). Importing the same file again changes nothing.
    """
    from ckanext.satudata import wilayah_import as importer

    try:
        summary = importer.import_file(path)
    except importer.InvalidFile as err:
        _refuse(err)
    click.secho(summary.render(), fg="green")


@wilayah.command("import-batas")
@click.argument("path", metavar="FILE",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--code-property", default="kode", show_default=True,
              help="The feature property holding the region code (Kemendagri 35.14.01 / "
                   "35.14.01.2001 or BPS 3514010 / 3514010001).")
def wilayah_import_batas(path: Path, code_property: str) -> None:
    """Import official kecamatan/desa boundaries (the monitoring's map) from a GeoJSON
    FeatureCollection (.geojson, .json) or a zipped Shapefile (.zip), at most 50 MB.

    Every feature is checked first; if any is bad, each problem is listed with the
    feature's number and nothing is imported (exit code 1). Importing the same file
    again changes nothing.
    """
    from ckanext.satudata.batas import importer

    # Messages in the portal's default language (they need a request's locale).
    with click.get_current_context().meta["flask_app"].test_request_context():
        try:
            summary = importer.import_file(path, code_property)
        except importer.InvalidFile as err:
            _refuse(err)
        click.secho(summary.render(), fg="green")


@satudata.command("discard-stale-imports")
@click.option("--hours", type=int, default=None,
              help="Keep checked imports this many hours (default: the configured "
                   "ckanext.satudata.input.keep_checked_imports_hours).")
def discard_stale_imports(hours: int | None) -> None:
    """Discard uploaded import files that were checked but never applied."""
    import datetime as dt

    from ckanext.satudata import config
    from ckanext.satudata.inputdata import import_files

    keep = hours if hours is not None else config.input_keep_checked_imports_hours()
    count = import_files.discard_stale(dt.timedelta(hours=keep))
    click.echo(f"{count} impor yang tidak diterapkan dibuang (lebih dari {keep} jam)")


@satudata.group(short_help="Daftar Data and the release calendar")
def daftar() -> None:
    """Daftar Data (issue 12): reminders of planned release dates."""


@daftar.command("remind")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as on this day (WIB), YYYY-MM-DD; default today.")
def daftar_remind(on: dt.datetime | None) -> None:
    """Remind OPDs of release dates coming or missed, and walidata of late releases
    (weekly); each reminder is sent once (safe to run every hour)."""
    from ckanext.satudata.daftar import reminders

    sent = reminders.send(on.date() if on else None)
    click.echo(f"Daftar Data: {sent.before} pengingat jadwal, {sent.missed} jadwal "
               f"terlewat, {sent.digest} ringkasan mingguan ({sent.notifications} notifikasi)")


@satudata.group(short_help="Permohonan Data (data requests)")
def permohonan() -> None:
    """Permohonan Data (issue 14): reminders of request deadlines."""


@permohonan.command("remind")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as on this day (WIB), YYYY-MM-DD; default today.")
def permohonan_remind(on: dt.datetime | None) -> None:
    """Remind walidata and the handling OPD of request deadlines coming or passed;
    each reminder is sent once (safe to run every hour)."""
    from ckanext.satudata.permohonan import reminders

    sent = reminders.send(on.date() if on else None)
    click.echo(f"Permohonan Data: {sent.before} pengingat tenggat, {sent.overdue} "
               f"melewati tenggat ({sent.notifications} notifikasi)")


@satudata.group(short_help="Metadata quality scores and tickets")
def quality() -> None:
    """Metadata quality (issue 13): scores and correction tickets."""


@quality.command("scan")
@click.option("--quiet-notifications", is_flag=True, default=False,
              help="Open tickets without telling the OPDs (a first scan of old data).")
def quality_scan(quiet_notifications: bool) -> None:
    """Score every dataset, open tickets for failing checks and close fixed ones."""
    from ckanext.satudata.quality import jobs as quality_jobs

    done = quality_jobs.scan(notify=not quiet_notifications)
    click.echo(f"Kualitas metadata: {done['scored']} dataset dinilai, {done['opened']} tiket "
               f"dibuka, {done['closed']} tiket ditutup")


@satudata.group(short_help="Harvest jobs")
def harvest() -> None:
    """Harvesting (issue 15): jobs that never finish."""


@harvest.command("mark-stuck")
@click.option("--source", "source_id", default=None, help="Only this harvest source (id or name).")
def harvest_mark_stuck(source_id: str | None) -> None:
    """Mark harvest jobs waiting or running without progress for longer than
    ckanext.satudata.harvest.job_timeout_minutes as finished, with the reason."""
    import ckan.plugins.toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    result = tk.get_action("satudata_harvest_mark_stuck")(
        {"user": site_user["name"]}, {"source_id": source_id} if source_id else {})
    click.echo(f"Pekerjaan panen macet dihentikan: {len(result['jobs'])} "
               f"(batas {result['timeout_minutes']} menit)")
    for job_id in result["jobs"]:
        click.echo(f"  {job_id}")


@satudata.command("report")
@click.option("--period", default=None,
              help="2026-11 (month), 2026-Q3 (quarter) or 2026 (year).")
@click.option("--format", "fmt", type=click.Choice(["all", "pdf", "xlsx"]), default="all",
              show_default=True)
@click.option("--organization", default=None, help="Only this OPD's report (id or name).")
@click.option("--mail", is_flag=True, default=False,
              help="E-mail the portal's report to ckanext.satudata.report.recipients.")
@click.option("--due", is_flag=True, default=False,
              help="Generate and e-mail the reports of the month, quarter and year that "
                   "ended last, unless already generated (the periodic job).")
def report(period: str | None, fmt: str, organization: str | None, mail: bool,
           due: bool) -> None:
    """Generate the periodic reports (/laporan) of a period: the portal's and every
    OPD's, as PDF and XLSX."""
    import ckan.plugins.toolkit as tk

    from ckanext.satudata.laporan import generate as report_generate

    if due == bool(period):
        raise click.UsageError("give either --period or --due")
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    keys = [p.key for p in report_generate.due()] if due else [str(period)]
    for key in keys:
        started = time.perf_counter()
        params = {"period": key, "format": fmt, "mail": mail or due}
        if organization:
            params["organization"] = organization
        try:
            done = tk.get_action("satudata_report_generate")(dict(context), params)
        except tk.ValidationError as e:
            raise click.ClickException(str(e.error_summary)) from None
        click.echo(f"Laporan {key}: {len(done['reports'])} laporan dibuat, "
                   f"{done['mailed']} e-mail terkirim "
                   f"({time.perf_counter() - started:.1f} s)")
        for r in done["reports"]:
            click.echo(f"  {r['organization_title'] or 'Semua OPD'}: {', '.join(r['formats'])}")
    if not keys:
        click.echo("Laporan: tidak ada periode yang perlu dibuat")


@satudata.group(short_help="The portal's periodic jobs")
def periodic() -> None:
    """The periodic jobs (loader sweep, harvest runs, reminders, view counts,
    stale imports, search index check) on one schedule; see
    ckanext.satudata.periodic."""


def _in_process(root: click.Context) -> periodic_jobs.Runner:
    """Runs a `ckan` command line in this process, through the root `ckan` group
    (the commands of every enabled plugin, without importing them)."""
    group = root.command
    assert isinstance(group, click.Group)

    def run(command: Sequence[str]) -> int:
        from ckan import model

        name, *args = command
        sub = group.get_command(root, name)
        if sub is None:
            click.secho(f"no such command: ckan {name} (is its plugin enabled?)",
                        fg="red", err=True)
            return 2
        try:
            with sub.make_context(name, list(args), parent=root) as ctx:
                sub.invoke(ctx)
        except click.exceptions.Exit as err:
            return err.exit_code
        except click.ClickException as err:
            err.show()
            return err.exit_code
        except SystemExit as err:
            return err.code if isinstance(err.code, int) else 1
        finally:
            # A job's failed transaction must not reach the next job.
            model.Session.remove()
        return 0

    return run


def _run_pass(now: float) -> list[periodic_jobs.Outcome]:
    runner = _in_process(click.get_current_context().find_root())

    def logged(command: Sequence[str]) -> int:
        click.echo(f"{_stamp()} ckan {' '.join(command)}")
        code = runner(command)
        if code:
            click.echo(f"{_stamp()} ckan {' '.join(command)} failed with exit code {code}",
                       err=True)
        return code

    return periodic_jobs.run_due(now, logged)


def _stamp() -> str:
    import datetime as dt

    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@periodic.command("run-due")
def periodic_run_due() -> None:
    """Run the jobs that are due now, once each; exit 1 if one of them failed."""
    outcomes = _run_pass(time.time())
    click.echo(f"{len(outcomes)} periodic jobs run")
    if any(outcome.exit_code for outcome in outcomes):
        raise click.exceptions.Exit(1)


@periodic.command("loop")
@click.option("--tick", type=click.IntRange(min=1), default=60, show_default=True,
              help="Seconds between two checks for due jobs.")
@click.option("--heartbeat", type=click.Path(dir_okay=False, path_type=Path),
              help="File touched after each successful harvest run (health check).")
def periodic_loop(tick: int, heartbeat: Path | None) -> None:
    """Run the due jobs every TICK seconds, until stopped by TERM (after the
    running pass; a second TERM at once) or INT."""
    import signal

    state = {"busy": False, "stop": False}

    def stop(_signum: int, _frame: object) -> None:
        # The running jobs finish first; a second TERM does not wait for them.
        if not state["busy"] or state["stop"]:
            raise SystemExit(0)
        state["stop"] = True

    signal.signal(signal.SIGTERM, stop)
    next_pass = time.time()
    while not state["stop"]:
        state["busy"] = True
        for outcome in _run_pass(time.time()):
            if heartbeat and outcome.job.name == "harvest" and outcome.exit_code == 0:
                heartbeat.touch()
        state["busy"] = False
        # On the tick, whatever the jobs took; a pass that overran starts the next at once.
        next_pass = max(next_pass + tick, time.time())
        if not state["stop"]:
            time.sleep(next_pass - time.time())


@periodic.command("status")
def periodic_status() -> None:
    """Each job, its interval, when it last ran and whether it is due."""
    import datetime as dt

    now = time.time()
    jobs = periodic_jobs.schedule()
    last = periodic_jobs.last_runs(jobs)
    for job in jobs:
        started = last[job.name]
        when = (dt.datetime.fromtimestamp(started).astimezone().isoformat(timespec="seconds")
                if started is not None else "never")
        state = "due" if periodic_jobs.due(job, started, now) else "not due"
        click.echo(f"{job.name}: every {job.every} s, last run {when}, {state}"
                   f" (ckan {' '.join(job.command(now))})")


def get_commands() -> list[click.Command]:
    return [satudata]
