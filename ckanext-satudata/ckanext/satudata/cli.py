"""`ckan satudata ...` commands."""
from __future__ import annotations

import click

__all__ = ["satudata"]


@click.group(short_help="Satu Data Pasuruan commands")
def satudata() -> None:
    """Satu Data Kabupaten Pasuruan portal commands."""


@satudata.command("seed-demo")
def seed_demo() -> None:
    """Load the demo OPDs, users and datasets (safe to run again)."""
    from ckanext.satudata import demo

    summary = demo.seed()
    click.secho(
        "Demo: {organizations} OPD, {users} pengguna, {datasets} dataset".format(**summary),
        fg="green",
    )


def get_commands() -> list[click.Command]:
    return [satudata]
