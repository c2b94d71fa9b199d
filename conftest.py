"""Fixtures shared by every test of the suite (unit tests and tests/)."""
from __future__ import annotations

import pytest

# Enabled plugins whose tables come from alembic migrations. CKAN's reset_db
# drops every table it can see, so these are migrated again after each reset.
PLUGINS_WITH_MIGRATIONS = ("activity", "satudata", "satudata_tracking", "harvest", "verifikasi")


def pytest_configure(config):
    """Wire the two packages' test helpers together (they never import each other)."""
    from ckanext.satudata.ms_keg_sample import complete_ms_keg
    from ckanext.verifikasi.tests import world

    world.complete_fields = complete_ms_keg


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """A clean database with our plugins' tables in place."""
    reset_db()
    for plugin in PLUGINS_WITH_MIGRATIONS:
        migrate_db_for(plugin)


@pytest.fixture
def sysadmin_context() -> dict:
    """An action context acting as a fresh sysadmin.

    call_action's default user ("127.0.0.1") is not a user, and the activity
    plugin refuses to record an activity for it.
    """
    from ckan.tests import factories

    return {"user": factories.Sysadmin()["name"], "ignore_auth": True}


class _Mailbox:
    """Messages received by the test SMTP server."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp_server(ckan_config):
    """A real SMTP server (aiosmtpd) on the address in `smtp.server`."""
    from aiosmtpd.controller import Controller

    host, port = ckan_config["smtp.server"].split(":")
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname=host, port=int(port))
    controller.start()
    yield mailbox
    controller.stop()
