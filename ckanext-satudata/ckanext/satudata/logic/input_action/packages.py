"""Input packages: the columns and frequency of rows entered for a dataset."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata.inputdata import access, publishing, worktable
from ckanext.satudata.logic.input_action import schema
from ckanext.satudata.logic.input_action.common import input_of, raise_if, user_of
from ckanext.satudata.model import InputPackage
from ckanext.satudata.tabular.structure import Structure


def package_dict(input_pkg: InputPackage, counts: dict[str, int] | None = None,
                 ) -> dict[str, Any]:
    structure = Structure.from_dict(input_pkg.structure)
    return {
        "id": input_pkg.id, "package_id": input_pkg.package_id,
        "resource_id": input_pkg.resource_id, "title": input_pkg.title,
        "frequency": input_pkg.frequency, "columns": structure.to_dict()["columns"],
        "stamp": structure.stamp(), "pending": input_pkg.pending,
        "created": input_pkg.created.isoformat(), "modified": input_pkg.modified.isoformat(),
        "periods": counts if counts is not None else {},
    }


def satudata_input_package_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create an input package for a dataset.

    Args:
        package_id: the dataset.
        title: what the rows are (e.g. "Jumlah penduduk per kecamatan").
        frequency: tahunan | semesteran | triwulanan | bulanan.
        columns: [{id, label, tipe_data, satuan, value_domain, required, key}].
    """
    tk.check_access("satudata_input_package_create", context, data_dict)
    user = user_of(context)
    package_id = access.package_of(data_dict)
    publishing.writable_or_raise(package_id)
    data, errors = schema.validate(data_dict, schema.package_create(), context)
    try:
        structure = schema.structure(data_dict.get("columns"))
    except tk.ValidationError as err:
        errors.update(err.error_dict)
    raise_if(errors)
    input_pkg = InputPackage(package_id=package_id, title=data["title"],
                             frequency=data["frequency"], structure=structure.to_dict(),
                             created_by=user.id)
    model.Session.add(input_pkg)
    model.Session.flush()
    with worktable.transaction() as conn:
        worktable.ensure(conn, input_pkg.id, structure)
    model.Session.commit()
    publishing.ensure_resource(input_pkg)
    return package_dict(input_pkg)


def satudata_input_package_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Rename an input package or change its columns (entered rows are kept and converted).

    Args:
        id: the input package.
        title, columns: as in satudata_input_package_create (omit to keep).
    """
    tk.check_access("satudata_input_package_update", context, data_dict)
    input_pkg = input_of(data_dict)
    publishing.writable_or_raise(input_pkg.package_id)
    data, errors = schema.validate(data_dict, schema.package_update(), context)
    raise_if(errors)
    if "title" in data:
        input_pkg.title = data["title"]
    if "columns" in data_dict:
        structure = schema.structure(data_dict["columns"])
        with worktable.transaction() as conn:
            worktable.ensure(conn, input_pkg.id, structure)
        input_pkg.structure = structure.to_dict()
        model.Session.commit()
        publishing.after_rows_changed(input_pkg)
    model.Session.commit()
    return package_dict(input_pkg)


def satudata_input_package_delete(context: Context, data_dict: DataDict) -> None:
    """Delete an input package and its pending rows (the published resource stays)."""
    tk.check_access("satudata_input_package_delete", context, data_dict)
    input_pkg = input_of(data_dict)
    publishing.writable_or_raise(input_pkg.package_id)
    input_pkg.state = "deleted"
    with worktable.transaction() as conn:
        worktable.drop(conn, input_pkg.id)
    model.Session.commit()


@tk.side_effect_free
def satudata_input_package_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An input package with its columns and the row count of each period."""
    tk.check_access("satudata_input_package_show", context, data_dict)
    input_pkg = input_of(data_dict)
    with worktable.transaction() as conn:
        counts = worktable.period_counts(conn, input_pkg.id)
    return package_dict(input_pkg, counts)


@tk.side_effect_free
def satudata_input_package_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The input packages of a dataset (package_id)."""
    tk.check_access("satudata_input_package_list", context, data_dict)
    package_id = access.package_of(data_dict)
    packages = model.Session.scalars(sa.select(InputPackage).where(
        InputPackage.package_id == package_id, InputPackage.state == "active")
        .order_by(InputPackage.created)).all()
    return [package_dict(p) for p in packages]
