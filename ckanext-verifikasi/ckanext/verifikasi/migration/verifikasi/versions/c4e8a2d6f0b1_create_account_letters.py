"""Create `verifikasi_account_letter`: the assignment letter (surat tugas) on which the
walidata activated (or reactivated) an account.

Revision ID: c4e8a2d6f0b1
Revises: 7c2e5d4a9b31
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c4e8a2d6f0b1"
down_revision = "7c2e5d4a9b31"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verifikasi_account_letter",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        # 'create' (the account was made) or 'reactivate'.
        sa.Column("event", sa.UnicodeText, nullable=False),
        sa.Column("number", sa.UnicodeText, nullable=False),
        sa.Column("letter_date", sa.Date, nullable=False),
        # Storage name of the PDF under the uploader's folder, None without a PDF.
        sa.Column("file_name", sa.UnicodeText, nullable=True),
        sa.Column("file_size", sa.Integer, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("created_by", sa.UnicodeText, nullable=True),
    )
    op.create_index("verifikasi_account_letter_user_idx", "verifikasi_account_letter",
                    ["user_id", "created"])


def downgrade() -> None:
    op.drop_index("verifikasi_account_letter_user_idx", "verifikasi_account_letter")
    op.drop_table("verifikasi_account_letter")
