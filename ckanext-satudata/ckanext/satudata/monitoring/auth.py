"""Auth of `satudata_monitoring_show`: walidata and sysadmins see every OPD, an OPD's
operators and verifikators their own OPD (asking for another OPD is refused), nobody
else anything. Decided from the OPD asked for, looked up, never trusted."""
from __future__ import annotations

from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.satudata.daftar import access

__all__ = ["satudata_monitoring_show"]


def satudata_monitoring_show(context: Context, data_dict: DataDict) -> AuthResult:
    who = access.caller(context.get("user"))
    wanted = str(data_dict.get("organization") or "")
    if not wanted:
        return {"success": who.reads_any}
    org = model.Group.get(wanted)
    if org is None or not org.is_organization:
        return {"success": who.manager}
    return {"success": who.reads(org.id)}
