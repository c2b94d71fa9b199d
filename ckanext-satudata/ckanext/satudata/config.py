"""Typed getters for ckanext-satudata's config options (declared in config_declaration.yaml)."""
from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network

import ckan.plugins.toolkit as tk


def contact_email() -> str:
    return tk.config["ckanext.satudata.contact_email"]


def contact_phone() -> str:
    return tk.config["ckanext.satudata.contact_phone"]


def contact_office() -> str:
    return tk.config["ckanext.satudata.contact_office"]


def contact_address() -> str:
    return tk.config["ckanext.satudata.contact_address"]


def home_newest_datasets() -> int:
    return tk.config["ckanext.satudata.home.newest_datasets"]


def sitemap_part_size() -> int:
    # The sitemaps protocol allows 50,000 URLs per file.
    return min(tk.config["ckanext.satudata.sitemap.part_size"], 50000)


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


def fetch_allowed_networks() -> list[IPv4Network | IPv6Network]:
    """The allow-listed networks of server-side fetches; a bad entry fails with its value."""
    networks = []
    for entry in _words(tk.config.get("ckanext.satudata.fetch.allowed_networks")):
        try:
            networks.append(ip_network(entry, strict=False))
        except ValueError:
            raise ValueError("ckanext.satudata.fetch.allowed_networks: not an IP address "
                             f"or network: {entry}") from None
    return networks


def fetch_allowed_hosts() -> frozenset[str]:
    return frozenset(h.lower().rstrip(".")
                     for h in _words(tk.config.get("ckanext.satudata.fetch.allowed_hosts")))


def fetch_max_redirects() -> int:
    value = tk.config.get("ckanext.satudata.fetch.max_redirects")
    return 5 if value is None else max(0, int(value))


def fetch_timeout() -> int:
    value = tk.config.get("ckanext.satudata.fetch.timeout")
    return 60 if value is None else max(1, int(value))


def _words(value: str | list[str] | None) -> list[str]:
    if not value:
        return []
    return value.split() if isinstance(value, str) else [w for v in value for w in v.split()]


def fetch_max_bytes() -> int:
    value = tk.config.get("ckanext.satudata.fetch.max_mb")
    return (100 if value is None else int(value)) * 2**20


def jadwal_rilis_due_days() -> int:
    """Days before a planned release date from which an unreleased period is due soon."""
    return int(tk.config["ckanext.satudata.jadwal_rilis.due_days"])


def daftar_remind_days() -> int:
    """Days before a planned release date when the OPD is reminded of it."""
    return int(tk.config["ckanext.satudata.daftar.remind_days"])


def kpi_first_year() -> int:
    """Year 1 of the Rencana Aksi, from which the KPI targets count."""
    return int(tk.config["ckanext.satudata.kpi.first_year"])


def pii_sample_rows() -> int:
    """Tables with more rows are scanned for personal data on a sample of about this many."""
    return int(tk.config["ckanext.satudata.pii.sample_rows"])


def pii_file_rows() -> int:
    """Data rows read from the head of an uploaded file scanned for personal data."""
    return int(tk.config["ckanext.satudata.pii.file_rows"])


def report_recipients() -> list[str]:
    """E-mail addresses that receive the portal's periodic reports (/laporan)."""
    return [a for a in tk.config["ckanext.satudata.report.recipients"] if a]
