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


def get_commands() -> list[click.Command]:
    return [verifikasi]
