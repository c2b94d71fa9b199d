"""Alembic environment of the verifikasi plugin's migrations.

As in CKAN's own plugins (ckanext/activity): the version table is named after
the migration folder (`verifikasi_alembic_version`) and autogenerate only looks
at tables whose name starts with `verifikasi`.
"""
from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from ckan.model.meta import metadata
from sqlalchemy import engine_from_config, pool

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name)

target_metadata = metadata

name = os.path.basename(os.path.dirname(__file__))
VERSION_TABLE = f"{name}_alembic_version"


def include_object(object, object_name, type_, reflected, compare_to) -> bool:
    """Leave core's and other plugins' tables out of autogenerate."""
    if type_ == "table":
        return object_name.startswith(name)
    return True


def run_migrations_offline() -> None:
    """Emit the SQL of the migrations without a database connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        version_table=VERSION_TABLE,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against the configured database."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=VERSION_TABLE,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
