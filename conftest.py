"""Fixtures shared by every test of the suite (unit tests and tests/)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

# Enabled plugins whose tables come from alembic migrations. CKAN's reset_db
# drops every table it can see, so these are migrated again after each reset.
PLUGINS_WITH_MIGRATIONS = ("activity", "satudata", "satudata_tracking", "harvest", "verifikasi")
# Their alembic version tables (satudata_tracking's is "tracking_alembic_version").
_MIGRATION_TABLE_PREFIXES = ("activity", "satudata", "tracking", "harvest", "verifikasi")


def pytest_configure(config):
    """Give each pytest-xdist worker its own environment, and wire the two
    packages' test helpers together (they never import each other).

    `scripts/portal test` renders one ini per worker (var/test_gw0.ini, ...:
    own databases, Solr core, Redis database, live-server and SMTP ports);
    CKAN reads `--ckan-ini` when the session starts, after this hook.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker and getattr(config.option, "numprocesses", None):
        worker = "gw0"  # the controller loads CKAN too, but runs no test
    if worker and getattr(config.option, "ckan_ini", None):
        ini = Path(config.option.ckan_ini)
        config.option.ckan_ini = str(ini.with_name(f"{ini.stem}_{worker}{ini.suffix}"))
    from ckanext.satudata.ms_keg_sample import complete_ms_keg
    from ckanext.verifikasi.tests import world

    world.complete_fields = complete_ms_keg
    _factories_make_strong_passwords(world.PASSWORD)
    _hash_passwords_cheaply()


def _hash_passwords_cheaply() -> None:
    """Hash the tests' passwords with 1,000 PBKDF2 rounds instead of 25,000.

    Hashing was a tenth of the suite's CPU (16 ms an account, thousands of accounts).
    The cost factor is not what any test checks: the scheme, the password policy and
    login stay CKAN's. A server started by a test (gunicorn) keeps the full cost and,
    as CKAN does for any weaker hash, upgrades an account's hash at its first login.
    """
    from ckan.model import user
    from passlib.hash import pbkdf2_sha512

    user.pbkdf2_sha512 = pbkdf2_sha512.using(rounds=1000)  # type: ignore[assignment]


def pytest_collection_modifyitems(items):
    """Order the run: the long tests first, and tests that configure CKAN alike together.

    * pytest-xdist's worksteal hands each worker a share of the list and lets an idle
      worker take the end of another's; a test of several minutes started last keeps
      one worker busy after the other ran out, so `slow`, then `browser` and
      `live_server` tests come first.
    * Another configuration (`ckan_config` marks) means loading every plugin and
      building the app again (about 2.5 s here, see `_LoadedStack`); in collection
      order the few marked tests sat between unmarked ones, each paying that twice.

    The sort is stable: otherwise the collection order holds.
    """
    def order(item) -> tuple[int, bool, str]:
        weight = 0 if item.get_closest_marker("slow") else 1 if (
            item.get_closest_marker("browser") or item.get_closest_marker("live_server")) else 2
        marks = sorted(repr(mark.args) for mark in item.iter_markers("ckan_config"))
        return weight, bool(marks), repr(marks)

    items.sort(key=order)


def _factories_make_strong_passwords(password: str) -> None:
    """CKAN's user factories give every account `password` unless a test names one.

    Their own (faker's 10 characters; "correct123" for the *WithToken ones) fail the
    portal's password policy (ckanext.satudata.keamanan.password), which holds in tests
    as in production. factory_boy copies a factory's declarations into each subclass
    when the class is made and parses them once, so every subclass made so far
    (ckan.tests.pytest_ckan.fixtures makes some) gets the new declaration and its
    parsed form; subclasses made later inherit it.
    """
    from ckan.tests import factories
    from factory import builder

    pending: list = [factories.User]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        meta = cls._meta
        meta.base_declarations["password"] = password
        meta.pre_declarations, meta.post_declarations = builder.parse_declarations(
            meta.declarations)


class _LoadedStack:
    """The plugins and Flask apps of the last configuration, kept between tests.

    CKAN's `with_plugins` and `app` fixtures load every plugin again (twice when
    a test has both) and build a new app for each test: about 5 s a test here.
    Both only depend on the configuration, so they are rebuilt only when it
    differs (a `ckan_config` mark, or a fixture that patched it first); the
    configuration the plugins' update_config() produced is restored for every
    test, since `ckan_config` resets it after each one. A test that asks for a
    second app (to keep request contexts apart) gets a second kept instance.

    Loading normalises some options (a list option given as a string by a
    `ckan_config` mark becomes a list), so the configuration as given and as
    loaded both name the kept stack: the second fixture of a marked test reuses it.
    A test changing only the portal's own options (read when used) keeps the stack
    too, with its values set and typed.
    """

    # ckanext-spatial appends to this list in place on every load, so it grows
    # whatever the test configures; it is not part of what a test chooses.
    _GROWN_BY_LOADING = frozenset({"ckan.search.solr_allowed_query_parsers"})
    # The portal's options are read when used; a test changing only these needs no new
    # app. Dataset types name the blueprints registered while the app is built.
    _READ_AT_RUN_TIME = ("ckanext.satudata.", "ckanext.verifikasi.")
    _READ_WHILE_LOADING = frozenset({"ckanext.verifikasi.dataset_types"})

    def __init__(self) -> None:
        self.keys: frozenset[str] = frozenset()
        self.apps: list = []
        self.loaded_config: dict = {}

    @classmethod
    def _key(cls, config) -> str:
        return repr(sorted((k, repr(v)) for k, v in config.items()
                           if k not in cls._GROWN_BY_LOADING))

    def ensure(self, config) -> None:
        """Plugins loaded for `config`, and the configuration they produced."""
        from ckan.config.middleware import make_app
        from ckan.lib import app_globals

        config["testing"] = True  # as CKAN's _get_test_app
        key = self._key(config)
        if key not in self.keys and self.apps and self._read_at_run_time_only(config):
            from ckan.common import config_declaration

            # The kept stack, with the test's own values typed as loading would type
            # them (a list option given as a string, an int as "5").
            chosen = {k: config[k] for k in self._differences(config)}
            config.update(self.loaded_config)
            config.update(chosen)
            config_declaration.normalize(config)
            app_globals._CONFIG_CACHE.clear()
            app_globals.reset()
            return
        if key not in self.keys or not self.apps:
            self.keys = frozenset()
            # As CKAN's make_app fixture: runtime-editable options cached at the last
            # start-up would override this configuration's values.
            app_globals._CONFIG_CACHE.clear()
            self.apps = [make_app(config)]
            self.loaded_config = dict(config)
            self.keys = frozenset({key, self._key(config)})
        else:
            config.update(self.loaded_config)
            app_globals._CONFIG_CACHE.clear()
            app_globals.reset()

    def _differences(self, config) -> set[str]:
        return {k for k in set(config) | set(self.loaded_config)
                if k not in self._GROWN_BY_LOADING
                and repr(config.get(k)) != repr(self.loaded_config.get(k))}

    def _read_at_run_time_only(self, config) -> bool:
        """Whether only the portal's own options differ, each read through its accessor
        when used (`ckanext/*/config.py`), never while plugins load or the app is built."""
        differences = self._differences(config)
        return all(k in config and k.startswith(self._READ_AT_RUN_TIME)
                   and k not in self._READ_WHILE_LOADING for k in differences)

    def app(self, config, index: int):
        """The `index`-th app instance of this configuration."""
        from ckan.config.middleware import make_flask_stack

        self.ensure(config)
        while len(self.apps) <= index:
            self.apps.append(make_flask_stack(config))
        return self.apps[index]


_STACK = _LoadedStack()


@pytest.fixture
def with_plugins(ckan_config):
    """Every plugin of `ckan.plugins` loaded (kept loaded for the next test)."""
    _STACK.ensure(ckan_config)
    yield


@pytest.fixture
def make_app(ckan_config):
    """CKAN's factory of test apps; each call of a test gets another instance."""
    from ckan.tests.helpers import CKANTestApp

    made = []

    def factory():
        made.append(CKANTestApp(_STACK.app(ckan_config, len(made))))
        return made[-1]

    return factory


@pytest.fixture
def cli(with_plugins, ckan_config):
    """CKAN's CLI runner; `cli.invoke(ckan, [...])` runs on the loaded app.

    CKAN's root command builds the whole app again from the ini file for every
    invocation (2.5 s, and the test's `ckan_config` is lost on the way); here the
    command gets what `ckan -c <ini>` gives it, from the app the test already has:
    the configuration, `ctx.obj.app` and `ctx.meta["flask_app"]`.
    """
    return _LoadedAppCliRunner(_STACK.app(ckan_config, 0), ckan_config)


class _LoadedAppCliRunner:
    def __init__(self, app, config) -> None:
        from ckan.tests.helpers import CKANCliRunner

        self.runner = CKANCliRunner()
        self.app = app
        self.config = config

    def invoke(self, command, args=None, **kwargs):
        from ckan import model
        from ckan.cli.cli import ckan

        if command is ckan:
            command = self._root()
        # A command starts as a new process would: nothing the test loaded before
        # (and then changed with SQL) is served from the session's identity map.
        model.Session.remove()
        try:
            return self.runner.invoke(command, args, **kwargs)
        finally:
            model.Session.remove()

    def _root(self):
        """`ckan` with its own, the entry points' and the plugins' commands."""
        import types

        import click
        from ckan.cli import cli as ckan_cli
        from ckan.plugins import IClick, PluginImplementations

        app, config = self.app, self.config

        @click.group(cls=ckan_cli.ExtendableGroup)
        @click.pass_context
        def root(ctx: click.Context) -> None:
            ctx.obj = types.SimpleNamespace(app=app, config=config)
            ctx.meta["flask_app"] = app._wsgi_app

        for name, command in ckan_cli.ckan.commands.items():
            if not hasattr(command, ckan_cli.META_ATTR):
                root.add_command(command, name)
        for command in ckan_cli._get_commands_from_entry_point():
            root.add_command(command)
        for command in ckan_cli._get_commands_from_plugins(PluginImplementations(IClick)):
            root.add_command(command)
        return root


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """A clean database with our plugins' tables in place.

    CKAN's reset empties every table of its metadata, which holds the plugins'
    tables too; only when it dropped them (the first reset of a session) are
    the plugins' migrations run again.
    """
    from ckan import model

    if model.repo.tables_created_and_initialised:
        _delete_all_rows()
    else:
        reset_db()
    _pool_connections_again()
    found = model.Session.execute(sa.text(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = ANY(:names)"),
        {"names": [f"{p}_alembic_version" for p in _MIGRATION_TABLE_PREFIXES]}).scalar()
    model.Session.remove()
    if found != len(_MIGRATION_TABLE_PREFIXES):
        for plugin in PLUGINS_WITH_MIGRATIONS:
            migrate_db_for(plugin)


def _delete_all_rows() -> None:
    """CKAN's reset of a database whose tables exist (`Repository.delete_all`), in one
    round trip: the same DELETEs of the same tables in the same order, without its
    catalogue query per table (about 200 statements a test)."""
    from ckan import model

    model.Session.close_all()
    model.Session.remove()
    connection = model.Session.connection()
    existing = set(sa.inspect(connection).get_table_names())
    quote = connection.dialect.identifier_preparer.quote
    connection.exec_driver_sql("; ".join(
        f"DELETE FROM {quote(table.name)}"
        for table in reversed(model.repo.metadata.sorted_tables)
        # alembic_version keeps core's migration state (plugins' are not in metadata).
        if table.name != "alembic_version" and table.name in existing))
    model.Session.commit()
    model.Session.remove()


def _pool_connections_again() -> None:
    """Bind the model to a pooled engine again after CKAN rebuilt its tables.

    Core's alembic env (ckan/migration/env.py) runs init_model() with its own
    NullPool engine, so after the first rebuild of a session every transaction
    of every later test opened a new PostgreSQL connection (about a third of a
    typical test's time). Production never runs migrations inside the web app.
    """
    from ckan import model
    from ckan.common import config

    if isinstance(model.meta.engine.pool, sa.pool.NullPool):
        model.Session.remove()
        model.init_model(sa.engine_from_config(config))


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
