"""Counting the SQL statements a piece of work or a page costs (query counts must not grow
with the data). Used by the tests of both packages (tests/queries.py re-exports it)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from ckan import model


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement run inside the block, in order (listened for on all engines)."""
    found: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any) -> None:
        found.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", remember)
    try:
        yield found
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", remember)


def queries_of(app: Any, path: str, headers: dict[str, str] | None = None) -> int:
    """SQL statements one GET of `path` runs (it must answer 200), starting from an empty
    session (whether an object is still in the identity map must not decide the count)."""
    model.Session.remove()
    with statements() as found:
        response = app.get(path, headers=headers) if headers is not None else app.get(path)
        assert response.status_code == 200, path
    return len(found)
