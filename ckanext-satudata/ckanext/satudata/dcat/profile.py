"""DCAT-AP 3 profile of the portal: the SDI fields in the vocabularies DCAT-AP expects.

Registered as ``satudata_dcat_ap`` (entry point group ``ckan.rdf.profiles``) and
meant to run after ``euro_dcat_ap_3``::

    ckanext.dcat.rdf.profiles = euro_dcat_ap_3 satudata_dcat_ap

It adds what the SDI schema knows (frequency, regions, period, contact,
categories and sectors, access class, licence) and repairs the parts of the
base output that the DCAT-AP 3.0.0 SHACL shapes reject when validated without
inference (untyped objects, literals where IRIs are required, geometries as
literals). Used alone it runs the DCAT-AP 3 base profile itself first.
"""
from __future__ import annotations

from ckanext.dcat.profiles import EuropeanDCATAP3Profile

from ckanext.satudata.dcat.parse_dataset import DatasetParseMixin
from ckanext.satudata.dcat.serialize_catalog import CatalogGraphMixin
from ckanext.satudata.dcat.serialize_dataset import DatasetGraphMixin
from ckanext.satudata.dcat.serialize_distribution import DistributionGraphMixin


class SatudataDCATAPProfile(DatasetGraphMixin, DistributionGraphMixin, CatalogGraphMixin,
                            DatasetParseMixin, EuropeanDCATAP3Profile):
    """DCAT-AP 3 with the Satu Data Indonesia (SDI) fields of Kabupaten Pasuruan.

    Each mixin overrides one half of the base profile and calls it through
    ``super()``, which the method resolution order sends on to
    ``EuropeanDCATAP3Profile``.
    """
