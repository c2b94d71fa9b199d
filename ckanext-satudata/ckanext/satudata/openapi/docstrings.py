"""Parameters and texts of an action from its docstring: Sphinx `:param x:` /
`:type x:` lines (CKAN core) or a Google `Args:` block (ours)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Param", "doc_params", "split_doc"]


@dataclass
class Param:
    name: str
    required: bool
    schema: dict[str, Any]
    description: str = ""

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


def split_doc(doc: str) -> tuple[str, str]:
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


def doc_params(doc: str) -> dict[str, Param]:
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
