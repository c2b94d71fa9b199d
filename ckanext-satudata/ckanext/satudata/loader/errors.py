"""What a load reports when it cannot go on: status messages and the exceptions that carry them.

Both exceptions may be raised in a converting child process (loader.children) and
re-raised in the job: they pickle with their fields.
"""
from __future__ import annotations

import copyreg
import re
from typing import Any

from ckanext.satudata.tabular.guard import FileRejected


def message(msgid: str, **params: Any) -> dict[str, Any]:
    """An error or notice kept in the status: English msgid + parameters, translated when shown."""
    return {"msgid": msgid, "params": params, "message": msgid.format(**params)}


_URL = re.compile(r"\b\w+://\S+")


def public_detail(exc: BaseException, limit: int = 300) -> str:
    """An unexpected error's text for the status shown to users: internal addresses
    (xloader/DataStore URLs such as http://127.0.0.1:...) replaced, length capped."""
    return _URL.sub("[alamat internal]", str(exc))[:limit]


class LoadFailed(Exception):
    """The load cannot go on; `errors` are status messages (with row/column where known)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"] if errors else "load failed")
        self.errors = errors

    def __reduce__(self) -> tuple[Any, ...]:  # raised in the converting child, re-raised here
        return LoadFailed, (self.errors,)


class Retype(Exception):
    """A value that does not fit a guessed type: the load restarts with the column as text."""

    def __init__(self, index: int, row: int, value: Any, code: str = "") -> None:
        super().__init__(index)
        self.index, self.row, self.value, self.code = index, row, value, code

    def __reduce__(self) -> tuple[Any, ...]:
        return Retype, (self.index, self.row, self.value, self.code)


def _pickle_file_rejected(exc: FileRejected) -> tuple[Any, ...]:
    return FileRejected, (exc.code, exc.message)


# FileRejected(code, message) cannot be rebuilt from its args when the child raises it.
copyreg.pickle(FileRejected, _pickle_file_rejected)
