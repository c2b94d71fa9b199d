"""The access-class field, its classes and the workflow's dataset types are configuration."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action


@pytest.mark.ckan_config("ckanext.verifikasi.access_classes", "terbuka terbatas")
def test_the_last_configured_class_is_published_but_stays_private(world):
    ds = world.dataset("terbatas")
    world.publish(ds["id"])
    assert call_action("verifikasi_status_show", world.context("walidata"),
                       id=ds["id"])["state"] == "published"
    assert call_action("package_show", id=ds["id"])["private"] is True


@pytest.mark.ckan_config("ckanext.verifikasi.dataset_types", "indikator")
def test_types_outside_the_configured_ones_are_outside_the_workflow(world):
    ds = world.dataset()
    with pytest.raises(tk.ObjectNotFound):
        call_action("verifikasi_submit", world.context("operator"), id=ds["id"])
