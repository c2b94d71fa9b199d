"""Two-factor authentication (issue 14): TOTP secrets and recovery code hashes

Revision ID: c6e2a9d4f7b1
Revises: b9d4e2f6a1c3
Create Date: 2026-12-05 19:45:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c6e2a9d4f7b1"
down_revision = "b9d4e2f6a1c3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per user: the TOTP secret (RFC 6238), set while enrolling and
    # confirmed once the user typed a current code; the last time step used
    # (a code is accepted once). No foreign key into CKAN's user table.
    op.create_table(
        "satudata_twofactor",
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("secret", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("confirmed", sa.DateTime, nullable=True),
        sa.Column("last_step", sa.BigInteger, nullable=True),
    )
    # Single-use recovery codes: only their hashes; `used` set when spent.
    op.create_table(
        "satudata_twofactor_recovery",
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("code_hash", sa.UnicodeText, primary_key=True),
        sa.Column("used", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("satudata_twofactor_recovery")
    op.drop_table("satudata_twofactor")
