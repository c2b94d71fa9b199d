"""Finding the dataset a data-input request is about, and the team checks for it.

Authorization follows the object (DESIGN.md): every id a request carries is looked up and
its owning dataset taken from the object itself, never from a `package_id` sent alongside.
A request whose ids belong to different input packages or datasets is refused.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import localtime, verification
from ckanext.satudata.model import InputImport, InputPackage, SurveyLink, SurveySubmission


def input_package(input_id: Any) -> InputPackage:
    pkg = model.Session.get(InputPackage, str(input_id or ""))
    if pkg is None or pkg.state != "active":
        raise tk.ObjectNotFound(tk._("Input package not found"))
    return pkg


@dataclass(frozen=True)
class Owner:
    """One object id of a request (`field`), with the input package and dataset owning it."""

    field: str
    input_id: str | None
    package_id: str


def _ids(value: Any) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else [value]
    return [str(i) for i in items if i]


def owners(data_dict: dict[str, Any]) -> list[Owner]:
    """Who owns each object the request names, looked up from the object itself.

    Fields: `package_id` (a dataset), `id`/`input_id` (an input package), `import_id`,
    `link_id`, `submission_ids` (one id or a list). An unknown id is an ObjectNotFound;
    a request naming none of them names a missing input package.
    """
    found: list[Owner] = []
    if data_dict.get("package_id"):
        pkg = model.Package.get(str(data_dict["package_id"]))
        if pkg is None or pkg.state == "deleted":
            raise tk.ObjectNotFound(tk._("Dataset not found"))
        found.append(Owner("package_id", None, pkg.id))
    for field in ("id", "input_id"):
        if data_dict.get(field):
            inp = input_package(data_dict[field])
            found.append(Owner(field, inp.id, inp.package_id))
    for field, table, missing in (
            ("import_id", InputImport, tk._("Import not found")),
            ("link_id", SurveyLink, tk._("Survey link not found"))):
        if data_dict.get(field):
            obj = model.Session.get(table, str(data_dict[field]))
            if obj is None:
                raise tk.ObjectNotFound(missing)
            inp = input_package(obj.input_id)
            found.append(Owner(field, inp.id, inp.package_id))
    ids = _ids(data_dict.get("submission_ids"))
    if ids:
        input_ids = dict(model.Session.execute(
            sa.select(SurveySubmission.id, SurveySubmission.input_id).where(
                SurveySubmission.id.in_(ids))).all())
        if set(ids) - set(input_ids):
            raise tk.ObjectNotFound(tk._("Submission not found"))
        for input_id in sorted(set(input_ids.values())):
            inp = input_package(input_id)
            found.append(Owner("submission_ids", inp.id, inp.package_id))
    if not found:
        raise tk.ObjectNotFound(tk._("Input package not found"))
    return found


def agreed(found: list[Owner]) -> str:
    """The one dataset owning every object of the request.

    Raises a ValidationError naming the field whose object belongs elsewhere: objects of
    one request belong to one input package, and that to the `package_id` given, if any.
    """
    inputs = [o for o in found if o.input_id]
    for owner in inputs[1:]:
        if owner.input_id == inputs[0].input_id:
            continue
        if owner.field == inputs[0].field == "submission_ids":
            raise tk.ValidationError({"submission_ids": [tk._(
                "Choose submissions of one input package")]})
        raise tk.ValidationError({owner.field: [tk._(
            "Does not belong to the input package given in {field}").format(
            field=inputs[0].field)]})
    datasets = {o.package_id for o in found}
    if len(datasets) > 1:
        raise tk.ValidationError({"package_id": [tk._(
            "The input package of this request belongs to another dataset")]})
    return datasets.pop()


def package_of(data_dict: dict[str, Any]) -> str:
    """The dataset owning what a data-input request acts on (see `owners` and `agreed`)."""
    return agreed(owners(data_dict))


def is_team(user_name: str | None, package_id: str) -> bool:
    verifikasi = verification.shared()
    if verifikasi is not None:
        return verifikasi.is_team(user_name, package_id)
    try:  # without verifikasi: whoever may edit the dataset
        tk.check_access("package_update", {"user": user_name}, {"id": package_id})
    except tk.NotAuthorized:
        return False
    return True


def is_operator(user_name: str | None, package_id: str) -> bool:
    verifikasi = verification.shared()
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
            date=localtime.datetime_wib(link.expires))]})
    if link.max_submissions is not None and link.submissions >= link.max_submissions:
        raise tk.ValidationError({"link": [tk._(
            "This form has received its maximum number of submissions")]})
    return link
