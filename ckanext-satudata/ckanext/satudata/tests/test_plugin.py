"""The satudata plugin loads, declares its config and renders in Indonesian."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action


@pytest.mark.usefixtures("with_plugins")
def test_plugin_is_loaded():
    assert p.plugin_loaded("satudata")


@pytest.mark.usefixtures("with_plugins")
def test_config_defaults_are_declared():
    assert tk.config["ckanext.satudata.contact_email"] == "diskominfo@pasuruankab.go.id"


@pytest.mark.usefixtures("with_plugins", "with_request_context")
@pytest.mark.ckan_config("ckanext.satudata.contact_email", "walidata@example.go.id")
def test_contact_helper_reads_config():
    assert tk.h.satudata_contact()["email"] == "walidata@example.go.id"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_schema_requires_category_access_class_and_licence(sysadmin_context):
    org = factories.Organization()
    with pytest.raises(tk.ValidationError) as err:
        call_action("package_create", sysadmin_context,
                    name="tanpa-kategori", title="Tanpa kategori",
                    owner_org=org["id"])
    assert {"kategori", "klasifikasi_akses", "license_id"} <= set(err.value.error_dict)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_dataset_schema_rejects_unknown_access_class(sysadmin_context):
    org = factories.Organization()
    with pytest.raises(tk.ValidationError) as err:
        call_action("package_create", sysadmin_context,
                    name="akses-aneh", title="Akses aneh", owner_org=org["id"],
                    kategori="DATA_DASAR", klasifikasi_akses="publik", license_id="cc-by")
    assert list(err.value.error_dict) == ["klasifikasi_akses"]
