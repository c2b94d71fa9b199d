"""schema.org JSON-LD on dataset pages, as ckanext-dcat's `structured_data` helper makes it.

dcat's helper builds a new serializer for every page, and each one looks up its
profiles among all installed packages' entry points (about 10 ms). Here the
profile classes are looked up once per process, and the JSON-LD of a dataset is
kept for a while, keyed by everything it is made from: the dataset's content,
the page language (its URLs carry it) and the profiles. An edit changes the
content, so it shows at once; site settings changed at run time show within
`_TTL_SECONDS`.
"""
from __future__ import annotations

import hashlib
import threading
from typing import Any

import ckan.plugins.toolkit as tk
import simplejson as json
from cachetools import TTLCache
from ckanext.dcat.processors import RDFSerializer

_PROFILES: dict[tuple[str, ...], list[type]] = {}
_TTL_SECONDS = 600
_RENDERED: TTLCache = TTLCache(maxsize=1024, ttl=_TTL_SECONDS)
_RENDERED_LOCK = threading.Lock()


class CachedProfilesSerializer(RDFSerializer):
    def _load_profiles(self, profile_names: list[str]) -> list[type]:
        key = tuple(profile_names)
        if key not in _PROFILES:
            _PROFILES[key] = super()._load_profiles(profile_names)
        return _PROFILES[key]


def _profile_names() -> list[str]:
    names = tk.config.get("ckanext.dcat.structured_data.profiles") or ["schemaorg"]
    return names.split() if isinstance(names, str) else list(names)


def _render(dataset_dict: dict[str, Any], profiles: list[str]) -> str:
    serializer = CachedProfilesSerializer(profiles=profiles)
    output = serializer.serialize_dataset(dataset_dict, _format="jsonld")
    try:
        data = json.loads(output)
    except ValueError:
        return output
    # As dcat formats it: stable keys, and safe inside a <script> element.
    return json.dumps(data, sort_keys=True, indent=4, separators=(",", ": "),
                      cls=json.JSONEncoderForHTML)


@tk.chained_helper
def structured_data(next_helper: Any, dataset_dict: dict[str, Any],
                    profiles: list[str] | None = None) -> str:
    profiles = profiles or _profile_names()
    content = json.dumps(dataset_dict, sort_keys=True, default=str).encode("utf-8")
    key = (tk.h.lang(), tuple(profiles), hashlib.sha256(content).hexdigest())
    with _RENDERED_LOCK:
        rendered = _RENDERED.get(key)
    if rendered is None:
        rendered = _render(dataset_dict, profiles)
        with _RENDERED_LOCK:
            _RENDERED[key] = rendered
    return rendered
