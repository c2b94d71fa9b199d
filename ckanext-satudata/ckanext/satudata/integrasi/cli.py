"""`ckan satudata integrasi ...`: the commands of integrations (attached to the satudata
group when the plugin loads this module)."""
from __future__ import annotations

import click

from ckanext.satudata.cli import satudata


@satudata.group(short_help="Integrations of OPD systems (scheduled pulls)")
def integrasi() -> None:
    """Integrations of OPD systems (issue 15, SOP 002)."""


@integrasi.command("pull-due")
def pull_due() -> None:
    """Queue the pulls that are due for the worker, and record (and alert) missed ones."""
    from ckanext.satudata.integrasi import jobs

    queued = jobs.enqueue_due()
    missed = jobs.record_missed()
    click.echo(f"Integrasi: {len(queued)} penarikan diantrekan, {missed} terlewat")
