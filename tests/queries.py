"""Counting the SQL statements a page costs (query counts must not grow with the data):
the helpers of ckanext-verifikasi's tests, shared by the root tests."""
from __future__ import annotations

from ckanext.verifikasi.tests.queries import queries_of, statements

__all__ = ["queries_of", "statements"]
