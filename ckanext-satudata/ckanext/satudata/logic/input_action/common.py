"""What the data input actions share: the caller, the input package of a request, its
periods and the column a message is about."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata.inputdata import access
from ckanext.satudata.model import InputPackage
from ckanext.satudata.tabular.structure import Period, Structure


def user_of(context: Context) -> model.User:
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("Log in first"))
    return user


def input_of(data_dict: DataDict) -> InputPackage:
    """The input package `id`, once every other id of the request is found to belong to it.

    The auth functions check the same (`access.agreed`), but sysadmins skip them.
    """
    access.package_of(data_dict)
    return access.input_package(data_dict.get("id"))


def period_of(input_pkg: InputPackage, code: Any) -> Period:
    """The period `code`, which must fit the package's frequency."""
    try:
        period = Period.parse(str(code or ""))
    except ValueError:
        period = None
    if period is None or period.frequency != input_pkg.frequency:
        raise tk.ValidationError({"period": [tk._(
            'The period "{code}" does not fit this package\'s frequency ({frequency})').format(
            code=code or "", frequency=input_pkg.frequency)]})
    return period


def column_id(structure: Structure, header: str | None) -> str | None:
    """The id of the column whose id or label is `header`."""
    for column in structure.columns:
        if header in (column.id, column.label):
            return column.id
    return None


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise tk.ValidationError(errors)
