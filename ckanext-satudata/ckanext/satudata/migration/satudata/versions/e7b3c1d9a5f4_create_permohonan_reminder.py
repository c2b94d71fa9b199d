"""Permohonan Data (issue 14): reminders of request deadlines, each sent once

Revision ID: e7b3c1d9a5f4
Revises: c6e2a9d4f7b1
Create Date: 2026-12-05 20:20:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e7b3c1d9a5f4"
down_revision = "c6e2a9d4f7b1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per reminder sent: `kind` before (the deadline is near) or overdue,
    # for the deadline `due` it was about (an extended deadline is reminded again).
    op.create_table(
        "satudata_permohonan_reminder",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.UnicodeText,
                  sa.ForeignKey("satudata_permohonan.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
        sa.Column("sent", sa.DateTime, nullable=False),
        sa.UniqueConstraint("request_id", "kind", "due",
                            name="satudata_permohonan_reminder_key"),
    )


def downgrade() -> None:
    op.drop_table("satudata_permohonan_reminder")
