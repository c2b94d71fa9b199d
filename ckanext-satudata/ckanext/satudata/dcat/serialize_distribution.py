"""Serialising distributions: licence, access URL, format, media type and checksum
in the form DCAT-AP 3 requires (IRIs and typed nodes rather than literals)."""
from __future__ import annotations

import re
from typing import Any

from ckanext.dcat.profiles.base import DCAT, DCT, RDF, RDFS, SPDX, RDFProfile
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ckanext.satudata.dcat.vocabulary import (
    CHECKSUM_ALGORITHMS,
    FILE_TYPE,
    FILE_TYPES,
    IANA_MEDIA_TYPES,
)


class DistributionGraphMixin(RDFProfile):
    """Repairs the distributions the DCAT-AP 3 base profile wrote for a dataset."""

    def _fix_distribution(self, dataset_dict: dict[str, Any], resource_dict: dict[str, Any],
                          dataset_ref: Node) -> None:
        """Licence, access URL, format, media type and checksum as DCAT-AP 3 wants them."""
        g = self.g
        distribution = next((d for d in g.objects(dataset_ref, DCAT.distribution)
                             if str(d).endswith(f"/resource/{resource_dict.get('id')}")), None)
        if distribution is None:
            return
        if not any(g.objects(distribution, DCT.license)):
            self._add_license(dataset_dict, distribution)
        if not any(g.objects(distribution, DCAT.accessURL)):
            g.add((distribution, DCAT.accessURL, distribution))
        for predicate in (DCAT.accessURL, DCAT.downloadURL):
            for url in g.objects(distribution, predicate):
                g.add((url, RDF.type, RDFS.Resource))
        for fmt in list(g.objects(distribution, DCT["format"])):
            if isinstance(fmt, Literal):
                g.remove((distribution, DCT["format"], fmt))
                g.add((distribution, DCT["format"], self._file_type(str(fmt))))
        for media_type in list(g.objects(distribution, DCAT.mediaType)):
            if isinstance(media_type, Literal):
                g.remove((distribution, DCAT.mediaType, media_type))
                if re.fullmatch(r"[\w.+-]+/[\w.+-]+", str(media_type)):
                    iana = URIRef(IANA_MEDIA_TYPES + str(media_type).lower())
                    g.add((distribution, DCAT.mediaType, iana))
                    g.add((iana, RDF.type, DCT.MediaType))
        for checksum in list(g.objects(distribution, SPDX.checksum)):
            if not any(g.objects(checksum, SPDX.algorithm)):
                value = str(g.value(checksum, SPDX.checksumValue) or "")
                algorithm = CHECKSUM_ALGORITHMS.get(len(value))
                if algorithm:
                    node = URIRef(f"http://spdx.org/rdf/terms#checksumAlgorithm_{algorithm}")
                    g.add((checksum, SPDX.algorithm, node))
                    g.add((node, RDF.type, SPDX.ChecksumAlgorithm))
                else:
                    g.remove((distribution, SPDX.checksum, checksum))
                    g.remove((checksum, None, None))

    def _add_license(self, dataset_dict: dict[str, Any], distribution: Node) -> None:
        license_id = dataset_dict.get("license_id")
        if not license_id:
            return
        url = dataset_dict.get("license_url")
        licence: Node = URIRef(url) if url and url.startswith("http") else BNode()
        self.g.add((distribution, DCT.license, licence))
        self.g.add((licence, RDF.type, DCT.LicenseDocument))
        self.g.add((licence, DCT.title, Literal(dataset_dict.get("license_title") or license_id)))
        if isinstance(licence, BNode):
            self.g.add((licence, DCT.identifier, Literal(license_id)))

    def _file_type(self, label: str) -> Node:
        code = FILE_TYPES.get(label.strip().upper().lstrip("."))
        node: Node = URIRef(FILE_TYPE + code) if code else BNode()
        self.g.add((node, RDF.type, DCT.MediaTypeOrExtent))
        if not code:
            self.g.add((node, RDFS.label, Literal(label)))
        return node
