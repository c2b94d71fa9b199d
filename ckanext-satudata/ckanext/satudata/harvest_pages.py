"""What a harvest source's page lists: its datasets as the viewer may see them.

ckanext-harvest's source page counts and lists the source's datasets with a
`package_search` that leaves private datasets out, so the walidata saw "0" datasets
and an empty list for a source whose harvested datasets are all private drafts
waiting for review. Here the same search includes private datasets (and drafts);
the search's permission labels still decide what each viewer sees (the walidata
everything, an OPD its own, a visitor the published ones).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page
from markupsafe import Markup

from ckanext.satudata.request_args import int_arg

__all__ = ["source_dataset_count", "source_dataset_list"]

PAGE_SIZE = 20


def _search(source_id: str, rows: int, start: int) -> dict[str, Any]:
    user = tk.current_user.name if tk.current_user.is_authenticated else ""
    return tk.get_action("package_search")({"user": user}, {
        "fq": f'+harvest_source_id:"{source_id}"', "rows": rows, "start": start,
        "sort": "metadata_modified desc", "include_private": True, "include_drafts": True})


def source_dataset_count(source_id: str) -> int:
    """How many of the source's datasets the current user may see."""
    return int(_search(source_id, 0, 0)["count"])


def source_dataset_list(source_id: str, source_name: str) -> Markup:
    """The source's datasets the current user may see, a page at a time (`?page=`)."""
    page = int_arg("page")  # ?page=abc is a 400 naming the field
    result = _search(source_id, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    if not result["results"]:
        return Markup(tk.h.snippet("snippets/package_list_empty.html"))
    base_url = tk.h.url_for("harvest.read", id=source_name)
    pager = Page(collection=result["results"], page=page, item_count=result["count"],
                      items_per_page=PAGE_SIZE,
                      url=lambda q=None, page=None: f"{base_url}?page={page}" if page
                      else base_url)
    pager.items = result["results"]
    return Markup(tk.h.snippet("snippets/package_list.html", packages=result["results"])
                  + pager.pager())
