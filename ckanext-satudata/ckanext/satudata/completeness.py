"""The completeness check's problems grouped by the dataset form's pages (MS-Keg blocks).

Each problem of `metadata.check` (the same declaration that puts the "*" on the form)
is placed on the form page that holds its field, with a link to that field on that page
(`#field-<name>`, the id scheming gives the field's input), so the operator goes
straight to what is missing. Pages come in form order; a field on no page (a schema
without form pages) is listed under the first group.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata import form_pages, metadata


def _page_url(pkg: dict[str, Any], page: int) -> str:
    """The form page of the dataset: the wizard's while it is unfinished (CKAN `draft`),
    else the edit form's ("Kelola")."""
    package_type = pkg.get("type") or metadata.DATASET_TYPE
    endpoint = "scheming_new_page" if pkg.get("state") == "draft" else "scheming_edit_page"
    return tk.h.url_for(f"{package_type}.{endpoint}", id=pkg["name"], page=page)


def by_page(pkg: dict[str, Any], problems: list[dict[str, Any]] | None = None
            ) -> list[dict[str, Any]]:
    """The dataset's completeness problems grouped by form page.

    Args:
        pkg: the dataset (package_show).
        problems: `metadata.check(pkg)` when already computed.

    Returns:
        [{"page": n, "label": "Blok II · Penyelenggara", "url": page URL,
          "problems": [{field, label, kind, message, url: page URL + "#field-<name>"}]}]
        in form order; only pages with problems.
    """
    package_type = pkg.get("type") or metadata.DATASET_TYPE
    if problems is None:
        problems = metadata.check(pkg, package_type)
    if not problems:
        return []
    pages = tk.h.scheming_get_dataset_form_pages(package_type) or []
    page_of: dict[str, int] = {}
    for number, page in enumerate(pages, start=1):
        for field in page.get("fields", []):
            page_of.setdefault(field["field_name"], number)
    groups: dict[int, dict[str, Any]] = {}
    for problem in problems:
        number = page_of.get(problem["field"], 1)
        if number not in groups:
            if pages:
                url = _page_url(pkg, number)
                label = form_pages.page_label(
                    tk.h.scheming_language_text(pages[number - 1].get("title", "")))
            else:
                url = tk.h.url_for(f"{package_type}.edit", id=pkg["name"])
                label = ""
            groups[number] = {"page": number, "label": label, "url": url, "problems": []}
        group = groups[number]
        group["problems"].append({**problem, "url": f"{group['url']}#field-{problem['field']}"})
    return [groups[n] for n in sorted(groups)]
