"""Factories for Satu Data objects, made through the real actions."""
from __future__ import annotations

import factory
from ckan.tests import factories


class Dataset(factories.Dataset):
    """A dataset that satisfies the Satu Data schema's required fields."""

    kategori = "DATA_DASAR"
    klasifikasi_akses = "terbuka"
    license_id = "cc-by"
    owner_org = factory.LazyFunction(lambda: factories.Organization()["id"])


class PublishedDataset(Dataset):
    """A complete dataset a sysadmin publishes directly (through verifikasi's gate, which
    refuses incomplete metadata: every mandatory MS-Keg field is filled unless given)."""

    private = False

    @classmethod
    def _api_prepare_args(cls, data_dict):
        from ckanext.satudata.ms_keg_sample import complete_ms_keg

        complete = complete_ms_keg(data_dict.get("title") or "Data", 2025, "Dinas Kesehatan")
        return super()._api_prepare_args({**complete, **data_dict})
