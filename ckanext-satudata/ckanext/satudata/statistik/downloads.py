"""Download counting: every delivery of data, per resource per day.

Counted on the server after the response is made (a Flask `after_app_request`
hook), so only deliveries count: a refused request (403, 404, a failed API call)
never does. Counted paths:

- the resource download route of every dataset type (verifikasi's and core's
  `/<type>/<id>/resource/<resource_id>/download[/<filename>]`); for a link to
  another site this route is the counted redirect (302) the resource page links to;
- DataStore dumps (`datastore.dump` and the portal's own `satudata_export.dump`);
- the API's `datastore_search` (GET or POST).

Requests whose User-Agent names a robot (crawler, spider, monitoring) are not
counted. One upsert per delivery into `satudata_download_daily` (resource, day).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import sqlalchemy as sa
from ckan import model
from flask import Response, request

log = logging.getLogger(__name__)

#: User agents of robots (search engines, crawlers, link checkers, monitors).
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|bingpreview|"
    r"mediapartners|httrack|monitor|pingdom|uptime|headlesschrome|lighthouse|"
    r"python-urllib|scrapy|ahrefs|semrush|yandex|baidu|petalbot|duckduck", re.IGNORECASE)

#: The resource download rule of every dataset type, whichever blueprint serves it
#: (verifikasi's, registered first, or core's).
_DOWNLOAD_RULE = re.compile(r"/resource/<resource_id>/download(/<filename>)?$")
_DUMP_ENDPOINTS = frozenset({"datastore.dump", "satudata_export.dump"})
_API_ACTIONS = frozenset({"datastore_search"})

_UPSERT = sa.text("""
    INSERT INTO satudata_download_daily (resource_id, day, package_id, count)
    SELECT r.id, :day, r.package_id, 1 FROM resource r
    WHERE r.id = :resource_id AND r.state = 'active'
    ON CONFLICT (resource_id, day)
    DO UPDATE SET count = satudata_download_daily.count + 1
""")


def is_bot(user_agent: str | None) -> bool:
    """Whether a User-Agent is a robot's (an empty one counts as a robot)."""
    return not (user_agent or "").strip() or bool(BOT_PATTERN.search(user_agent or ""))


def _api_resource_id() -> str | None:
    args = request.view_args or {}
    if args.get("logic_function") not in _API_ACTIONS:
        return None
    value: Any = request.args.get("resource_id")
    if value is None and request.method == "POST":
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            value = body.get("resource_id")
        else:
            value = request.form.get("resource_id")
    return value if isinstance(value, str) else None


def delivered_resource(endpoint: str | None, status: int) -> str | None:
    """The resource whose data this request delivered, None if it delivered none."""
    if not endpoint or not (200 <= status < 400) or status == 304:
        return None
    args = request.view_args or {}
    rule = request.url_rule.rule if request.url_rule is not None else ""
    if _DOWNLOAD_RULE.search(rule) or endpoint in _DUMP_ENDPOINTS:
        return args.get("resource_id")
    if endpoint == "api.action":
        return _api_resource_id() if status == 200 else None
    return None


def record(resource_id: str, day: dt.date | None = None) -> None:
    """Count one delivery of the resource's data today (UTC); unknown ids are ignored."""
    model.Session.execute(_UPSERT, {"resource_id": resource_id,
                                    "day": day or dt.datetime.now(dt.timezone.utc).date()})
    model.Session.commit()


def count_response(response: Response) -> Response:
    """`after_app_request` hook: count the response if it delivered data."""
    try:
        resource_id = delivered_resource(request.endpoint, response.status_code)
        if resource_id and not is_bot(request.headers.get("User-Agent")):
            record(resource_id)
    except Exception:  # counting never breaks a download
        log.exception("download count failed")
        model.Session.rollback()
    return response
