"""Where reports live: their files under `<ckan.storage_path>/satudata_reports/` (never a
public directory: they are served only by /laporan after an auth check), their rows
in `satudata_report`."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata.laporan.model import Report
from ckanext.satudata.laporan.periods import Period

FORMATS = ("xlsx", "pdf")


def root() -> Path:
    base = tk.config.get("ckan.storage_path")
    if not base:
        raise RuntimeError("ckan.storage_path is not set: reports need a storage directory")
    return Path(base) / "satudata_reports"


def find(period: str, owner_org: str | None) -> Report | None:
    stmt = sa.select(Report).where(Report.period == period)
    stmt = stmt.where(Report.owner_org.is_(None) if owner_org is None
                      else Report.owner_org == owner_org)
    return model.Session.execute(stmt).scalars().first()


def write(period: Period, owner_org: str | None, slug: str, files: dict[str, bytes],
          user_id: str | None) -> Report:
    """Store the files (replacing those of an earlier run of the same period and OPD;
    a format not generated now keeps its earlier file) and the report's row."""
    folder = root() / period.key
    folder.mkdir(parents=True, exist_ok=True)
    report = find(period.key, owner_org)
    if report is None:
        report = Report(kind=period.kind, period=period.key, period_start=period.start,
                        period_end=period.end, owner_org=owner_org)
        model.Session.add(report)
    for fmt, content in files.items():
        relative = f"{period.key}/laporan-{period.key}-{slug}.{fmt}"
        target = root() / relative
        partial = target.with_suffix(f".{fmt}.part")
        partial.write_bytes(content)
        os.replace(partial, target)
        setattr(report, f"{fmt}_path", relative)
    report.created = dt.datetime.utcnow()
    report.created_by = user_id
    model.Session.commit()
    return report


def path(report: Report, fmt: str) -> Path | None:
    """The file of a report in a format, None when there is none."""
    relative = getattr(report, f"{fmt}_path", None) if fmt in FORMATS else None
    if not relative:
        return None
    full = (root() / relative).resolve()
    if root().resolve() not in full.parents or not full.is_file():
        return None
    return full
