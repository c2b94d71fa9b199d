"""A file refused with every problem found in it: what the boundary importer
(`batas.importer`) and the desa/kelurahan importer (`wilayah_import`) share."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar


class Renders(Protocol):
    def render(self) -> str: ...


P = TypeVar("P", bound=Renders)


class InvalidFile(Exception, Generic[P]):
    """The file has problems; nothing was written. `problems` are kept in the order of
    the file (`order`); `render_summary` says how many there are, and where."""

    def __init__(self, problems: Iterable[P], order: Callable[[P], Any]) -> None:
        found = list(problems)
        super().__init__(f"{len(found)} problem(s)")
        self.problems = sorted(found, key=order)

    def render_summary(self) -> str:
        raise NotImplementedError

    def report(self) -> list[str]:
        """Every problem, one line each, then the summary."""
        return [problem.render() for problem in self.problems] + [self.render_summary()]
