"""Permohonan Data: requests for data, access and complaints, and their steps

Revision ID: e5a1c7d3b9f2
Revises: d8e3f1a7b2c9
Create Date: 2026-12-05 16:40:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e5a1c7d3b9f2"
down_revision = "d8e3f1a7b2c9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satudata_permohonan",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("number", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        sa.Column("purpose", sa.UnicodeText, nullable=True),
        sa.Column("package_id", sa.UnicodeText, nullable=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=True),
        sa.Column("user_id", sa.UnicodeText, nullable=True),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("email", sa.UnicodeText, nullable=False),
        sa.Column("institution", sa.UnicodeText, nullable=False),
        sa.Column("token_hash", sa.UnicodeText, nullable=False),
        sa.Column("confirm_hash", sa.UnicodeText, nullable=True),
        sa.Column("confirmed", sa.DateTime, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("received", sa.Date, nullable=True),
        sa.Column("due", sa.Date, nullable=True),
        sa.Column("extension_reason", sa.UnicodeText, nullable=True),
        sa.Column("closed", sa.DateTime, nullable=True),
        sa.Column("answer", sa.UnicodeText, nullable=True),
        sa.Column("grant_expires", sa.Date, nullable=True),
    )
    # Owned by the table, so it goes with it (CKAN's test reset drops tables only).
    op.execute("CREATE SEQUENCE IF NOT EXISTS satudata_permohonan_number_seq "
               "OWNED BY satudata_permohonan.number")
    op.create_index("satudata_permohonan_state_idx", "satudata_permohonan",
                    ["state", "organization_id"])
    op.create_index("satudata_permohonan_user_idx", "satudata_permohonan", ["user_id"])
    op.create_table(
        "satudata_permohonan_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.UnicodeText,
                  sa.ForeignKey("satudata_permohonan.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText, nullable=True),
        sa.Column("to_state", sa.UnicodeText, nullable=False),
        sa.Column("actor_id", sa.UnicodeText, nullable=True),
        sa.Column("actor_label", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index("satudata_permohonan_event_request_idx", "satudata_permohonan_event",
                    ["request_id", "id"])


def downgrade() -> None:
    op.drop_index("satudata_permohonan_event_request_idx", "satudata_permohonan_event")
    op.drop_table("satudata_permohonan_event")
    op.drop_index("satudata_permohonan_user_idx", "satudata_permohonan")
    op.drop_index("satudata_permohonan_state_idx", "satudata_permohonan")
    op.drop_table("satudata_permohonan")
    op.execute("DROP SEQUENCE IF EXISTS satudata_permohonan_number_seq")
