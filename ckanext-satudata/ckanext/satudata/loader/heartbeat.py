"""The heartbeat of a running load: a thread refreshing the job's status record.

A load that stops beating for `ckanext.satudata.loader.stale_seconds` is dead
(stale.sweep_stale_loads re-queues or fails it). The thread beats four times
within that time, also while the job waits on long SQL (COPY, swap, indexes).
"""
from __future__ import annotations

import logging
import threading

from ckanext.satudata.loader import config, status

log = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    """Writes the job's heartbeat every `interval` seconds until `halt` is set.

    Only while the record still belongs to `job_id`: a job the sweep gave up on
    never beats over its successor.
    """

    def __init__(self, resource_id: str, job_id: str, interval: float | None = None) -> None:
        super().__init__(daemon=True, name=f"satudata-heartbeat-{resource_id}")
        self.resource_id, self.job_id = resource_id, job_id
        self.interval = config.heartbeat_seconds() if interval is None else interval
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(self.interval):
            try:
                status.write(self.resource_id, only_job=self.job_id, heartbeat=status.now())
            except Exception:  # noqa: BLE001 - a missed beat must not kill the load
                log.exception("heartbeat of %s failed", self.resource_id)
