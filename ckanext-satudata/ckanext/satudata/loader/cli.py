"""`ckan satudata-loader ...` commands."""
from __future__ import annotations

import click

__all__ = ["satudata_loader"]


@click.group("satudata-loader", short_help="DataStore loader of Satu Data")
def satudata_loader() -> None:
    """The DataStore loader (shadow table and swap)."""


@satudata_loader.command("sweep")
def sweep() -> None:
    """Re-enqueue or fail loads whose job stopped without finishing."""
    from ckanext.satudata.loader.stale import sweep_stale_loads

    done = sweep_stale_loads()
    for item in done:
        click.echo(f"{item['resource_id']}: {item['action']}")
    click.echo(f"stale loads handled: {len(done)}")


def get_commands() -> list[click.Group]:
    return [satudata_loader]
