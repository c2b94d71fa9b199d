"""`ckan verifikasi ...` commands."""
from __future__ import annotations

import click

__all__ = ["verifikasi"]


@click.group(short_help="Satu Data verification workflow commands")
def verifikasi() -> None:
    """Verification workflow of the Satu Data portal."""


@verifikasi.command("send-reminders")
def send_reminders() -> None:
    """E-mail operators whose corrections are past their deadline (once a day each)."""
    from ckanext.verifikasi import reminders

    count = reminders.send_overdue_reminders()
    click.echo(f"{count} pengingat tenggat dikirim")


@verifikasi.command("index-check")
@click.option("--repair", is_flag=True, help="Reindex drifted datasets, delete orphan documents.")
def index_check(repair: bool) -> None:
    """Compare the search index with the database (existence, state, private flag,
    workflow state, access class, metadata_modified); exit 1 if drift remains."""
    from ckanext.verifikasi import index_check as checker

    report = checker.check()
    for drift in report.drifts:
        click.echo(f"drift {drift.describe()}")
    click.echo(f"{report.datasets} datasets, {report.indexed} indexed, "
               f"{len(report.drifts)} drifted")
    if not report.drifts:
        return
    if not repair:
        raise SystemExit(1)
    checker.repair(report)
    click.echo(f"{report.reindexed} reindexed, {report.deleted} deleted, "
               f"{len(report.failed)} failed")
    remaining = checker.check().drifts
    for drift in remaining:
        click.echo(f"still drifted {drift.describe()}")
    if remaining:
        raise SystemExit(1)


def get_commands() -> list[click.Command]:
    return [verifikasi]
