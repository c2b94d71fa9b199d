"""Create the data input tables (input packages, imports, survey links and submissions)

Revision ID: 5b8e0c41d2a7
Revises: 99dfb7634d11
Create Date: 2026-11-21 04:10:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "5b8e0c41d2a7"
down_revision = "99dfb7634d11"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.UnicodeText, primary_key=True)


def upgrade() -> None:
    op.create_table(
        "satudata_input_package",
        _id(),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("resource_id", sa.UnicodeText, nullable=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("frequency", sa.UnicodeText, nullable=False),
        sa.Column("structure", JSONB, nullable=False),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column("pending", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="active"),
    )
    op.create_index("satudata_input_package_package_idx", "satudata_input_package",
                    ["package_id"])
    op.create_table(
        "satudata_input_import",
        _id(),
        sa.Column("input_id", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("filename", sa.UnicodeText, nullable=False),
        sa.Column("sheet", sa.UnicodeText, nullable=True),
        sa.Column("sheet_names", JSONB, nullable=False),
        sa.Column("summary", JSONB, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("mode", sa.UnicodeText, nullable=True),
        sa.Column("rows_applied", sa.Integer, nullable=True),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("applied", sa.DateTime, nullable=True),
        sa.CheckConstraint("state IN ('checked', 'applied', 'discarded')",
                           name="satudata_input_import_state_check"),
    )
    op.create_index("satudata_input_import_input_idx", "satudata_input_import", ["input_id"])
    op.create_table(
        "satudata_survey_link",
        _id(),
        sa.Column("input_id", sa.UnicodeText, nullable=False),
        sa.Column("token", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("columns", JSONB, nullable=False),
        sa.Column("expires", sa.DateTime, nullable=True),
        sa.Column("max_submissions", sa.Integer, nullable=True),
        sa.Column("login_required", sa.Boolean, nullable=False),
        sa.Column("submissions", sa.Integer, nullable=False, server_default="0"),
        sa.Column("revoked", sa.DateTime, nullable=True),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.UniqueConstraint("token", name="satudata_survey_link_token_key"),
    )
    op.create_index("satudata_survey_link_input_idx", "satudata_survey_link", ["input_id"])
    op.create_table(
        "satudata_survey_submission",
        _id(),
        sa.Column("link_id", sa.UnicodeText, nullable=False),
        sa.Column("input_id", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("values", JSONB, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("submitted_by", sa.UnicodeText, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("reviewed_by", sa.UnicodeText, nullable=True),
        sa.Column("reviewed", sa.DateTime, nullable=True),
        sa.Column("review_note", sa.UnicodeText, nullable=True),
        sa.CheckConstraint("state IN ('pending', 'accepted', 'rejected')",
                           name="satudata_survey_submission_state_check"),
    )
    op.create_index("satudata_survey_submission_input_idx", "satudata_survey_submission",
                    ["input_id", "state"])


def downgrade() -> None:
    for table in ("satudata_survey_submission", "satudata_survey_link",
                  "satudata_input_import", "satudata_input_package"):
        op.drop_table(table)
