"""The personal data gate of the workflow (issue 14): a dataset whose data could become
public is scanned before it is submitted and again before it is published, and the step
is refused while a column holds personal data that no accepted exception covers.

It applies to datasets of kategori Data Mikro and to every dataset whose access class is
not the secret one (`terbuka`, `terbatas`): `rahasia` data never becomes public.
The refusal names the resource, the column and sample row numbers, never a value.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.verifikasi import shared as verifikasi

from . import scan

log = logging.getLogger(__name__)

MICRODATA = "DATA_MIKRO"
#: The steps after which data may become public (submitting starts the way there).
GATED_STATES = frozenset({"submitted", "published"})


def signal() -> Any:
    """verifikasi's signal sent before a workflow step is taken."""
    return verifikasi.before_transition


def applies(package: model.Package) -> bool:
    """Data Mikro always; otherwise every dataset that is not `rahasia`."""
    extras = package.extras
    if extras.get("kategori") == MICRODATA:
        return True
    return extras.get(verifikasi.access_class_field()) != verifikasi.secret_class()


def _kind_label(kind: str) -> str:
    return {"nik": "NIK", "nip": "NIP", "phone": tk._("phone numbers"),
            "email": tk._("e-mail addresses"), "name": tk._("names")}.get(kind, kind)


def message(finding: dict[str, Any]) -> str:
    """One finding for the user: resource, column, kind, count and sample rows."""
    place = {"datastore": tk._('Table "{resource}", column "{column}"'),
             "file": tk._('File "{resource}", column "{column}"'),
             "input": tk._('Entered data "{resource}", column "{column}"'),
             "records": tk._('Records sent to "{resource}", column "{column}"')}[
        finding["source"]].format(resource=finding["resource_name"], column=finding["column"])
    kind = _kind_label(finding["kind"])
    if finding["kind"] == "name" or not finding["rows"]:
        return tk._("{place}: holds {kind} next to personal data.").format(
            place=place, kind=kind)
    rows = ", ".join(str(r) for r in finding["rows"])
    text = tk._("{place}: {kind} in {count} rows (for example rows {rows}).").format(
        place=place, kind=kind, count=finding["count"], rows=rows)
    if finding.get("sampled"):
        text += " " + tk._("(counted in a sample of the table)")
    return text


def messages(found: list[dict[str, Any]]) -> list[str]:
    return [*(message(f) for f in found), tk._(
        "Personal data may not be published. Remove or mask these columns, or ask the "
        "walidata to record an accepted exception (with a reason) for a column.")]


def check(package: model.Package, incoming: list[dict[str, Any]] | None = None) -> None:
    """The one check of every path by which data can become public: raise
    ValidationError({"data_pribadi": [...]}) while personal data that no exception
    covers is in the dataset's data, or in `incoming` data about to become part of its
    published version (records or an upload: `scan.records_findings`/`upload_findings`).

    Called by the workflow's steps and direct publications (`on_before_transition`)
    and by writes that go live at once (`paths`)."""
    if not applies(package):
        return
    found = scan.blocking_findings(package.id, incoming)
    if found:
        log.info("personal data gate: dataset %s held back (%d column(s))",
                 package.id, len(found))
        raise tk.ValidationError({"data_pribadi": messages(found)})


def on_before_transition(package_id: str, *, package: model.Package, to_state: str,
                         **_: Any) -> None:
    """Receiver of verifikasi's `before_transition`: submitting and publishing are gated,
    in the workflow and in a direct publication (a sysadmin's create, update or patch,
    bulk_update_public, a harvester's edit of a published dataset)."""
    if to_state in GATED_STATES:
        check(package)
