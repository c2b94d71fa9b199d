"""The comment form's route, `POST /verifikasi/dataset/<id>/comment` (a route of the
`verifikasi_pages` blueprint: login required, its error handlers). The action checks
who may comment, from the dataset."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.verifikasi.pages import _action, _dataset_page, _messages, verifikasi_pages


@verifikasi_pages.route("/dataset/<id>/comment", methods=["POST"])
def dataset_comment(id: str) -> Any:
    text = (tk.request.form.get("text") or "").strip()
    try:
        _action("verifikasi_comment_create", {"id": id, "text": text})
    except tk.ValidationError as err:
        label = tk._("Comment")
        for message in _messages(err.error_dict):
            tk.h.flash_error(f"{label}: {message}")
        return _dataset_page(id, "comment", None, {"text": text}, 400)
    tk.h.flash_success(tk._("Your comment was added to the verification history."))
    return tk.redirect_to(tk.url_for("verifikasi_pages.dataset", id=id) + "#verifikasi-history")
