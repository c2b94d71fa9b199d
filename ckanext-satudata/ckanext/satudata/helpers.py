"""Template helpers of ckanext-satudata (registered by blanket, all prefixed)."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata import (
    charts,
    completeness,
    config,
    form_pages,
    jsonld,
    localtime,
    metadata,
    ms_var,
    public_dataset,
    public_pages,
    verification,
    wilayah,
)
from ckanext.satudata.statistik import capaian

__all__ = [
    "satudata_activity_of", "satudata_chart_number", "satudata_citation",
    "satudata_completeness", "satudata_submit_completeness",
    "satudata_condition_values",
    "satudata_contact", "satudata_data_access", "satudata_date", "satudata_datetime",
    "satudata_field_required", "satudata_form_page_label", "satudata_form_page_not_applicable",
    "satudata_harvest_source_dataset_count", "satudata_harvest_source_dataset_list",
    "satudata_is_walidata",
    "satudata_month", "satudata_organization_card",
    "satudata_indicator_series",
    "satudata_main_menu", "satudata_site_logo",
    "satudata_ms_var_fields", "satudata_ms_var_type_options",
    "satudata_show_if_conditions", "satudata_value_domain_text",
    "satudata_variables", "satudata_wilayah_choices",
]


def _current_user_name() -> str:
    """The logged-in user's name ("" for a visitor), as an action context wants it."""
    return tk.current_user.name if tk.current_user.is_authenticated else ""


def satudata_activity_of(package_id: str) -> dict[str, str] | None:
    """Title and name of an indicator's activity, if the current user may see it."""
    activity = model.Package.get(package_id) if package_id else None
    if activity is None or activity.state == "deleted":
        return None
    try:
        tk.check_access("package_show", {"user": _current_user_name()}, {"id": activity.id})
    except tk.NotAuthorized:
        return None
    return {"title": activity.title or activity.name, "name": activity.name}


def satudata_chart_number(value: float | int) -> str:
    """A number of a chart's table in the current locale (1.234,5 in `id`)."""
    return charts.format_number(value)


def satudata_indicator_series(rows: Any) -> list[dict[str, Any]]:
    """An indicator's yearly target, realisation and achievement (%), computed as the
    Capaian Kinerja page computes them."""
    return capaian.series(rows)


def satudata_contact() -> dict[str, str]:
    """Walidata contact details for the footer and the Kontak Kami page."""
    phone = config.contact_phone()
    return {"email": config.contact_email(), "phone": phone,
            "phone_uri": public_pages.phone_uri(phone),
            "office": config.contact_office(), "address": config.contact_address()}


def satudata_citation(pkg: dict[str, Any]) -> str:
    """How to cite a dataset ("Sumber: Portal ..., <OPD>, <judul>, <tahun>, <URL>")."""
    return public_dataset.citation(pkg)


def satudata_data_access(pkg: dict[str, Any]) -> dict[str, Any]:
    """Whether the current user may use the dataset's data, else who holds it and where
    to ask (once per request and dataset)."""
    return public_dataset.data_access(pkg)


def satudata_organization_card(organization: dict[str, Any]) -> dict[str, Any]:
    """The dataset's OPD for the dataset page's sidebar, without an `organization_show`."""
    return public_dataset.organization_card(organization)


def satudata_main_menu() -> list[tuple[str, str, list[str]]]:
    """The public menu as `h.build_nav_main` arguments: only pages that exist."""
    return public_pages.main_menu()


def satudata_site_logo() -> str:
    """The portal's logo: the configured one, or its own wordmark."""
    return public_pages.site_logo()


def satudata_wilayah_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Scheming choices for region fields: the regency and its kecamatan."""
    return [
        {"value": w.kode_kemendagri,
         "label": w.nama if w.jenis == "kabupaten" else f"Kec. {w.nama}"}
        for w in wilayah.builtin()
    ]


def satudata_show_if_conditions(dataset_type: str = metadata.DATASET_TYPE) -> dict[str, Any]:
    """{field: condition} for fields the form shows only under a condition."""
    return {
        f["field_name"]: f["sdi_show_if"]
        for f in metadata.dataset_fields(dataset_type) if "sdi_show_if" in f
    }


def satudata_ms_var_fields() -> list[tuple[str, str]]:
    """(key, label) of the MS-Var fields, in the current language."""
    names = ms_var.labels(metadata.language())
    return [(key, names[key]) for key, _, _ in ms_var.FIELDS]


def satudata_ms_var_type_options() -> list[tuple[str, str]]:
    """(value, text) options of the MS-Var data type select, blank first."""
    return [("", "")] + [(t, t) for t in ms_var.TIPE_DATA]


def satudata_value_domain_text(value_domain: Any) -> str:
    """A value domain as form text, one `kode=nilai` per line."""
    if not isinstance(value_domain, list):
        return value_domain or ""
    return "\n".join(f"{row.get('kode', '')}={row.get('nilai', '')}" for row in value_domain)


def satudata_variables(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The variables of a dataset's DataStore tables (for the dataset page)."""
    return ms_var.variables_of(pkg.get("resources", []))


def satudata_condition_values(data: dict[str, Any] | None,
                              dataset_type: str = metadata.DATASET_TYPE) -> dict[str, list[str]]:
    """Saved values of the fields that form conditions depend on (they may be on another page)."""
    data = data or {}
    watched = {name for condition in satudata_show_if_conditions(dataset_type).values()
               for name in condition}
    return {name: metadata.values_of(data.get(name)) for name in watched}


def satudata_completeness(pkg: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What the completeness check misses, grouped by form page with links to the fields
    (completeness.by_page); [] for a complete dataset. For the dataset page's submit
    button only (one check of one dataset)."""
    return completeness.by_page(pkg) if pkg else []


def satudata_submit_completeness() -> list[dict[str, Any]]:
    """On the page of verifikasi's submit step (its errors): the dataset's missing fields
    grouped by form page (completeness.by_page), [] anywhere else. The dataset is the one
    in the step's URL, read as the logged-in user."""
    request = tk.request
    args = request.view_args or {}
    if request.endpoint != "verifikasi_pages.dataset_step" or args.get("action") != "submit":
        return []
    try:
        pkg = tk.get_action("package_show")({"user": _current_user_name()}, {"id": args["id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []
    return completeness.by_page(pkg)


def satudata_date(value: Any) -> str:
    """A date (or a stored UTC time's WIB date) as "5 Desember 2026"."""
    return localtime.format_date(value)


def satudata_month(value: Any) -> str:
    """A month ("2026-12") as "Desember 2026"."""
    return localtime.format_month(value)


def satudata_datetime(value: Any) -> str:
    """A stored UTC time as "5 Desember 2026, 10.36 WIB"."""
    return localtime.format_datetime(value)


def satudata_is_walidata() -> bool:
    """Whether the signed-in user is walidata (or a sysadmin)."""
    shared = verification.shared()
    return bool(shared and shared.is_walidata(_current_user_name()))


def satudata_form_page_label(title: Any) -> str:
    """Step label and heading of a form page from its schema title."""
    return form_pages.page_label(tk.h.scheming_language_text(title))


def satudata_field_required(field: dict[str, Any], data: dict[str, Any] | None,
                            dataset_type: str = metadata.DATASET_TYPE) -> bool:
    """Whether the form marks `field` with "*".

    A dataset field is marked exactly when the completeness check requires it
    (`metadata.is_required`: `sdi_required`, or `sdi_required_if` met by `data`);
    any other field (a resource's, a repeating block's subfield) and a field CKAN
    itself needs to save (the URL) keep scheming's own mark.
    """
    from ckanext.scheming.helpers import scheming_field_required
    if scheming_field_required(field):
        return True
    name = field.get("field_name")
    schema_field = next((f for f in metadata.dataset_fields(dataset_type)
                         if f["field_name"] == name), None)
    return schema_field == field and metadata.is_required(field, data or {})


def satudata_form_page_not_applicable(page: dict[str, Any], data: dict[str, Any] | None,
                                      dataset_type: str = metadata.DATASET_TYPE) -> str:
    """Why a form page does not apply ("" when it does).

    A page does not apply when every one of its fields is shown only under a
    condition (`sdi_show_if`) that `data` does not meet, e.g. Blok V for an
    activity that is not a survey.
    """
    fields = [f for f in page.get("fields", []) if f.get("form_snippet", "") is not None]
    conditions = [f.get("sdi_show_if") for f in fields]
    if not fields or not all(conditions) or any(
            metadata.condition_met(c, data or {}) for c in conditions):
        return ""
    by_name = {f["field_name"]: f for f in metadata.dataset_fields(dataset_type)}
    reasons = []
    for name, wanted in (conditions[0] or {}).items():
        choices = metadata.choice_labels(name, dataset_type)
        reasons.append(tk._("{field} is {values}").format(
            field=metadata.label(by_name[name]) if name in by_name else name,
            values=" / ".join(choices.get(str(v), str(v)) for v in wanted)))
    return tk._("This block does not apply to this activity: it is filled in only when {reason}."
                ).format(reason=", ".join(reasons))


def satudata_harvest_source_dataset_count(source_id: str) -> int:
    """A harvest source's datasets the current user may see, private drafts included."""
    from ckanext.satudata import harvest_pages

    return harvest_pages.source_dataset_count(source_id)


def satudata_harvest_source_dataset_list(source_id: str, source_name: str) -> Any:
    """A page of a harvest source's datasets the current user may see (list and pager)."""
    from ckanext.satudata import harvest_pages

    return harvest_pages.source_dataset_list(source_id, source_name)


def get_helpers() -> dict[str, Any]:
    """The helpers above, and ckanext-dcat's JSON-LD helper chained where it is enabled."""
    found = {name: globals()[name] for name in __all__}
    if p.plugin_loaded("structured_data"):
        found["structured_data"] = jsonld.structured_data
    return found
