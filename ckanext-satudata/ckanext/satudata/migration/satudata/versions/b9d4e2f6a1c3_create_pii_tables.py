"""Personal data gate: accepted exceptions and the cache of scan results

Revision ID: b9d4e2f6a1c3
Revises: b9d4f2a6c8e1
Create Date: 2026-12-05 19:40:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "b9d4e2f6a1c3"
down_revision = "b9d4f2a6c8e1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satudata_pii_exception",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("resource_id", sa.UnicodeText, nullable=False),
        sa.Column("column", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
    )
    op.create_index("satudata_pii_exception_key", "satudata_pii_exception",
                    ["resource_id", "column"], unique=True)
    op.create_index("satudata_pii_exception_package_idx", "satudata_pii_exception",
                    ["package_id"])
    op.create_table(
        "satudata_pii_scan",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("source", sa.UnicodeText, primary_key=True),  # datastore / file
        sa.Column("fingerprint", sa.UnicodeText, nullable=False),
        sa.Column("findings", JSONB, nullable=False),
        sa.Column("sampled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("scanned", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("satudata_pii_scan")
    op.drop_table("satudata_pii_exception")
