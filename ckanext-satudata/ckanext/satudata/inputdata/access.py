"""Finding the dataset a data-input request is about, and the team checks for it."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata.model import InputImport, InputPackage, SurveyLink, SurveySubmission


def _verifikasi():
    from ckanext.satudata.inputdata.publishing import _verifikasi

    return _verifikasi()


def input_package(input_id: Any) -> InputPackage:
    pkg = model.Session.get(InputPackage, str(input_id or ""))
    if pkg is None or pkg.state != "active":
        raise tk.ObjectNotFound(tk._("Input package not found"))
    return pkg


def package_of(data_dict: dict[str, Any]) -> str:
    """The dataset id behind any of the ids a data-input action takes."""
    if data_dict.get("package_id"):
        pkg = model.Package.get(str(data_dict["package_id"]))
        if pkg is None or pkg.state == "deleted":
            raise tk.ObjectNotFound(tk._("Dataset not found"))
        return pkg.id
    if data_dict.get("import_id"):
        found = model.Session.get(InputImport, str(data_dict["import_id"]))
        if found is None:
            raise tk.ObjectNotFound(tk._("Import not found"))
        return input_package(found.input_id).package_id
    if data_dict.get("link_id"):
        link = model.Session.get(SurveyLink, str(data_dict["link_id"]))
        if link is None:
            raise tk.ObjectNotFound(tk._("Survey link not found"))
        return input_package(link.input_id).package_id
    if data_dict.get("submission_ids"):
        ids = data_dict["submission_ids"]
        first = model.Session.get(SurveySubmission, str(ids[0] if isinstance(ids, list) else ids))
        if first is None:
            raise tk.ObjectNotFound(tk._("Submission not found"))
        return input_package(first.input_id).package_id
    return input_package(data_dict.get("id") or data_dict.get("input_id")).package_id


def is_team(user_name: str | None, package_id: str) -> bool:
    verifikasi = _verifikasi()
    if verifikasi is not None:
        return verifikasi.is_team(user_name, package_id)
    try:  # without verifikasi: whoever may edit the dataset
        tk.check_access("package_update", {"user": user_name}, {"id": package_id})
    except tk.NotAuthorized:
        return False
    return True


def is_operator(user_name: str | None, package_id: str) -> bool:
    verifikasi = _verifikasi()
    if verifikasi is not None:
        return verifikasi.is_operator(user_name, package_id)
    return is_team(user_name, package_id)


def usable_link(token: Any) -> SurveyLink:
    """The link behind a token, or an error saying why it cannot be used any more."""
    link = model.Session.query(SurveyLink).filter(SurveyLink.token == str(token or "")).first()
    if link is None:
        raise tk.ObjectNotFound(tk._("This form link does not exist"))
    input_package(link.input_id)
    if link.revoked is not None:
        raise tk.ValidationError({"link": [tk._("This form link has been revoked by its owner")]})
    if link.expires is not None and link.expires < dt.datetime.utcnow():
        raise tk.ValidationError({"link": [tk._("This form link expired on {date}").format(
            date=link.expires.strftime("%d/%m/%Y %H:%M"))]})
    if link.max_submissions is not None and link.submissions >= link.max_submissions:
        raise tk.ValidationError({"link": [tk._(
            "This form has received its maximum number of submissions")]})
    return link
