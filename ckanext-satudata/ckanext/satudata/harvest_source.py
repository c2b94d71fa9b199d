"""A harvest source's defaults and mappings for the SDI fields a remote side lacks.

A stock CKAN or DCAT catalogue knows nothing of `kategori` or `klasifikasi_akses`;
without them every harvested dataset fails validation. The source's configuration
(JSON, the `config` of the source, next to ckanext-harvest's own keys) says what to
use instead:

    {"satudata_defaults": {"kategori": "DATA_DASAR", "sektor_kegiatan": "KESEHATAN",
                           "klasifikasi_akses": "terbuka", "license_id": "cc-by",
                           "frekuensi_penyelenggaraan": "TAHUNAN"},
     "satudata_extras": {"remote extra key": "SDI field"}}

* `satudata_defaults`: a value for each of these fields when the remote dataset has
  none (a remote value is kept; it is validated like any other);
* `satudata_extras`: a remote extra (CKAN `extras` key) whose value fills an SDI field.

Checked when the source is saved (`config_errors`: one message per mistake, naming
its key), applied to every harvested dataset before it is validated (`apply`).
Whatever a source says, a harvested dataset is created as a private draft of the
source's OPD (the workflow decides publication) and a `rahasia` one is never public.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata import metadata

SOURCE_TYPE = "harvest"  # ckanext-harvest's dataset type of a source
DEFAULTS_KEY = "satudata_defaults"
EXTRAS_KEY = "satudata_extras"
#: The fields a source may give a default for.
DEFAULT_FIELDS = ("kategori", "sektor_kegiatan", "klasifikasi_akses", "license_id",
                  "frekuensi_penyelenggaraan")
SECRET = "rahasia"


@dataclass
class SourceSettings:
    defaults: dict[str, str] = field(default_factory=dict)
    extras: dict[str, str] = field(default_factory=dict)


def _fields() -> dict[str, dict[str, Any]]:
    return {f["field_name"]: f for f in metadata.dataset_fields()}


def _choices(schema_field: dict[str, Any]) -> list[str]:
    return [str(c["value"]) for c in schema_field.get("choices") or []]


def _licences() -> list[str]:
    return [str(lic.id) for lic in model.Package.get_license_register().values()]


def _value_errors(name: str, value: Any, fields: dict[str, dict[str, Any]]) -> list[str]:
    key = f"{DEFAULTS_KEY}.{name}"
    if not isinstance(value, str) or not value.strip():
        return [tk._('{key}: the default must be a text value').format(key=key)]
    if name == "license_id":
        known = _licences()
        if value not in known:
            return [tk._('{key}: licence "{value}" is not known; use one of: {choices}')
                    .format(key=key, value=value, choices=", ".join(known))]
        return []
    choices = _choices(fields.get(name, {}))
    if choices and value not in choices:
        return [tk._('{key}: "{value}" is not one of the values of {label}: {choices}')
                .format(key=key, value=value, label=metadata.label(fields[name]),
                        choices=", ".join(choices))]
    return []


def config_errors(config: Any, source_type: str | None = None) -> list[str]:
    """Every mistake in the portal's part of a source configuration (empty: fine)."""
    del source_type  # the same keys for every harvester
    if config in (None, ""):
        return []
    try:
        parsed = json.loads(config) if isinstance(config, str) else config
    except ValueError as exc:
        return [tk._("The configuration is not valid JSON: {error}").format(error=exc)]
    if not isinstance(parsed, dict):
        return [tk._("The configuration must be a JSON object ({...})")]
    errors: list[str] = []
    fields = _fields()
    defaults = parsed.get(DEFAULTS_KEY, {})
    if not isinstance(defaults, dict):
        errors.append(tk._("{key}: must be an object of field names and values")
                      .format(key=DEFAULTS_KEY))
        defaults = {}
    for name, value in defaults.items():
        if name not in DEFAULT_FIELDS:
            errors.append(tk._('{key}: "{field}" takes no default; the fields that do are: '
                               '{fields}').format(key=DEFAULTS_KEY, field=name,
                                                  fields=", ".join(DEFAULT_FIELDS)))
            continue
        errors.extend(_value_errors(name, value, fields))
    extras = parsed.get(EXTRAS_KEY, {})
    if not isinstance(extras, dict):
        errors.append(tk._("{key}: must be an object of remote extra keys and field names")
                      .format(key=EXTRAS_KEY))
        extras = {}
    for remote, target in extras.items():
        if not isinstance(target, str) or target not in fields:
            errors.append(tk._('{key}.{remote}: "{field}" is not a field of the dataset '
                               'schema').format(key=EXTRAS_KEY, remote=remote, field=target))
    return errors


def settings(config: str | None) -> SourceSettings:
    """The (already checked) settings of a source configuration."""
    try:
        parsed = json.loads(config) if config else {}
    except ValueError:
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    defaults = parsed.get(DEFAULTS_KEY) or {}
    extras = parsed.get(EXTRAS_KEY) or {}
    return SourceSettings(
        defaults={k: v for k, v in defaults.items() if k in DEFAULT_FIELDS
                  and isinstance(v, str)} if isinstance(defaults, dict) else {},
        extras={k: v for k, v in extras.items() if isinstance(v, str)}
        if isinstance(extras, dict) else {})


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def apply(dataset: dict[str, Any], source: SourceSettings, *, existing: bool) -> dict[str, Any]:
    """The harvested dataset with the source's mappings and defaults filled in.

    `existing`: the dataset was harvested before (its visibility is left to the
    workflow: a published one stays published, an unpublished one private). A new one
    is a private draft. A `rahasia` one is private whatever the remote says.
    """
    extras = dataset.get("extras")
    if isinstance(extras, list) and source.extras:
        kept = []
        for extra in extras:
            target = source.extras.get(str(extra.get("key")))
            if target is None:
                kept.append(extra)
            elif _empty(dataset.get(target)):
                dataset[target] = extra.get("value")
        dataset["extras"] = kept
    for name, value in source.defaults.items():
        if _empty(dataset.get(name)):
            dataset[name] = value
    if not existing:
        dataset["private"] = True
    else:
        dataset.pop("private", None)
    if dataset.get("klasifikasi_akses") == SECRET:
        dataset["private"] = True
    return dataset
