"""Download counts: deliveries of data per resource per day (issue 17)

Revision ID: a7c3e5f1d9b4
Revises: f2b6d9a4c1e8
Create Date: 2026-12-05 17:05:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a7c3e5f1d9b4"
down_revision = "f2b6d9a4c1e8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satudata_download_daily",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("satudata_download_daily_package_idx", "satudata_download_daily",
                    ["package_id", "day"])


def downgrade() -> None:
    op.drop_table("satudata_download_daily")
