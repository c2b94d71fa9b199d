"""Fixtures shared by every test of the suite (unit tests and tests/)."""
from __future__ import annotations

import pytest

# Enabled plugins whose tables come from alembic migrations. CKAN's reset_db
# drops every table it can see, so these are migrated again after each reset.
PLUGINS_WITH_MIGRATIONS = ("activity", "satudata", "satudata_tracking", "harvest", "verifikasi")


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
