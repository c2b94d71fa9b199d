"""Official kecamatan/desa boundaries (issue 13, the monitoring's thematic map): the
table, the all-or-nothing import of GeoJSON or Shapefile files, the simplified
geometries served to the map."""
