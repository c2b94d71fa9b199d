"""An unexpected load error shown to users never carries internal addresses."""
from __future__ import annotations

from ckanext.satudata.loader.errors import public_detail


def test_internal_urls_are_replaced_and_length_capped():
    exc = RuntimeError("Error 500 from http://127.0.0.1:5000/api/3/action/datastore_create?x=1 now")
    text = public_detail(exc)
    assert "127.0.0.1" not in text and "http" not in text
    assert text == "Error 500 from [alamat internal] now"
    assert len(public_detail(RuntimeError("x" * 1000))) == 300
