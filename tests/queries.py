"""Counting the SQL statements a page costs (query counts must not grow with the data)."""
from __future__ import annotations

import sqlalchemy as sa
from ckan import model


def queries_of(app, path: str) -> int:
    """SQL statements one GET of `path` runs, starting from an empty session (whether an
    object is still in the identity map must not decide the count)."""
    model.Session.remove()
    count = 0

    def counter(*_args, **_kwargs):
        nonlocal count
        count += 1

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", counter)
    try:
        assert app.get(path).status_code == 200, path
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", counter)
    return count
