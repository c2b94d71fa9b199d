"""Saving one page of a multi-page dataset form keeps the fields of every other page.

The dataset form is split into scheming form pages (general SDI fields, then one
MS-Keg block a page). A page posts only its own fields. Scheming's page views save
with `package_patch`, but CKAN's own `CreateView.post` — where the form of an
unfinished draft (CKAN state `draft`) posts, even when opened with "Kelola" —
saves with a full `package_update`: with scheming every field is an extra, and an
update replaces all extras, so every field of the other pages was erased.

`complete_form_page` runs inside `package_update` (chained in logic/action.py), the
one place every form save goes through. It acts only on saves from a form:
`context["allow_partial_update"]` (set by CKAN's dataset form views; an API
client cannot set it) together with the form page in `_ckan_phase` (posted by
scheming's form template). API callers of
`package_update` keep CKAN's documented replace semantics.

Everything else stored is kept (fields of other pages, free extras such as a
harvester's, resources, tags, groups), as `package_patch` would; the fields of the
posted page are taken as posted: a page sends all of its fields, so one missing
there (no box ticked in a checkbox list) is cleared, as in any form.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

PHASE = "_ckan_phase"
_BLOCK = re.compile(r"^((?:blok|block) [IVX]+(?:-[IVX]+)?)\s+(.+)$", re.IGNORECASE)


def page_label(title: str) -> str:
    """Short step label of a form page.

    "MS-Keg: Blok VI Pengumpulan Data" -> "Blok VI · Pengumpulan Data".

    The common "MS-Keg:" prefix is dropped, so narrow steps show the block name
    rather than a label cut to "MS-…".
    """
    text = title.strip()
    if text.lower().startswith("ms-keg:"):
        text = text[len("ms-keg:"):].strip()
    match = _BLOCK.match(text)
    if match:
        return f"{match.group(1)} \u00b7 {match.group(2)}"
    return text


def _page_fields(package_type: str, phase: Any) -> set[str] | None:
    """Names of the fields on form page `phase` (1-based); None if it is not a page number."""
    pages = tk.h.scheming_get_dataset_form_pages(package_type) or []
    try:
        page = int(phase)
    except (TypeError, ValueError):
        return None
    if not 1 <= page <= len(pages):
        return None
    return {field["field_name"] for field in pages[page - 1]["fields"]}


def _posted(name: str, data_dict: DataDict) -> bool:
    """Whether the form sent field `name`, as a value or as repeating subfields (`name-0-sub`)."""
    prefix = f"{name}-"
    return name in data_dict or any(
        isinstance(key, str) and key.startswith(prefix) for key in data_dict)


def complete_form_page(context: Context, data_dict: DataDict) -> DataDict:
    """`data_dict` completed with everything stored that its form page does not carry.

    Like `package_patch` (stored dataset overlaid with the post: fields of other
    pages, free extras, resources, tags...), except that the posted page's own
    fields are exactly as posted. Returns `data_dict` itself when the save is not a
    form page of a paged schema.
    """
    if not context.get("allow_partial_update") or PHASE not in data_dict:
        return data_dict
    pkg = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if pkg is None:
        return data_dict
    package_type = pkg.type or "dataset"
    if not tk.h.scheming_get_dataset_form_pages(package_type):
        return data_dict
    # An unknown page keeps everything the post does not carry.
    on_page = _page_fields(package_type, data_dict[PHASE]) or set()
    stored = tk.get_action("package_show")(
        {"ignore_auth": True, "for_update": True}, {"id": pkg.id})
    completed = {key: value for key, value in stored.items()
                 if key not in on_page and not _posted(key, data_dict)}
    completed.update(data_dict)
    return completed
