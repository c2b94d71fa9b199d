"""Permission labels of verifikasi (no dependencies: access and the workflow import it)."""
from __future__ import annotations

from ckan import model

WALIDATA_LABEL = "verifikasi-walidata"


def opd_label(organization_id: str) -> str:
    return f"verifikasi-opd-{organization_id}"


def grant_label(package_id: str) -> str:
    return f"verifikasi-grant-{package_id}"


def team_labels(pkg: model.Package) -> list[str]:
    """Labels that reach only the dataset's team (OPD roles, its CKAN members, walidata)."""
    labels = [WALIDATA_LABEL]
    if pkg.owner_org:
        labels += [opd_label(pkg.owner_org), f"member-{pkg.owner_org}"]
    return labels
