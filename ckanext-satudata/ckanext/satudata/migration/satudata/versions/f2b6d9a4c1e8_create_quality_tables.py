"""Metadata quality: each dataset's latest score and the quality tickets

Revision ID: f2b6d9a4c1e8
Revises: e5a1c7d3b9f2
Create Date: 2026-12-05 16:55:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "f2b6d9a4c1e8"
down_revision = "e5a1c7d3b9f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satudata_quality_score",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=True),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("dimensions", JSONB, nullable=False),
        sa.Column("failing", JSONB, nullable=False),
        sa.Column("scored", sa.DateTime, nullable=False),
    )
    op.create_index("satudata_quality_score_org_idx", "satudata_quality_score",
                    ["organization_id"])
    op.create_table(
        "satudata_quality_ticket",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=True),
        sa.Column("check", sa.UnicodeText, nullable=False),
        sa.Column("severity", sa.UnicodeText, nullable=False),
        sa.Column("dimension", sa.UnicodeText, nullable=False),
        sa.Column("detail", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("opened", sa.DateTime, nullable=False),
        sa.Column("closed", sa.DateTime, nullable=True),
        # Null with a close time: closed by a re-scoring that found the problem fixed.
        sa.Column("closed_by", sa.UnicodeText, nullable=True),
        sa.Column("close_reason", sa.UnicodeText, nullable=True),
        sa.Column("notified", sa.DateTime, nullable=True),
    )
    op.create_index("satudata_quality_ticket_open_key", "satudata_quality_ticket",
                    ["package_id", "check"], unique=True,
                    postgresql_where=sa.text("closed IS NULL"))
    op.create_index("satudata_quality_ticket_org_idx", "satudata_quality_ticket",
                    ["organization_id", "closed"])


def downgrade() -> None:
    op.drop_table("satudata_quality_ticket")
    op.drop_table("satudata_quality_score")
