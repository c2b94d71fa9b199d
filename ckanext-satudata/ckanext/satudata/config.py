"""Typed getters for ckanext-satudata's config options (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def contact_email() -> str:
    return tk.config["ckanext.satudata.contact_email"]


def contact_phone() -> str:
    return tk.config["ckanext.satudata.contact_phone"]


def demo_password() -> str:
    return tk.config["ckanext.satudata.demo_password"]


def input_max_upload_bytes() -> int:
    return tk.config["ckanext.satudata.input.max_upload_mb"] * 2**20


def input_keep_checked_imports_hours() -> int:
    return tk.config["ckanext.satudata.input.keep_checked_imports_hours"]


def input_form_rows_per_page() -> int:
    return tk.config["ckanext.satudata.input.form_rows_per_page"]


def survey_submissions_per_minute() -> int:
    return tk.config["ckanext.satudata.survey.submissions_per_minute"]


def survey_max_value_chars() -> int:
    return tk.config["ckanext.satudata.survey.max_value_chars"]
