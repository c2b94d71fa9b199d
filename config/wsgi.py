"""WSGI entry point for CKAN with the Satu Data suite (gunicorn, uwsgi).

The ini path comes from the CKAN_INI environment variable.
"""
from __future__ import annotations

import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_config = CKANConfigLoader(os.environ["CKAN_INI"]).get_config()
application = make_app(_config)

# Behind reverse proxies (nginx in docker/), the client address comes from
# X-Forwarded-For; the survey rate limit and the audit log need the real one.
_proxies = int(os.environ.get("SATUDATA_TRUSTED_PROXIES", "0"))
if _proxies:
    from werkzeug.middleware.proxy_fix import ProxyFix

    application = ProxyFix(application, x_for=_proxies, x_proto=_proxies, x_host=_proxies)
