"""Daftar Data: proposed date revisions and the record of sent reminders

Revision ID: d8e3f1a7b2c9
Revises: c4d7a2e91f30
Create Date: 2026-12-05 16:30:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d8e3f1a7b2c9"
down_revision = "c4d7a2e91f30"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satudata_daftar_revision",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("entry_id", sa.UnicodeText,
                  sa.ForeignKey("satudata_daftar_entry.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("period_id", sa.UnicodeText,
                  sa.ForeignKey("satudata_daftar_period.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("revised", sa.Date, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("proposed_by", sa.UnicodeText, nullable=False),
        sa.Column("proposed", sa.DateTime, nullable=False),
        sa.Column("decided_by", sa.UnicodeText, nullable=True),
        sa.Column("decided", sa.DateTime, nullable=True),
        sa.Column("note", sa.UnicodeText, nullable=True),
    )
    op.create_index("satudata_daftar_revision_entry_idx", "satudata_daftar_revision",
                    ["entry_id", "state"])
    op.create_index("satudata_daftar_revision_pending_key", "satudata_daftar_revision",
                    ["period_id"], unique=True,
                    postgresql_where=sa.text("state = 'pending'"))
    op.create_table(
        "satudata_daftar_reminder",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("key", sa.UnicodeText, nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
        sa.Column("sent", sa.DateTime, nullable=False),
        sa.UniqueConstraint("kind", "key", name="satudata_daftar_reminder_key"),
    )


def downgrade() -> None:
    op.drop_table("satudata_daftar_reminder")
    op.drop_index("satudata_daftar_revision_pending_key", "satudata_daftar_revision")
    op.drop_index("satudata_daftar_revision_entry_idx", "satudata_daftar_revision")
    op.drop_table("satudata_daftar_revision")
