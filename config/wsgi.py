"""WSGI entry point for CKAN with the Satu Data suite (gunicorn, uwsgi).

The ini path comes from the CKAN_INI environment variable.
"""
from __future__ import annotations

import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_config = CKANConfigLoader(os.environ["CKAN_INI"]).get_config()
application = make_app(_config)
