"""Create the Daftar Data tables (entries, periods, change log, agreed years)

Revision ID: c4d7a2e91f30
Revises: 5b8e0c41d2a7
Create Date: 2026-12-05 14:30:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "c4d7a2e91f30"
down_revision = "5b8e0c41d2a7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satudata_daftar_entry",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("kategori", sa.UnicodeText, nullable=False),
        sa.Column("sektor", sa.UnicodeText, nullable=False),
        sa.Column("prioritas", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("frequency", sa.UnicodeText, nullable=False),
        sa.Column("pembina", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=True),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
    )
    op.create_index("satudata_daftar_entry_year_org_idx", "satudata_daftar_entry",
                    ["year", "organization_id"])
    op.create_index("satudata_daftar_entry_title_key", "satudata_daftar_entry",
                    ["year", "organization_id", sa.text("lower(title)")], unique=True)
    op.create_index("satudata_daftar_entry_package_key", "satudata_daftar_entry",
                    ["package_id"], unique=True,
                    postgresql_where=sa.text("package_id IS NOT NULL"))
    op.create_table(
        "satudata_daftar_period",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("entry_id", sa.UnicodeText,
                  sa.ForeignKey("satudata_daftar_entry.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("planned", sa.Date, nullable=False),
        sa.Column("revised", sa.Date, nullable=True),
        sa.Column("revised_reason", sa.UnicodeText, nullable=True),
        sa.Column("revised_by", sa.UnicodeText, nullable=True),
        sa.Column("released", sa.DateTime, nullable=True),
        sa.Column("released_package_id", sa.UnicodeText, nullable=True),
        sa.UniqueConstraint("entry_id", "period", name="satudata_daftar_period_key"),
    )
    op.create_index("satudata_daftar_period_planned_idx", "satudata_daftar_period",
                    ["planned"])
    op.create_table(
        "satudata_daftar_change",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.UnicodeText, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("changes", JSONB, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index("satudata_daftar_change_entry_idx", "satudata_daftar_change", ["entry_id"])
    op.create_index("satudata_daftar_change_year_idx", "satudata_daftar_change", ["year"])
    op.create_table(
        "satudata_daftar_year",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("agreed", sa.DateTime, nullable=False),
        sa.Column("agreed_by", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("satudata_daftar_year")
    op.drop_table("satudata_daftar_change")
    op.drop_table("satudata_daftar_period")
    op.drop_table("satudata_daftar_entry")
