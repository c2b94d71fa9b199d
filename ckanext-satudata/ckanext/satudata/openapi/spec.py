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
each language's document is kept as serialised JSON. The registry and the schemas
are read by `introspect` (the only module using CKAN's private names), the schemas
turned into JSON Schema by `jsonschema`, the docstrings read by `docstrings`.
"""
from __future__ import annotations

import inspect
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan
import ckan.plugins.toolkit as tk
from ckan import authz

from . import docstrings, introspect
from .docstrings import Param
from .introspect import registered_actions
from .jsonschema import object_schema

__all__ = ["Action", "Param", "actions", "clear_cache", "document", "document_json",
           "our_msgids", "postman_collection", "postman_json", "registered_actions",
           "OUR_PREFIXES"]

#: Our actions: their summaries and parameter descriptions are translated.
OUR_PREFIXES = ("satudata_", "verifikasi_")
POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
#: Placeholder values of examples: never a real object of the portal.
EXAMPLE_ID = "00000000-0000-0000-0000-000000000000"


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
    base, chain = introspect.unwrap(registered)
    doc = inspect.getdoc(base) or ""
    summary, details = docstrings.split_doc(doc)
    from_doc = docstrings.doc_params(doc)
    schema = introspect.schema_of(base) if not inspect.isclass(base) else None
    params: list[Param] = []
    if schema:
        shape = object_schema(schema)
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
