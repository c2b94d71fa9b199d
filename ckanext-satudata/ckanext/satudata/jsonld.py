"""schema.org JSON-LD on dataset pages, as ckanext-dcat's `structured_data` helper makes it.

dcat's helper builds a new serializer for every page, and each one looks up its
profiles among all installed packages' entry points (about 10 ms, most of what
the JSON-LD costs). Here the profile classes are looked up once per process;
the output is the same.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import simplejson as json
from ckanext.dcat.processors import RDFSerializer

_PROFILES: dict[tuple[str, ...], list[type]] = {}


class CachedProfilesSerializer(RDFSerializer):
    def _load_profiles(self, profile_names: list[str]) -> list[type]:
        key = tuple(profile_names)
        if key not in _PROFILES:
            _PROFILES[key] = super()._load_profiles(profile_names)
        return _PROFILES[key]


def _profile_names() -> list[str]:
    names = tk.config.get("ckanext.dcat.structured_data.profiles") or ["schemaorg"]
    return names.split() if isinstance(names, str) else list(names)


@tk.chained_helper
def structured_data(next_helper: Any, dataset_dict: dict[str, Any],
                    profiles: list[str] | None = None) -> str:
    serializer = CachedProfilesSerializer(profiles=profiles or _profile_names())
    output = serializer.serialize_dataset(dataset_dict, _format="jsonld")
    try:
        data = json.loads(output)
    except ValueError:
        return output
    # As dcat formats it: stable keys, and safe inside a <script> element.
    return json.dumps(data, sort_keys=True, indent=4, separators=(",", ": "),
                      cls=json.JSONEncoderForHTML)
