"""Documents of an integration request, stored through CKAN's uploader
(storage/uploads/integrasi/), size-limited, kept as the SOP's archive."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import magic
from ckan import model
from ckan.lib import uploader

from ckanext.satudata.integrasi.model import IntegrasiDocument

UPLOAD_TO = "integrasi"
#: Largest document, in MB (CKAN's uploader counts whole MB).
MAX_MB = 10
#: What a request's documents may be, by their content (not their name).
ALLOWED_MIMETYPES = frozenset({
    "application/pdf", "text/plain", "text/csv", "application/json", "application/zip",
    "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet", "image/png", "image/jpeg"})


class DocumentUpload(uploader.Upload):
    """CKAN's file uploader (storage/uploads/integrasi/) with this package's own type
    check: the allowed types are fixed here instead of `ckan.upload.integrasi.*`."""

    def verify_type(self) -> None:
        if not self.upload_file:
            return
        content = self.upload_file.read(2048)
        self.upload_file.seek(0)
        guessed = magic.from_buffer(content, mime=True)
        if guessed not in ALLOWED_MIMETYPES:
            raise tk.ValidationError({"upload": [tk._(
                "This kind of file cannot be uploaded ({type}): upload a PDF, office "
                "document, text, CSV, image or ZIP file").format(type=guessed)]})


def store(integrasi_id: str, upload: Any, user_id: str) -> IntegrasiDocument:
    """Store one uploaded file; a ValidationError (nothing stored) when it is missing or
    too large. The caller commits."""
    filename = os.path.basename(getattr(upload, "filename", "") or "")
    if not filename or "\x00" in filename:
        raise tk.ValidationError({"upload": [tk._("Choose a file to upload")]})
    up = DocumentUpload(UPLOAD_TO)
    data: dict[str, Any] = {"upload": upload}
    up.update_data_dict(data, "url", "upload", "clear_upload")
    stored = data.get("url")
    if not stored:
        raise tk.ValidationError({"upload": [tk._("Choose a file to upload")]})
    try:
        up.upload(max_size=MAX_MB)
    except tk.ValidationError as err:
        raise tk.ValidationError({"upload": [tk._("The file is larger than {mb} MB").format(
            mb=MAX_MB)]}) from err
    path = path_of(stored)
    doc = IntegrasiDocument(integrasi_id=integrasi_id, filename=filename,
                            storage_name=stored, size=path.stat().st_size,
                            uploaded_by=user_id)
    model.Session.add(doc)
    return doc


def path_of(storage_name: str) -> Path:
    up = DocumentUpload(UPLOAD_TO)
    base = Path(str(getattr(up, "storage_path", "") or ""))
    path = (base / storage_name).resolve()
    if base.resolve() not in path.parents:
        raise tk.ObjectNotFound(tk._("Document not found"))
    return path


def file_of(document_id: str) -> Path:
    """The stored file of a document (its access is checked by the caller's action)."""
    doc = model.Session.get(IntegrasiDocument, document_id)
    if doc is None:
        raise tk.ObjectNotFound(tk._("Document not found"))
    return path_of(doc.storage_name)


def document_dict(doc: IntegrasiDocument) -> dict[str, Any]:
    return {"id": doc.id, "filename": doc.filename, "size": doc.size,
            "uploaded": doc.uploaded.isoformat(), "uploaded_by": doc.uploaded_by}
