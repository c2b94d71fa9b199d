"""ckanext-satudata: what the Satu Data Pasuruan portal is about."""
