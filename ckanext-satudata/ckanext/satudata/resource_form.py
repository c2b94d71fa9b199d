"""The resource stage of the dataset form: "Selesai" with nothing filled in adds nothing.

The browser sends the resource form's file box even when no file was chosen: an empty
upload (no file name, no bytes). CKAN's `CreateView.post` counts any upload as data
("data provided"), so "Selesai" (`save=go-metadata`) or "Simpan & tambah lagi" on an
empty form created a resource with no URL, no file and no name ("Sumber daya tanpa
nama"), which was published with the dataset.

`drop_empty_uploads` runs before that view (an app-wide `before_request`) and removes
the file parts that carry no file from the request, so core's own rule applies: with
nothing filled in, a dataset that has resources is finished without a new one, a
dataset without any stays on the form with core's error ("add at least one data
resource"), and nothing is created. Every other request is left as it is.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from werkzeug.datastructures import ImmutableMultiDict

satudata_resource_form = Blueprint("satudata_resource_form", __name__)


def _is_resource_new_post() -> bool:
    blueprint, _, view = (request.endpoint or "").rpartition(".")
    return request.method == "POST" and view == "new" and blueprint.endswith("_resource")


@satudata_resource_form.before_app_request
def drop_empty_uploads() -> Any:
    """Remove file parts without a file from a post of the new-resource form."""
    if not _is_resource_new_post():
        return None
    files = request.files
    kept = [(key, storage) for key, storage in files.items(multi=True) if storage.filename]
    if len(kept) != len(list(files.items(multi=True))):
        request.files = ImmutableMultiDict(kept)  # type: ignore[misc]
    return None
