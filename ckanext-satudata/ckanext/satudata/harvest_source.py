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
* `satudata_extras`: a remote extra (CKAN `extras` key) whose value fills an SDI field;
* `satudata_terpercaya`: `true` marks the source *trusted* (terpercaya): its datasets
  are published directly through verifikasi's gate (`harvest_publish`). Only the
  walidata and sysadmins manage sources; who set the flag and when is recorded by the
  portal under `satudata_terpercaya_dicatat` (`{"oleh": user name, "pada": UTC time}`)
  from the acting user when the source is saved (`stamped_config`), never taken from
  what the caller sends. A flag without that record counts as not trusted.

Checked when the source is saved (`config_errors`: one message per mistake, naming
its key), applied to every harvested dataset before it is validated (`apply`).
Whatever a source says, a harvested dataset is created as a private draft of the
source's OPD (the workflow decides publication, or `harvest_publish` for a trusted
source) and a `rahasia` one is never public.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import metadata
from ckanext.verifikasi import shared

SOURCE_TYPE = "harvest"  # ckanext-harvest's dataset type of a source
DEFAULTS_KEY = "satudata_defaults"
EXTRAS_KEY = "satudata_extras"
#: The fields a source may give a default for.
DEFAULT_FIELDS = ("kategori", "sektor_kegiatan", "klasifikasi_akses", "license_id",
                  "frekuensi_penyelenggaraan")
SECRET = "rahasia"
TRUST_KEY = "satudata_terpercaya"
TRUST_RECORD_KEY = "satudata_terpercaya_dicatat"


@dataclass
class SourceSettings:
    defaults: dict[str, str] = field(default_factory=dict)
    extras: dict[str, str] = field(default_factory=dict)
    #: Set (true) by a walidata or sysadmin, recorded by the portal.
    trusted: bool = False
    trusted_by: str | None = None
    trusted_at: str | None = None


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
    if TRUST_KEY in parsed and not isinstance(parsed[TRUST_KEY], bool):
        errors.append(tk._("{key}: must be true or false").format(key=TRUST_KEY))
    record = parsed.get(TRUST_RECORD_KEY)
    if record is not None and not isinstance(record, dict):
        errors.append(record_message())
    return errors


def record_message() -> str:
    return tk._("{key}: is recorded by the portal when the source is saved "
                "(who marked it trusted and when); leave it out").format(key=TRUST_RECORD_KEY)


def _parsed(config: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(config) if config else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def stamped_config(config: str | None, stored: str | None, user_name: str,
                   now: dt.datetime) -> str | None:
    """The configuration to store when `user_name` saves a source with `config`
    (`stored`: the configuration it had before, None for a new source).

    The trust record is the portal's: kept from `stored` while the source stays
    trusted, made from the acting user and `now` when it becomes trusted, dropped when
    it is not trusted; whatever the caller sent under that key is not used. Returns
    `config` unchanged when nothing is to change (also for an unparsable one, which
    `config_errors` refused already)."""
    if config in (None, ""):
        return config
    try:
        parsed = json.loads(config) if isinstance(config, str) else None
    except ValueError:
        return config
    if not isinstance(parsed, dict):
        return config
    before = _parsed(stored)
    record = before.get(TRUST_RECORD_KEY) if before.get(TRUST_KEY) is True else None
    if parsed.get(TRUST_KEY) is True:
        if not (isinstance(record, dict) and record.get("oleh")):
            record = {"oleh": user_name, "pada": now.replace(microsecond=0).isoformat()}
        wanted = {**parsed, TRUST_RECORD_KEY: record}
    else:
        wanted = {k: v for k, v in parsed.items() if k != TRUST_RECORD_KEY}
    if wanted == parsed:
        return config
    return json.dumps(wanted, ensure_ascii=False)


def record_trust(context: Any, data_dict: dict[str, Any]) -> None:
    """After a harvest source was saved (IPackageController; ckanext-harvest copied the
    configuration to its source row already, uncommitted): store the configuration
    with the portal's trust record (`stamped_config`), comparing with the configuration
    committed before this save. The acting user is the context's; one who is neither
    walidata nor sysadmin cannot mark a source trusted (NotAuthorized; sources are
    theirs only anyway). A trust record in the configuration other than the stored one
    is refused (ValidationError naming the key); nothing of the save is kept then."""
    if data_dict.get("type") != SOURCE_TYPE or "config" not in data_dict:
        return
    from ckanext.harvest.model import HarvestSource

    source = HarvestSource.get(data_dict.get("id") or "")
    if source is None:
        return
    with model.meta.engine.connect() as conn:  # what was committed before this save
        stored = conn.execute(sa.select(HarvestSource.config)
                              .where(HarvestSource.id == source.id)).scalar()
    user = str(context.get("user") or "")
    config = data_dict.get("config")
    sent, before = _parsed(config), _parsed(stored)
    if TRUST_RECORD_KEY in sent and sent[TRUST_RECORD_KEY] != before.get(TRUST_RECORD_KEY):
        # Sent back unchanged (the edit form shows it) is fine; anything else is not
        # the caller's to say, and is refused rather than replaced.
        model.Session.rollback()
        raise tk.ValidationError({"config": [record_message()]})
    if sent.get(TRUST_KEY) is True and before.get(TRUST_KEY) is not True \
            and not shared.is_walidata(user):
        model.Session.rollback()
        raise tk.NotAuthorized(tk._("Only the walidata may mark a harvest source trusted"))
    wanted = stamped_config(config, stored, user, dt.datetime.utcnow())
    if wanted == data_dict.get("config"):
        return
    data_dict["config"] = wanted
    source.config = wanted
    pkg = model.Package.get(source.id)
    if pkg is not None:
        pkg.extras["config"] = wanted


def settings(config: str | None) -> SourceSettings:
    """The (already checked) settings of a source configuration."""
    parsed = _parsed(config)
    defaults = parsed.get(DEFAULTS_KEY) or {}
    extras = parsed.get(EXTRAS_KEY) or {}
    record = parsed.get(TRUST_RECORD_KEY)
    trusted = parsed.get(TRUST_KEY) is True and isinstance(record, dict) \
        and bool(record.get("oleh"))
    return SourceSettings(
        defaults={k: v for k, v in defaults.items() if k in DEFAULT_FIELDS
                  and isinstance(v, str)} if isinstance(defaults, dict) else {},
        extras={k: v for k, v in extras.items() if isinstance(v, str)}
        if isinstance(extras, dict) else {},
        trusted=trusted,
        trusted_by=str(record["oleh"]) if trusted and isinstance(record, dict) else None,
        trusted_at=str(record.get("pada") or "") or None
        if trusted and isinstance(record, dict) else None)


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
