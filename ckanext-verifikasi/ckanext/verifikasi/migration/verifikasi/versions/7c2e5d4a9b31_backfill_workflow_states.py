"""Give datasets that existed before the workflow a state: public ones count as
published, private ones as drafts.

Revision ID: 7c2e5d4a9b31
Revises: 3f1a9c2b7d10
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7c2e5d4a9b31"
down_revision = "3f1a9c2b7d10"
branch_labels = None
depends_on = None

package = sa.table("package", sa.column("id"), sa.column("private"), sa.column("state"),
                   sa.column("type"))
state = sa.table("verifikasi_state", sa.column("package_id"), sa.column("state"),
                 sa.column("version"), sa.column("has_published"))


def upgrade() -> None:
    existing = sa.select(state.c.package_id)
    rows = sa.select(
        package.c.id,
        sa.case((package.c.private, "draft"), else_="published"),
        sa.literal(0),
        sa.not_(package.c.private),
    # The default of `ckanext.verifikasi.dataset_types`, as it was when this ran: a
    # migration is a fixed step of the schema's history, not a reading of today's
    # configuration (and it runs without the CKAN config the getters need).
    ).where(package.c.state == "active", package.c.type.in_(["dataset", "indikator"]),
            package.c.id.not_in(existing))
    op.execute(state.insert().from_select(
        ["package_id", "state", "version", "has_published"], rows))


def downgrade() -> None:
    """States made here cannot be told apart from later ones; nothing to undo."""
