"""CKAN plugins of ckanext-satudata, one module each."""
from ckanext.satudata.plugin.satudata import SatudataPlugin

__all__ = ["SatudataPlugin"]
