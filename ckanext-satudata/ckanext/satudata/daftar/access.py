"""Who may do what with the Daftar Data.

Walidata (verifikasi's global role) and sysadmins manage every year's list; an
OPD's operators and verifikators read their own OPD's entries; nobody else
(anonymous visitors, users without a role, surveyors) reads anything through the
actions: the public sees the release calendar's pages, which hide what is not public.

Roles come from verifikasi through its shared module (walidata) and its
`verifikasi_role_list` action (OPD roles): satudata never reads its tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata import verification

#: The OPD roles that read their own OPD's Daftar Data.
READER_ROLES = frozenset({"operator", "verifikator"})


@dataclass(frozen=True)
class Caller:
    user: model.User | None
    manager: bool = False
    #: OPD ids whose entries the caller reads (managers: all, not listed).
    opds: frozenset[str] = field(default_factory=frozenset)

    def reads(self, organization_id: str) -> bool:
        return self.manager or organization_id in self.opds

    @property
    def reads_any(self) -> bool:
        return self.manager or bool(self.opds)


def caller(user_name: str | None) -> Caller:
    """The caller's powers over the Daftar Data (one role query)."""
    user = model.User.get(user_name) if user_name else None
    if user is None or user.state != "active":
        return Caller(None)
    if user.sysadmin:
        return Caller(user, manager=True)
    shared = verification.shared()
    if shared is None:
        return Caller(user)
    if shared.is_walidata(user.name):
        return Caller(user, manager=True)
    held = tk.get_action("verifikasi_role_list")(
        {"ignore_auth": True, "user": user.name}, {"user": user.id})
    opds = frozenset(r["organization_id"] for r in held
                     if r["role"] in READER_ROLES and r["organization_id"])
    return Caller(user, opds=opds)
