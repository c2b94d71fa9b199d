"""CKAN plugins of ckanext-satudata, one module each."""
from ckanext.satudata.plugin.input import SatudataInputPlugin
from ckanext.satudata.plugin.locale import SatudataLocalePlugin
from ckanext.satudata.plugin.satudata import SatudataPlugin
from ckanext.satudata.plugin.tracking import SatudataTrackingPlugin

__all__ = ["SatudataInputPlugin", "SatudataLocalePlugin", "SatudataPlugin",
           "SatudataTrackingPlugin"]
