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
