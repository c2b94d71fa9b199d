"""Numbers from a page's query string: a bad one is a 400 naming the argument, never a 500."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["int_arg"]


def int_arg(name: str, default: int = 0, *, minimum: int = 0, maximum: int = 10**9,
            args: Any = None) -> int:
    """The whole number in the request argument `name` (`default` when absent or empty).

    Args:
        name: the query-string argument (e.g. "offset").
        default: the value when the argument is missing or empty.
        minimum, maximum: the range accepted (the default maximum keeps SQL OFFSETs sane).
        args: where to read it (default `tk.request.args`).

    Returns:
        The number. Anything else (text, a fraction, out of range) aborts with
        400 and a message naming the argument.
    """
    source = tk.request.args if args is None else args
    raw = (source.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
        if minimum <= value <= maximum:
            return value
    except ValueError:
        pass
    return tk.abort(400, tk._('The "{name}" argument must be a whole number from {minimum} '
                           'to {maximum}; "{value}" is not.').format(
            name=name, minimum=minimum, maximum=maximum, value=raw[:40]))
