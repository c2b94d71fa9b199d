"""Resource views of the portal: a chart of a DataStore table, a map of a GeoJSON file.

The plugins (`plugin/resource_views.py`) only declare the views to CKAN; what a view
shows is worked out here, one module per view: `chart` reads the table with the
viewer's own rights (datastore_search as the current user), `geojson` finds the
file in the portal's own storage and refuses what it cannot draw. Both put the data
into the page as JSON; nothing is fetched from another host.
"""
