"""`ckan satudata ...` commands."""
from __future__ import annotations

from pathlib import Path

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
        "Demo: {organizations} OPD, {users} pengguna, {datasets} dataset, "
        "{indicators} indikator, {drafts} draf".format(**summary),
        fg="green",
    )


@satudata.group(short_help="Desa/kelurahan reference codes")
def wilayah() -> None:
    """Reference codes of the desa and kelurahan of Kabupaten Pasuruan."""


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
        for problem in err.problems:
            click.secho(problem.render(), fg="red", err=True)
        click.secho(err.render_summary(), fg="red", err=True)
        raise click.exceptions.Exit(1) from None
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


def get_commands() -> list[click.Command]:
    return [satudata]
