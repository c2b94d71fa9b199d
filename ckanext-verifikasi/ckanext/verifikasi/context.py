"""The context flag of verifikasi's own dataset writes (no dependencies).

Writes verifikasi makes while taking a workflow step (publication, take-down) carry it,
and so do system writes other packages ask for through `shared.system_write_context`:
they pass the review lock and start no update, and reads with it see the live version.
"""
from __future__ import annotations

from typing import Any

_TRANSITION = "verifikasi_transition"


def transition_context(context: dict[str, Any]) -> dict[str, Any]:
    """A copy of `context` marked as a write of the workflow itself."""
    return {**context, _TRANSITION: True}


def is_transition(context: Any) -> bool:
    return bool(context.get(_TRANSITION))
