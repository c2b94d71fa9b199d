"""Scan of an uploaded tabular file, read with the project's own readers (streaming)."""
from __future__ import annotations

from ckanext.satudata.tabular.read import open_table

from .detect import ColumnTally, Finding, findings


def scan_file(path: str, filename: str, resource_id: str, resource_name: str,
              max_rows: int | None = None) -> list[Finding]:
    """Findings of the first visible sheet; the first non-empty row is the header.

    With `max_rows`, only the first that many data rows are read (a large file is
    judged by its head; its DataStore table, when loaded, is scanned on its own).
    """
    with open_table(path, filename) as table:
        headers: list[str] = []
        tallies: list[ColumnTally] = []
        seen = 0
        for number, cells in table.rows():
            if not headers:
                headers = [str(c if c is not None else "") for c in cells]
                tallies = [ColumnTally() for _ in headers]
                continue
            for index, value in enumerate(cells[:len(headers)]):
                tallies[index].add(number, value)
            seen += 1
            if max_rows is not None and seen >= max_rows:
                break
    return findings(resource_id, resource_name, headers, tallies)
