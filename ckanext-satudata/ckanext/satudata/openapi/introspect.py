"""What CKAN's action registry says about an action: the function behind the
registered wrapper, the chained actions in front of it, and the input schema it
validates with (for the OpenAPI document, `spec`).

The schema is the `schema_func` of `tk.validate` / `validate_action_data` (found in
the decorator's closure), or else the first zero-argument call of a schema function in
the action's own body (`tk.navl_validate(data_dict, schema.listing(), context)`,
`logic.schema.default_package_search_schema()`). Every private CKAN name this feature
relies on (`logic._actions`, the closure cell names of `get_action`'s wrapper, of
chained actions and of `tk.validate`) is used in this module only.
"""
from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import ckan.logic as logic
import ckan.plugins.toolkit as tk

__all__ = ["closure", "registered_actions", "schema_of", "unwrap"]


def registered_actions() -> dict[str, Callable[..., Any]]:
    """Every action of the action API, as `get_action` resolves it (plugins loaded)."""
    if not logic._actions:
        tk.get_action("status_show")  # fills the registry, as the first API call would
    return dict(logic._actions)


def closure(fn: Any) -> dict[str, Any]:
    code = getattr(fn, "__code__", None)
    cells = getattr(fn, "__closure__", None) or ()
    found: dict[str, Any] = {}
    if code is None:
        return found
    for name, cell in zip(code.co_freevars, cells, strict=False):
        try:
            found[name] = cell.cell_contents
        except ValueError:  # an empty cell
            continue
    return found


def unwrap(registered: Callable[..., Any]) -> tuple[Any, list[Any]]:
    """The action function behind `get_action`'s wrapper, and the chained actions in
    front of it (outermost first): a chained action is `partial(chained, previous)`."""
    fn = closure(registered).get("_action", registered)
    chain = []
    while isinstance(fn, functools.partial) and fn.args:
        chain.append(fn.func)
        fn = fn.args[0]
    return fn, chain


def _call_schema(schema_func: Any) -> dict[str, Any] | None:
    try:
        found = schema_func()
    except Exception:  # noqa: BLE001 - a schema that needs a request or arguments: no schema
        return None
    return found if isinstance(found, dict) and found else None


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _resolve(dotted: str, namespace: dict[str, Any]) -> Any:
    head, *rest = dotted.split(".")
    if head not in namespace:
        return None
    obj = namespace[head]
    for part in rest:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _schema_calls(node: ast.AST, namespace: dict[str, Any]) -> list[Any]:
    """Resolvable zero-argument calls of schema functions inside `node`, in source order."""
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call) and not n.args
             and not n.keywords]
    found = []
    for call in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
        dotted = _dotted(call.func)
        if dotted and "schema" in dotted.lower():
            target = _resolve(dotted, namespace)
            if callable(target) and not inspect.isclass(target):
                found.append(target)
    return found


def _schema_in_body(fn: Any) -> dict[str, Any] | None:
    """The schema the action validates its input with in its own body:
    `navl_validate(data_dict, schema.listing(), context)`, or `_validate(data_dict,
    schema, context)` after `schema = ... default_package_search_schema()`. Only a
    validation of `data_dict` counts (package_show validates its output)."""
    code = getattr(fn, "__code__", None)
    if code is None or not any("schema" in n.lower() for n in code.co_names):
        return None  # no schema named in the body: skip reading the source
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None
    namespace = getattr(fn, "__globals__", {})
    assigned: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and len(node.args) >= 2
                and (_dotted(node.func) or "").lower().endswith("validate")
                and any(isinstance(n, ast.Name) and n.id == "data_dict"
                        for n in ast.walk(node.args[0]))):
            continue
        schema_arg = node.args[1]
        sources = assigned.get(schema_arg.id, []) if isinstance(schema_arg, ast.Name) \
            else [schema_arg]
        for source in sources:
            for target in _schema_calls(source, namespace):
                found = _call_schema(target)
                if found:
                    return found
    return None


def schema_of(fn: Any) -> dict[str, Any] | None:
    layer: Any = fn
    seen: set[int] = set()
    while callable(layer) and id(layer) not in seen:
        seen.add(id(layer))
        schema_func = closure(layer).get("schema_func")  # tk.validate's wrapper
        if callable(schema_func):
            return _call_schema(schema_func)
        layer = getattr(layer, "__wrapped__", None)
    return _schema_in_body(inspect.unwrap(fn)) if inspect.isfunction(inspect.unwrap(fn)) else None
