"""The workflow's state names and their labels (no dependencies: everything may import it)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

DRAFT = "draft"
SUBMITTED = "submitted"
VERIFIED = "verified"
PUBLISHED = "published"
RETURNED = "returned"
WITHDRAWN = "withdrawn"

REVIEW_STATES = (SUBMITTED, VERIFIED)
EDITABLE_STATES = (DRAFT, RETURNED, WITHDRAWN)


def state_label(state: str) -> str:
    """The Indonesian (or current language) name of a workflow state."""
    return {
        DRAFT: tk._("Draft"), SUBMITTED: tk._("Waiting for verifikator"),
        VERIFIED: tk._("Waiting for walidata"), PUBLISHED: tk._("Published"),
        RETURNED: tk._("Returned for correction"), WITHDRAWN: tk._("Withdrawn"),
    }.get(state, state)
