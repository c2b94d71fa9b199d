"""The portal's DCAT-AP 3 profile (`satudata_dcat_ap`), split the way ckanext-dcat
splits its own profiles:

- `profile`: `SatudataDCATAPProfile`, the class the entry point names, composed of
- `serialize_dataset`, `serialize_distribution`, `serialize_catalog`: the graph a
  dataset and the catalogue become,
- `parse_dataset`: a dataset read back from such a graph (harvesting),
- `vocabulary`: the SDI namespace, EU authority tables and code mappings,
- `values`: conversions that need no graph (periods, telephone URIs, extents).

See docs/dcat-sdi.md for the mapping itself.
"""
