"""Assignment letters (surat tugas): the PDFs and their rows.

A PDF goes through CKAN's uploader (`ckan.lib.uploader.Upload`: the declared and the
detected type must be `application/pdf`, see `ckan.upload.verifikasi_surat_tugas.*`; at
most `ckanext.verifikasi.letter_max_mb`), but is kept in `<storage>/verifikasi_surat_tugas/`
under a random name: outside `<storage>/storage/`, which CKAN serves to everyone at `/`.
Only the account pages send it, to walidata and sysadmins.
"""
from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import uploader

from ckanext.verifikasi import config
from ckanext.verifikasi.model.account_letter import AccountLetter

OBJECT_TYPE = "verifikasi_surat_tugas"
#: The form/API field of the PDF.
FILE_FIELD = "letter_upload"


def storage_dir() -> str | None:
    base = uploader.get_storage_path()
    return os.path.join(base, OBJECT_TYPE) if base else None


class LetterUpload(uploader.Upload):
    """CKAN's uploader, storing in the private folder under a random name."""

    def __init__(self) -> None:
        super().__init__(OBJECT_TYPE)
        folder = storage_dir()
        if folder is None:
            return
        os.makedirs(folder, exist_ok=True)
        self.storage_path = folder

    def update_data_dict(self, data_dict: dict[str, Any], url_field: str, file_field: str,
                         clear_field: str) -> None:
        super().update_data_dict(data_dict, url_field, file_field, clear_field)
        self.filename: str | None
        if self.filename and self.storage_path:
            # The uploader's name (time + the sender's file name) would be guessable.
            self.filename = f"{uuid.uuid4().hex}.pdf"
            self.filepath = os.path.join(self.storage_path, self.filename)
            self.tmp_filepath = self.filepath + "~"
            data_dict[url_field] = self.filename


def _field_error(message: str) -> tk.ValidationError:
    return tk.ValidationError({FILE_FIELD: [message]})


def prepare(data_dict: dict[str, Any]) -> LetterUpload | None:
    """Check the PDF in `data_dict[FILE_FIELD]` (a file upload), before anything is stored.

    Returns the uploader to `store` it with, None without a file. Raises ValidationError
    (on `letter_upload`) for another type."""
    if not data_dict.get(FILE_FIELD):
        data_dict.pop(FILE_FIELD, None)
        return None
    upload = LetterUpload()
    target: dict[str, Any] = {FILE_FIELD: data_dict.pop(FILE_FIELD)}
    try:
        upload.update_data_dict(target, "file_name", FILE_FIELD, "clear_letter")
    except tk.ValidationError:
        raise _field_error(tk._("The assignment letter must be a PDF file")) from None
    if not upload.filename:
        raise _field_error(tk._("The assignment letter must be a file upload"))
    return upload


def store(upload: LetterUpload | None) -> tuple[str | None, int | None]:
    """Write the prepared PDF; (storage name, size) or (None, None)."""
    if upload is None:
        return None, None
    try:
        upload.upload(config.letter_max_mb())
    except tk.ValidationError:
        raise _field_error(tk._("The assignment letter is larger than {mb} MB").format(
            mb=config.letter_max_mb())) from None
    assert upload.filepath
    return upload.filename, os.path.getsize(upload.filepath)


def discard(file_name: str | None) -> None:
    """Remove a stored PDF (its account was not created after all)."""
    path = file_path(file_name) if file_name else None
    if path and os.path.exists(path):
        os.remove(path)


def file_path(file_name: str) -> str | None:
    folder = storage_dir()
    if folder is None or os.path.basename(file_name) != file_name:
        return None
    return os.path.join(folder, file_name)


def add(user_id: str, event: str, number: str, letter_date: dt.date,
        file_name: str | None, file_size: int | None, actor: str) -> AccountLetter:
    letter = AccountLetter(user_id=user_id, event=event, number=number,
                           letter_date=letter_date, file_name=file_name,
                           file_size=file_size, created_by=actor)
    model.Session.add(letter)
    return letter


def as_dict(letter: AccountLetter) -> dict[str, Any]:
    return {"id": letter.id, "user_id": letter.user_id, "event": letter.event,
            "number": letter.number, "letter_date": letter.letter_date.isoformat(),
            "has_file": bool(letter.file_name), "file_size": letter.file_size,
            "created": letter.created.isoformat() if letter.created else None,
            "created_by": letter.created_by}


def of_users(user_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every letter of these users, newest first, in one query."""
    found: dict[str, list[dict[str, Any]]] = {u: [] for u in user_ids}
    if not user_ids:
        return found
    rows = model.Session.scalars(sa.select(AccountLetter).where(
        AccountLetter.user_id.in_(user_ids)).order_by(AccountLetter.created.desc(),
                                                      AccountLetter.id.desc()))
    for letter in rows:
        found[letter.user_id].append(as_dict(letter))
    return found


def get(letter_id: int) -> AccountLetter | None:
    return model.Session.get(AccountLetter, letter_id)
