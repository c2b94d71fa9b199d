"""OpenAPI 3.1 document and Postman collection of the action API, generated from the
actions CKAN has registered once every plugin is loaded (`ckan.logic._actions`):
core's, the extensions' and ours, with the chained overrides in front of them. Nothing
here is a hand-kept list of actions, so the document cannot drift from the portal.

Where each part comes from:

- **parameters**: the action's input schema when one can be recovered: the
  `schema_func` of `tk.validate` / `validate_action_data` (found in the decorator's
  closure), or else the first zero-argument call of a schema function in the action's
  own body (`tk.navl_validate(data_dict, schema.listing(), context)`,
  `logic.schema.default_package_search_schema()`); required = `not_empty` /
  `not_missing` without a default; types, enums and defaults from the validators.
  Otherwise, and for descriptions, the docstring: Sphinx `:param x:` / `:type x:` lines
  (CKAN core) or a Google `Args:` block (ours).
- **GET or POST**: `side_effect_free` actions answer GET (query string) and POST;
  every other action POST only (JSON body, or multipart/form-data when it takes an
  `upload`).
- **texts**: the docstring; the summary of each of our own actions (`satudata_*`,
  `verifikasi_*`) is a msgid (listed in `messages` so that extraction finds it),
  translated for the request's language; the rest stays as written (English).
- **auth**: CKAN's `Authorization` header with an API token; without it the caller is
  anonymous. Errors: CKAN's envelope `{success: false, error: {__type, ...}}`.

The action introspection is done once per process per registry (actions do not change
at run time; a test that reloads plugins gets a new registry and a new document) and
each language's document is kept as serialised JSON. Every private CKAN name this
feature relies on (`logic._actions`, the closure cell names of `get_action`'s wrapper,
of chained actions and of `tk.validate`) is used in this module only.
"""
from __future__ import annotations

import ast
import functools
import inspect
import json
import re
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan
import ckan.logic as logic
import ckan.plugins.toolkit as tk
from ckan import authz

__all__ = ["Action", "Param", "actions", "clear_cache", "document", "document_json",
           "our_msgids", "postman_collection", "postman_json", "registered_actions",
           "OUR_PREFIXES"]

#: Our actions: their summaries and parameter descriptions are translated.
OUR_PREFIXES = ("satudata_", "verifikasi_")
POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
#: Placeholder values of examples: never a real object of the portal.
EXAMPLE_ID = "00000000-0000-0000-0000-000000000000"


@dataclass
class Param:
    name: str
    required: bool
    schema: dict[str, Any]
    description: str = ""


@dataclass
class Action:
    name: str
    get: bool  # side_effect_free: GET (query string) as well as POST
    summary: str
    details: str  # the rest of the docstring, without the parameter lines
    params: list[Param]
    tag: str
    schema_backed: bool
    has_auth_function: bool
    chained_by: list[str] = field(default_factory=list)

    @property
    def ours(self) -> bool:
        return self.name.startswith(OUR_PREFIXES)

    @property
    def upload(self) -> bool:
        return any(p.name == "upload" for p in self.params)


# --- the registry -------------------------------------------------------------------

def registered_actions() -> dict[str, Callable[..., Any]]:
    """Every action of the action API, as `get_action` resolves it (plugins loaded)."""
    if not logic._actions:
        tk.get_action("status_show")  # fills the registry, as the first API call would
    return dict(logic._actions)


def _closure(fn: Any) -> dict[str, Any]:
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


def _unwrap(registered: Callable[..., Any]) -> tuple[Any, list[Any]]:
    """The action function behind `get_action`'s wrapper, and the chained actions in
    front of it (outermost first): a chained action is `partial(chained, previous)`."""
    fn = _closure(registered).get("_action", registered)
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


def _schema_of(fn: Any) -> dict[str, Any] | None:
    layer: Any = fn
    seen: set[int] = set()
    while callable(layer) and id(layer) not in seen:
        seen.add(id(layer))
        schema_func = _closure(layer).get("schema_func")  # tk.validate's wrapper
        if callable(schema_func):
            return _call_schema(schema_func)
        layer = getattr(layer, "__wrapped__", None)
    return _schema_in_body(inspect.unwrap(fn)) if inspect.isfunction(inspect.unwrap(fn)) else None


# --- validators -> JSON Schema ------------------------------------------------------

_REQUIRED = {"not_empty", "not_missing"}
_OPTIONAL = {"ignore_missing", "ignore_empty", "default", "ignore", "empty_if_not_sysadmin"}
_TYPES: dict[str, dict[str, Any]] = {
    "int_validator": {"type": "integer"},
    "convert_int": {"type": "integer"},
    "natural_number_validator": {"type": "integer", "minimum": 0},
    "is_positive_integer": {"type": "integer", "minimum": 1},
    "limit_to_configured_maximum": {"type": "integer", "minimum": 0},
    "boolean_validator": {"type": "boolean"},
    "float_validator": {"type": "number"},
    "isodate": {"type": "string", "examples": ["2026-01-31"]},
    "email_validator": {"type": "string", "format": "email"},
    "url_validator": {"type": "string", "format": "uri"},
    "uuid_validator": {"type": "string", "format": "uuid"},
    "list_of_strings": {"type": "array", "items": {"type": "string"}},
    "convert_to_list_if_string": {"type": "array", "items": {"type": "string"}},
    "json_object": {"type": "object"},
    "dict_only": {"type": "object"},
    "unicode_safe": {"type": "string"},
    "unicode_only": {"type": "string"},
    "name_validator": {"type": "string"},
    "remove_whitespace": {"type": "string"},
}


def _validator_name(validator: Any) -> str:
    qualname = getattr(validator, "__qualname__", "") or getattr(validator, "__name__", "")
    return qualname.split(".<locals>")[0].rsplit(".", 1)[-1]


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _field(validators: Any, depth: int) -> tuple[bool, dict[str, Any]] | None:
    """(required, JSON Schema) of one schema entry; None for an entry the action ignores."""
    if isinstance(validators, dict):  # a nested schema: a list of such objects
        return False, {"type": "array", "items": _object(validators, depth + 1)}
    if not isinstance(validators, (list, tuple)):
        return False, {}
    functions = [v for v in validators if callable(v)]
    names = [_validator_name(v) for v in functions]
    if not names or names == ["ignore"] or "empty" in names:
        return None
    schema: dict[str, Any] = {}
    for validator, name in zip(functions, names, strict=True):
        if name in _TYPES and "type" not in schema:
            schema.update(_TYPES[name])
        cells = _closure(validator)
        if name == "one_of" and _jsonable(list(cells.get("list_of_value", ()))):
            schema["enum"] = list(cells.get("list_of_value", ()))
        elif name == "default" and cells.get("default_value") is not None \
                and _jsonable(cells.get("default_value")):
            schema["default"] = cells.get("default_value")
    required = bool(_REQUIRED & set(names)) and not (_OPTIONAL & set(names))
    return required, schema


def _object(schema: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    if depth > 3:
        return {"type": "object"}
    properties: dict[str, Any] = {}
    required = []
    for key, validators in schema.items():
        if key.startswith("__"):
            continue
        entry = _field(validators, depth)
        if entry is None:
            continue
        properties[key] = entry[1]
        if entry[0]:
            required.append(key)
    found: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        found["required"] = required
    return found


# --- docstrings ---------------------------------------------------------------------

_DOC_TYPES = {"string": "string", "str": "string", "int": "integer", "integer": "integer",
              "bool": "boolean", "boolean": "boolean", "float": "number", "number": "number",
              "dict": "object", "dictionary": "object", "list": "array"}
_SPHINX = re.compile(r"^:(param|type)\s+(?:[^:\s]+\s+)?(\w+):\s*(.*)$")
#: Words by which a docstring says a parameter may be left out.
_OPTIONAL_WORDS = ("optional", "default", "omit", "sysadmin", "required except")
_ARGS = re.compile(r"^(\s*)Args:\s*(.*)$")
_ENTRY = re.compile(r"(?:^|(?<=[.)]) )([a-z_][a-z0-9_]*(?:, [a-z_][a-z0-9_]*)*)"
                    r"(?: \(([^)]*)\))?: ")


def _sphinx_fields(doc: str) -> tuple[dict[str, str], dict[str, str]]:
    params: dict[str, str] = {}
    types: dict[str, str] = {}
    current: tuple[str, str] | None = None
    for line in doc.splitlines():
        if line.startswith((":returns:", ":rtype:", "**Results:**")):
            break  # core lists the keys of some results as `:param:` too
        match = _SPHINX.match(line)
        if match:
            kind, name, text = match.groups()
            target = params if kind == "param" else types
            target[name] = text.strip()
            current = (kind, name)
        elif current and line[:1].isspace() and line.strip():
            target = params if current[0] == "param" else types
            target[current[1]] = f"{target[current[1]]} {line.strip()}".strip()
        else:
            current = None
    return params, types


def _google_args(doc: str) -> dict[str, str]:
    lines = doc.splitlines()
    found: dict[str, str] = {}
    i = 0
    while i < len(lines):
        match = _ARGS.match(lines[i])
        i += 1
        if not match:
            continue
        base = len(match.group(1))
        entries = [match.group(2)] if match.group(2) else []
        indent = None
        while i < len(lines) and lines[i].strip():
            line = lines[i]
            depth = len(line) - len(line.lstrip())
            if depth <= base:
                break
            indent = depth if indent is None else indent
            if depth <= indent or not entries:
                entries.append(line.strip())
            else:
                entries[-1] = f"{entries[-1]} {line.strip()}"
            i += 1
        for entry in entries:
            starts = list(_ENTRY.finditer(entry))
            for k, start in enumerate(starts):
                end = starts[k + 1].start() if k + 1 < len(starts) else len(entry)
                text = entry[start.end():end].strip()
                if start.group(2):
                    text = f"({start.group(2)}) {text}"
                for name in start.group(1).split(", "):
                    found.setdefault(name, text)
    return found


def _split_doc(doc: str) -> tuple[str, str]:
    """Summary (first paragraph up to an inline `Args:`) and the rest, without Sphinx
    field lines (they become the parameters)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", doc.strip()) if p.strip()]
    if not paragraphs:
        return "", ""
    first = " ".join(paragraphs[0].split())
    summary = re.split(r"\s(?=(?:Args|Returns):)", first, maxsplit=1)[0]
    inline = first[len(summary):].strip()
    rest = [inline] if inline else []
    for paragraph in paragraphs[1:]:
        kept = []
        in_field = False
        for line in paragraph.splitlines():
            if _SPHINX.match(line):
                in_field = True
                continue
            if in_field and line[:1].isspace():
                continue
            in_field = False
            kept.append(line)
        if any(line.strip() for line in kept):
            rest.append("\n".join(kept))
    return summary, "\n\n".join(rest).strip()


def _doc_params(doc: str) -> dict[str, Param]:
    described, types = _sphinx_fields(doc)
    google = _google_args(doc)
    found: dict[str, Param] = {}
    for name, text in described.items():
        kind = _DOC_TYPES.get(types.get(name, "").split(" ")[0].lower().rstrip(","))
        lowered = text.lower()
        optional = kind == "boolean" or any(w in lowered for w in _OPTIONAL_WORDS)
        found[name] = Param(name, not optional, {"type": kind} if kind else {}, text)
    for name, text in google.items():
        if name in found:
            continue
        lowered = text.lower()
        required = ("required" in lowered or name == "id") and not any(
            w in lowered for w in _OPTIONAL_WORDS)
        found[name] = Param(name, required, {}, text)
    return found


# --- actions ------------------------------------------------------------------------

def _tag(module: str, name: str) -> str:
    if name.startswith("satudata_"):
        return "satudata"
    if name.startswith("verifikasi_"):
        return "verifikasi"
    if module.startswith("ckanext."):
        return module.split(".")[1]
    return "ckan"


def _describe(name: str, registered: Callable[..., Any], auth_names: set[str]) -> Action:
    base, chain = _unwrap(registered)
    doc = inspect.getdoc(base) or ""
    summary, details = _split_doc(doc)
    from_doc = _doc_params(doc)
    schema = _schema_of(base) if not inspect.isclass(base) else None
    params: list[Param] = []
    if schema:
        shape = _object(schema)
        required = set(shape.get("required", ()))
        for key, prop in shape["properties"].items():
            documented = from_doc.pop(key, None)
            if documented and "type" not in prop and documented.schema:
                prop = {**documented.schema, **prop}
            params.append(Param(key, key in required, prop,
                                documented.description if documented else ""))
        # Documented but not in the schema: passed on to what the action calls.
        params += [Param(p.name, False, p.schema, p.description) for p in from_doc.values()]
    else:
        params = list(from_doc.values())
    return Action(
        name=name, get=bool(getattr(registered, "side_effect_free", False)),
        summary=summary, details=details, params=params,
        tag=_tag(getattr(base, "__module__", "") or "", name), schema_backed=bool(schema),
        has_auth_function=name in auth_names,
        chained_by=[f"{getattr(c, '__module__', '')}.{getattr(c, '__name__', '')}"
                    for c in chain])


_lock = threading.Lock()
_cache: dict[Any, Any] = {}
#: Milliseconds the last introspection of the registry took (reported by the tests).
last_generation_ms: float = 0.0


def _fingerprint(registry: dict[str, Callable[..., Any]]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((name, id(fn)) for name, fn in registry.items()))


def actions() -> list[Action]:
    """Every registered action described, in name order (cached per registry)."""
    global last_generation_ms
    registry = registered_actions()
    key = ("actions", _fingerprint(registry))
    with _lock:
        if key not in _cache:
            started = time.perf_counter()
            auth_names = set(authz.auth_functions_list())
            _cache.clear()  # an older registry's documents are stale
            _cache[key] = [_describe(name, fn, auth_names)
                           for name, fn in sorted(registry.items())]
            last_generation_ms = (time.perf_counter() - started) * 1000
        return _cache[key]


def our_msgids() -> list[str]:
    """The summaries of our own actions: msgids (listed in `messages` for extraction)."""
    return [a.summary for a in actions() if a.ours and a.summary]


def clear_cache() -> None:
    with _lock:
        _cache.clear()


# --- the OpenAPI document -----------------------------------------------------------

def _t(text: str, translate: bool) -> str:
    """`text` in the request's language when it is one of our msgids."""
    return tk._(text) if translate and text else text


def _tags() -> dict[str, str]:
    return {
        "satudata": tk._("Satu Data: Daftar Data, data input, requests, statistics, "
                         "metadata quality and security of the portal"),
        "verifikasi": tk._("Verification workflow, roles, access grants and audit"),
        "ckan": tk._("CKAN core actions: datasets, resources, organizations, users, "
                     "search"),
        "datastore": tk._("DataStore: tabular data of resources"),
    }


def _envelopes(help_url: str) -> dict[str, Any]:
    def error(kind: str, extra: dict[str, Any]) -> dict[str, Any]:
        return {"help": help_url, "success": False, "error": {"__type": kind, **extra}}

    def response(description: str, example: Any) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}, "example": example}}}

    return {
        "schemas": {
            "Success": {
                "type": "object", "required": ["success", "result"],
                "properties": {"help": {"type": "string", "format": "uri"},
                               "success": {"const": True},
                               "result": {"description": tk._("What the action returns")}},
            },
            "Error": {
                "type": "object", "required": ["success", "error"],
                "properties": {
                    "help": {"type": "string", "format": "uri"},
                    "success": {"const": False},
                    "error": {"type": "object", "required": ["__type"],
                              "properties": {"__type": {"type": "string"},
                                             "message": {"type": "string"}},
                              "additionalProperties": True},
                },
            },
        },
        "responses": {
            "BadRequest": {
                "description": tk._("Unknown action or a body that is not JSON"),
                "content": {"application/json": {
                    "schema": {"type": "string"},
                    "example": "Bad request - Action name not known: nama_aksi"}},
            },
            "Forbidden": response(
                tk._("Not authorized: no API token, or the token's user may not do this"),
                error("Authorization Error", {"message": "Access denied: ..."})),
            "NotFound": response(
                tk._("The object does not exist, or is not visible to the caller"),
                error("Not Found Error", {"message": "Not found: ..."})),
            "Conflict": response(
                tk._("Invalid input: the errors are listed per field"),
                error("Validation Error", {"id": ["Missing value"]})),
        },
    }


def _operation(action: Action, method: str, translate: bool) -> dict[str, Any]:
    ours = translate and action.ours
    summary = _t(action.summary, ours) or action.name
    details = action.details
    description = summary
    if details:
        heading = tk._("Details (from the source code)")
        description += f"\n\n**{heading}**\n\n```text\n{details}\n```"
    if action.chained_by:
        description += "\n\n" + tk._("Extended on this portal by: {modules}").format(
            modules=", ".join(f"`{m}`" for m in action.chained_by))
    operation: dict[str, Any] = {
        "operationId": action.name if method == "post" else f"{action.name}__get",
        "tags": [action.tag],
        "summary": summary,
        "description": description,
        "responses": {
            "200": {"description": tk._("Success"), "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Success"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "403": {"$ref": "#/components/responses/Forbidden"},
            "404": {"$ref": "#/components/responses/NotFound"},
            "409": {"$ref": "#/components/responses/Conflict"},
        },
        "x-ckan-action": action.name,
        "x-ckan-schema": "validator" if action.schema_backed else "docstring",
    }
    described = {p.name: _t(p.description, ours) for p in action.params}
    if method == "get":
        operation["parameters"] = [
            {"name": p.name, "in": "query", "required": p.required,
             "description": described[p.name],
             "schema": p.schema if p.schema.get("type") != "object" else {"type": "string"}}
            for p in action.params]
        return operation
    body: dict[str, Any] = {"type": "object", "properties": {
        p.name: {**p.schema, **({"description": described[p.name]} if described[p.name]
                                else {})}
        for p in action.params}}
    required = [p.name for p in action.params if p.required]
    if required:
        body["required"] = required
    content: dict[str, Any] = {"application/json": {"schema": body}}
    if action.upload:
        form = json.loads(json.dumps(body))
        form["properties"]["upload"] = {"type": "string", "format": "binary",
                                        "description": described.get("upload", "")}
        content["multipart/form-data"] = {"schema": form}
    operation["requestBody"] = {"required": bool(required), "content": content}
    return operation


def _api_base() -> str:
    """Path of the action API on this site (no locale prefix: the API's own)."""
    url = tk.url_for("api.action", ver=3, logic_function="status_show", locale="default")
    return url.rsplit("/", 1)[0]


def document(lang: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document in the request's language."""
    described = actions()
    translate = lang != "en"
    base = _api_base()
    paths: dict[str, Any] = {}
    for action in described:
        item: dict[str, Any] = {}
        if action.get:
            item["get"] = _operation(action, "get", translate)
        item["post"] = _operation(action, "post", translate)
        paths[f"/{action.name}"] = item
    used = []
    for action in described:
        if action.tag not in used:
            used.append(action.tag)
    first = ["satudata", "verifikasi", "ckan"]
    ordered = [t for t in first if t in used] + sorted(t for t in used if t not in first)
    known = _tags()
    site_title = tk.config.get("ckan.site_title") or "Satu Data"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": tk._("{site} action API").format(site=site_title),
            "version": f"CKAN {ckan.__version__}",
            "summary": tk._("Every action of the portal's CKAN action API"),
            "description": tk._(
                "Generated from the actions this portal has registered: CKAN's own, those "
                "of its extensions and the portal's. Call an action with GET (read-only "
                "actions, parameters in the query string) or POST (a JSON body). Send an "
                "API token in the `Authorization` header to act as its user; without one "
                "you are anonymous and see only what the public may see. Every answer is "
                "an envelope: `{\"success\": true, \"result\": ...}` or "
                "`{\"success\": false, \"error\": {\"__type\": ...}}` with HTTP status "
                "400, 403, 404 or 409."),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": base, "description": tk._("This portal")}],
        "security": [{"ApiToken": []}, {}],
        "tags": [{"name": t, **({"description": known[t]} if t in known else {})}
                 for t in ordered],
        "paths": paths,
        "components": {
            **_envelopes(f"{base}/help_show?name=status_show"),
            "securitySchemes": {"ApiToken": {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": tk._(
                    "An API token of your account (User menu, API Tokens). Without "
                    "it you call the API as an anonymous visitor."),
            }},
        },
    }


def postman_collection(lang: str | None = None) -> dict[str, Any]:
    """The same actions as a Postman collection (format v2.1), one folder per tag."""
    translate = lang != "en"
    site_url = (tk.config.get("ckan.site_url") or "").rstrip("/")
    base = _api_base()
    folders: dict[str, list[dict[str, Any]]] = {}
    for action in actions():
        ours = translate and action.ours
        method = "GET" if action.get else "POST"
        url: dict[str, Any] = {"raw": f"{{{{baseUrl}}}}{base}/{action.name}",
                               "host": ["{{baseUrl}}"],
                               "path": [*base.strip("/").split("/"), action.name]}
        request: dict[str, Any] = {
            "method": method, "header": [], "url": url,
            "description": _t(action.summary, ours) or action.name,
        }
        required = [p for p in action.params if p.required]
        if method == "GET" and action.params:
            url["query"] = [{"key": p.name, "value": "", "disabled": not p.required,
                             "description": _t(p.description, ours)} for p in action.params]
            if required:
                url["raw"] += "?" + "&".join(f"{p.name}=" for p in required)
        elif method == "POST":
            request["header"].append({"key": "Content-Type", "value": "application/json"})
            request["body"] = {"mode": "raw", "raw": json.dumps(
                {p.name: _example(p) for p in required}, indent=2, ensure_ascii=False),
                "options": {"raw": {"language": "json"}}}
        folders.setdefault(action.tag, []).append({"name": action.name, "request": request})
    return {
        "info": {"name": tk._("{site} action API").format(
                     site=tk.config.get("ckan.site_title") or "Satu Data"),
                 "description": tk._("Every action of the portal's CKAN action API"),
                 "schema": POSTMAN_SCHEMA},
        "auth": {"type": "apikey", "apikey": [
            {"key": "key", "value": "Authorization", "type": "string"},
            {"key": "value", "value": "{{apiToken}}", "type": "string"},
            {"key": "in", "value": "header", "type": "string"}]},
        "variable": [{"key": "baseUrl", "value": site_url, "type": "string"},
                     {"key": "apiToken", "value": "", "type": "string"}],
        "item": [{"name": tag, "item": items} for tag, items in folders.items()],
    }


def _example(param: Param) -> Any:
    kind = param.schema.get("type")
    if "default" in param.schema:
        return param.schema["default"]
    if param.schema.get("enum"):
        return param.schema["enum"][0]
    return {"integer": 0, "number": 0, "boolean": False, "array": [], "object": {}}.get(
        str(kind), EXAMPLE_ID if param.name.endswith("id") else "")


def _serialised(kind: str, lang: str | None, build: Callable[[str | None], Any]) -> bytes:
    key = (kind, lang, _fingerprint(registered_actions()), _api_base())
    with _lock:
        cached = _cache.get(key)
    if cached is None:
        cached = json.dumps(build(lang), ensure_ascii=False, separators=(",", ":")).encode()
        with _lock:
            _cache[key] = cached
    return cached


def document_json(lang: str | None = None) -> bytes:
    return _serialised("openapi", lang, document)


def postman_json(lang: str | None = None) -> bytes:
    return _serialised("postman", lang, postman_collection)
