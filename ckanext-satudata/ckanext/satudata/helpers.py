"""Template helpers of ckanext-satudata (registered by blanket, all prefixed)."""
from __future__ import annotations

from ckanext.satudata import config

__all__ = ["satudata_contact"]


def satudata_contact() -> dict[str, str]:
    """Walidata contact details for the footer and the Kontak Kami page."""
    return {"email": config.contact_email(), "phone": config.contact_phone()}
