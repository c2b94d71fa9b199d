"""ckanext-verifikasi: who may see and change what in the Satu Data Pasuruan portal."""
