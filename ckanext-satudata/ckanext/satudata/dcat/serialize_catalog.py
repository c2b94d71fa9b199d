"""Serialising the catalogue: its publisher, language, homepage and theme schemes in
the form DCAT-AP 3 requires."""
from __future__ import annotations

from typing import Any

from ckanext.dcat.profiles.base import DCAT, DCT, FOAF, RDF, SKOS, RDFProfile
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ckanext.satudata import config
from ckanext.satudata.dcat.values import catalog_base
from ckanext.satudata.dcat.vocabulary import (
    CATALOG_PUBLISHER,
    DATA_THEME,
    LOCAL_AUTHORITY,
    THEME_FIELDS,
)


class CatalogGraphMixin(RDFProfile):
    """`graph_from_catalog` of the Satu Data profile (concept and language nodes come
    from `DatasetGraphMixin`, mixed in beside this one by the profile class)."""

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: Node) -> None:
        if (catalog_ref, RDF.type, DCAT.Catalog) not in self.g:
            super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        if not any(g.objects(catalog_ref, DCT.publisher)):
            agent = BNode()
            g.add((catalog_ref, DCT.publisher, agent))
            g.add((agent, RDF.type, FOAF.Agent))
            g.add((agent, RDF.type, FOAF.Organization))
            g.add((agent, FOAF.name, Literal(CATALOG_PUBLISHER)))
            self._add_concept(agent, DCT.type, LOCAL_AUTHORITY, {"en": "Local Authority"})
            email = config.contact_email()
            if email:
                g.add((agent, FOAF.mbox, URIRef(self._add_mailto(email))))
        for language in list(g.objects(catalog_ref, DCT.language)):
            if isinstance(language, Literal):
                g.remove((catalog_ref, DCT.language, language))
                self._add_language(catalog_ref, str(language))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        for scheme, title in self._theme_schemes():
            g.add((catalog_ref, DCAT.themeTaxonomy, scheme))
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            g.add((scheme, DCT.title, title))

    def _theme_schemes(self) -> list[tuple[URIRef, Literal]]:
        schemes = []
        for field_name, path in THEME_FIELDS.items():
            field = self._schema_field(field_name)
            title = field.get("label", field_name) if field else field_name
            if isinstance(title, dict):
                title = title.get("id") or next(iter(title.values()))
            schemes.append((URIRef(f"{catalog_base()}/{path}"), Literal(title, lang="id")))
        schemes.append((URIRef(DATA_THEME), Literal("Data theme", lang="en")))
        return schemes
