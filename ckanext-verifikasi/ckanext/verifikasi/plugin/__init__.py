"""CKAN plugins of ckanext-verifikasi, one module each."""
from ckanext.verifikasi.plugin.verifikasi import VerifikasiPlugin

__all__ = ["VerifikasiPlugin"]
