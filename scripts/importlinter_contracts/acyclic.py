"""An import-linter contract type: no import cycles among the modules of a package.

import-linter 2.5 (the newest that runs beside CKAN's click 8.1) has no such
contract. grimp records imports made inside functions too, so a cycle hidden
behind a function-level import is found.
"""
from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _cycles(graph: ImportGraph, modules: list[str]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    inside = set(modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def edges(module: str) -> list[str]:
        return sorted(m for m in graph.find_modules_directly_imported_by(module) if m in inside)

    for start in sorted(modules):
        if start in index:
            continue
        work = [(start, iter(edges(start)))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges(child))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


class AcyclicContract(Contract):
    """Modules of `containers` (and their sub-packages) import each other without cycles.

    Configuration options:
        - containers: packages whose modules are checked (tests may be left out
          with `ignore_packages`).
        - ignore_packages: packages left out of the check (optional).
    """

    type_name = "acyclic"

    containers = fields.SetField(subfield=fields.ModuleField())
    ignore_packages = fields.SetField(subfield=fields.ModuleField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        ignored = [m.name for m in (self.ignore_packages or [])]  # type: ignore[attr-defined]
        modules = []
        for container in self.containers:  # type: ignore[attr-defined]
            for name in {container.name} | graph.find_descendants(container.name):
                if not any(name == i or name.startswith(i + ".") for i in ignored):
                    modules.append(name)
        cycles = _cycles(graph, modules)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error("Import cycle: " + " <-> ".join(cycle), bold=False)
            output.new_line()
