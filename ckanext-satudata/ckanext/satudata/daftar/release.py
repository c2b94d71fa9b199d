"""Actual release dates, set when verifikasi publishes a linked dataset (never by hand).

verifikasi sends `published` (through `ckanext.verifikasi.shared`) after a dataset or
an update of it is published by walidata's approval (stage 2) and committed. If the
dataset serves an entry of the Daftar Data, one period of that entry gets its actual
release time (the time of the signal, UTC):

1. the period the dataset's own period metadata names, when the dataset's year
   (`tahun_kegiatan`) is the entry's year and the metadata names a period of the
   entry's frequency (`periode_bulan` for monthly, `periode_triwulan` or the month
   for quarterly, either for half-yearly; yearly and one-off entries have one period):
   if that period was already released, the publication is a correction and nothing
   changes;
2. otherwise the earliest period (in period order) without an actual release date.

An actual date, once set, never moves: later publications (corrections, metadata
edits) leave it as it is.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.satudata.daftar import periods as P
from ckanext.satudata.daftar.model import DaftarEntry, DaftarPeriod

log = logging.getLogger(__name__)


def covered_period(entry: DaftarEntry, periods: list[DaftarPeriod],
                   extras: dict[str, Any]) -> DaftarPeriod | None:
    """The period a publication of the entry's dataset covers (see the module's rule)."""
    by_code = {p.period: p for p in periods}
    year = str(extras.get("tahun_kegiatan") or "").strip()
    if year == str(entry.year):
        code = P.period_from_metadata(entry.frequency, extras.get("periode_bulan"),
                                      extras.get("periode_triwulan"))
        if code in by_code:
            named = by_code[code]
            return None if named.released else named
    return next((p for p in sorted(periods, key=lambda p: p.position) if not p.released), None)


def on_published(package_id: str, **_: Any) -> None:
    """Receiver of verifikasi's `published` signal (sender: dataset id)."""
    entry = model.Session.execute(sa.select(DaftarEntry).where(
        DaftarEntry.package_id == package_id)).scalars().first()
    if entry is None:
        return
    pkg = model.Package.get(package_id)
    if pkg is None:
        return
    periods = list(model.Session.execute(sa.select(DaftarPeriod).where(
        DaftarPeriod.entry_id == entry.id).with_for_update()).scalars())
    period = covered_period(entry, periods, dict(pkg.extras))
    if period is None:
        model.Session.commit()  # ends the row lock; nothing changed
        return
    period.released = dt.datetime.utcnow()
    period.released_package_id = package_id
    entry.modified = period.released  # the calendar's caches follow `modified`
    model.Session.commit()
    log.info("Daftar Data %s: period %s released by the publication of %s",
             entry.id, period.period, package_id)
