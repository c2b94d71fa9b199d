"""Integrations of OPD systems (issue 15, SOP 002): requests, documents, pull
schedules, sync runs and the audit of decisions

Revision ID: a7c1e9d3f5b2
Revises: f8c2d4e6a0b3
Create Date: 2026-12-06 02:15:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "a7c1e9d3f5b2"
down_revision = "f8c2d4e6a0b3"
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when the model does.
STATUSES = ("requested", "approved", "rejected", "revoked")
SCHEDULES = ("daily", "weekly")
FORMATS = ("csv", "json", "xlsx")
MODES = ("push", "pull")
RUN_STATES = ("running", "success", "failed", "missed")


def upgrade() -> None:
    op.create_table(
        "satudata_integrasi",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("system_name", sa.UnicodeText, nullable=False),
        sa.Column("contact", sa.UnicodeText, nullable=False),
        sa.Column("api_description", sa.UnicodeText, nullable=False),
        sa.Column("data_structure", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("service_user_id", sa.UnicodeText, nullable=True),
        sa.Column("token_id", sa.UnicodeText, nullable=True),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("decided_by", sa.UnicodeText, nullable=True),
        sa.Column("decided", sa.DateTime, nullable=True),
        sa.Column("decision_note", sa.UnicodeText, nullable=True),
        sa.CheckConstraint(sa.column("status").in_(STATUSES),
                           name="satudata_integrasi_status_check"),
    )
    op.create_index("satudata_integrasi_org_idx", "satudata_integrasi", ["organization_id"])
    op.create_index("satudata_integrasi_user_idx", "satudata_integrasi", ["service_user_id"])

    op.create_table(
        "satudata_integrasi_document",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("integrasi_id", sa.UnicodeText, nullable=False),
        sa.Column("filename", sa.UnicodeText, nullable=False),
        sa.Column("storage_name", sa.UnicodeText, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("uploaded_by", sa.UnicodeText, nullable=False),
        sa.Column("uploaded", sa.DateTime, nullable=False),
    )
    op.create_index("satudata_integrasi_document_idx", "satudata_integrasi_document",
                    ["integrasi_id"])

    op.create_table(
        "satudata_integrasi_event",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("integrasi_id", sa.UnicodeText, nullable=False),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("actor", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_index("satudata_integrasi_event_idx", "satudata_integrasi_event",
                    ["integrasi_id", "created"])

    op.create_table(
        "satudata_integrasi_pull",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("input_id", sa.UnicodeText, nullable=False),
        sa.Column("integrasi_id", sa.UnicodeText, nullable=True),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("format", sa.UnicodeText, nullable=False),
        sa.Column("schedule", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("next_due", sa.DateTime, nullable=False),
        sa.Column("last_run", sa.DateTime, nullable=True),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.UniqueConstraint("input_id", name="satudata_integrasi_pull_input_key"),
        sa.CheckConstraint(sa.column("schedule").in_(SCHEDULES),
                           name="satudata_integrasi_pull_schedule_check"),
        sa.CheckConstraint(sa.column("format").in_(FORMATS),
                           name="satudata_integrasi_pull_format_check"),
    )
    op.create_index("satudata_integrasi_pull_due_idx", "satudata_integrasi_pull",
                    ["enabled", "next_due"])

    op.create_table(
        "satudata_integrasi_run",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("integrasi_id", sa.UnicodeText, nullable=True),
        sa.Column("input_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("mode", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText, nullable=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("started", sa.DateTime, nullable=False),
        sa.Column("finished", sa.DateTime, nullable=True),
        sa.Column("rows_received", sa.Integer, nullable=False),
        sa.Column("rows_accepted", sa.Integer, nullable=False),
        sa.Column("rows_rejected", sa.Integer, nullable=False),
        sa.Column("errors", JSONB, nullable=False),
        sa.Column("alerted", sa.DateTime, nullable=True),
        sa.CheckConstraint(sa.column("mode").in_(MODES), name="satudata_integrasi_run_mode_check"),
        sa.CheckConstraint(sa.column("state").in_(RUN_STATES),
                           name="satudata_integrasi_run_state_check"),
    )
    op.create_index("satudata_integrasi_run_input_idx", "satudata_integrasi_run",
                    ["input_id", "started"])
    op.create_index("satudata_integrasi_run_org_idx", "satudata_integrasi_run",
                    ["organization_id", "started"])


def downgrade() -> None:
    op.drop_table("satudata_integrasi_run")
    op.drop_table("satudata_integrasi_pull")
    op.drop_table("satudata_integrasi_event")
    op.drop_table("satudata_integrasi_document")
    op.drop_table("satudata_integrasi")
