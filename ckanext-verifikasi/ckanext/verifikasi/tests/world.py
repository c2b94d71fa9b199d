"""Two OPDs with people in every role, made through the real actions."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.snapshot import Snapshot

#: The password of every account the tests make with CKAN's user factories (the
#: portal's root conftest.py gives it to `ckan.tests.factories.User` and its
#: subclasses, since the portal's password policy refuses their own ones): long, no
#: dictionary word an account here is named after, zxcvbn score 4.
PASSWORD = "Kopi-Tubruk-Bromo-7391"

#: The fields a dataset of the installed schema needs to be complete, as a
#: function (title, year, OPD title) -> fields. The schema belongs to
#: ckanext-satudata, which this package never imports: the portal's root
#: conftest.py sets this (see `pytest_configure` there).
complete_fields: Callable[[str, int, str], dict[str, Any]] | None = None


def _complete_fields(title: str, year: int, opd_title: str) -> dict[str, Any]:
    if complete_fields is None:
        raise RuntimeError("world.complete_fields is not set (root conftest.py sets it)")
    return complete_fields(title, year, opd_title)


@dataclass
class World:
    opd: dict[str, Any]
    other_opd: dict[str, Any]
    users: dict[str, dict[str, Any]]

    def context(self, who: str) -> dict[str, Any]:
        return {"user": self.users[who]["name"], "ignore_auth": False}

    def dataset(self, klasifikasi: str = "terbuka", **fields: Any) -> dict[str, Any]:
        """A complete dataset created by the OPD's operator (a private draft)."""
        data = {
            "name": fields.pop("name", None) or f"data-{uuid.uuid4().hex[:12]}",
            "title": fields.pop("title", "Jumlah Posyandu per Kecamatan"),
            "owner_org": self.opd["id"], "kategori": "DATA_DASAR",
            "klasifikasi_akses": klasifikasi, "license_id": "cc-by",
            **_complete_fields("Jumlah Posyandu", 2025, self.opd["title"]), **fields,
        }
        return call_action("package_create", self.context("operator"), **data)

    def publish(self, dataset_id: str) -> None:
        """Through both stages: operator submits, verifikator and walidata approve."""
        call_action("verifikasi_submit", self.context("operator"), id=dataset_id)
        call_action("verifikasi_approve", self.context("verifikator"), id=dataset_id)
        call_action("verifikasi_approve", self.context("walidata"), id=dataset_id)


ROLES = {
    "operator": ("operator", "opd"), "verifikator": ("verifikator", "opd"),
    "verifikator2": ("verifikator", "opd"), "surveyor": ("surveyor", "opd"),
    "other_operator": ("operator", "other_opd"), "other_verifikator": ("verifikator", "other_opd"),
    "walidata": ("walidata", None),
    # Pembina Data reads everything and comments; walidata pendukung is a walidata for
    # its OPD only (here the first one; `other_pendukung` for the other OPD).
    "pembina": ("pembina", None),
    "walidata_pendukung": ("walidata_pendukung", "opd"),
    "other_pendukung": ("walidata_pendukung", "other_opd"),
}


_WORLDS: Snapshot[World] = Snapshot()


def make_world() -> World:
    """The world, built through the actions; on a clean database, the rows of the first
    build of this configuration written back (see `snapshot`)."""
    return _WORLDS.restore_or_build(_build_world)


def _account_name(who: str, suffix: str) -> str:
    """Not from faker: a restored world's names must never be a later factory's pick."""
    return f"{who.replace('_', '-')}-{suffix}"


def _build_world() -> World:
    suffix = uuid.uuid4().hex[:8]
    admin = factories.Sysadmin(name=_account_name("sysadmin", suffix))
    opd = factories.Organization(title="Dinas Kesehatan")
    other = factories.Organization(title="Dinas Pendidikan")
    users: dict[str, dict[str, Any]] = {"sysadmin": admin}
    for who, (role, where) in ROLES.items():
        user = factories.UserWithToken(name=_account_name(who, suffix),
                                       email=f"{who}@contoh.go.id", fullname=who.title())
        users[who] = user
        args = {"user": user["name"], "role": role}
        if where:
            args["organization"] = {"opd": opd, "other_opd": other}[where]["id"]
        call_action("verifikasi_role_assign", {"user": admin["name"]}, **args)
    for who, email in (("stranger", "warga@contoh.id"), ("grantee", "peneliti@contoh.ac.id"),
                       ("expired_grantee", "lama@contoh.ac.id")):
        users[who] = factories.UserWithToken(name=_account_name(who, suffix), email=email)
    return World(opd=opd, other_opd=other, users=users)
