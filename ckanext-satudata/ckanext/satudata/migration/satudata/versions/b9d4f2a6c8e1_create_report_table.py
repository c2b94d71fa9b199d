"""Periodic reports (/laporan): one row per generated report file set (issue 13)

Revision ID: b9d4f2a6c8e1
Revises: a7c3e5f1d9b4
Create Date: 2026-12-05 19:35:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b9d4f2a6c8e1"
down_revision = "a7c3e5f1d9b4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satudata_report",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        # monthly | quarterly | yearly
        sa.Column("kind", sa.UnicodeText, nullable=False),
        # "2026-11", "2026-Q3", "2026"
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        # organization id of the OPD the report is about; NULL = the whole portal
        sa.Column("owner_org", sa.UnicodeText, nullable=True),
        # paths relative to the reports dir of the CKAN storage path
        sa.Column("xlsx_path", sa.UnicodeText, nullable=True),
        sa.Column("pdf_path", sa.UnicodeText, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.UnicodeText, nullable=True),
    )
    op.create_index("satudata_report_period_idx", "satudata_report",
                    ["period", "owner_org"])


def downgrade() -> None:
    op.drop_table("satudata_report")
