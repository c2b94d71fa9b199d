"""Create the verifikasi tables: roles, workflow state and history, published
snapshots, access grants, audit log and notifications.

Revision ID: 3f1a9c2b7d10
Revises:
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "3f1a9c2b7d10"
down_revision = None
branch_labels = None
depends_on = None


def _now():
    return sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "verifikasi_role",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=True),
        sa.Column("role", sa.UnicodeText, nullable=False),
        _now(),
        sa.Column("created_by", sa.UnicodeText, nullable=True),
        sa.UniqueConstraint("user_id", "organization_id", "role", name="verifikasi_role_unique"),
    )
    op.create_index("verifikasi_role_user_idx", "verifikasi_role", ["user_id"])
    op.create_index("verifikasi_role_org_idx", "verifikasi_role", ["organization_id"])

    op.create_table(
        "verifikasi_state",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("updated", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("has_published", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "verifikasi_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText, nullable=False),
        sa.Column("to_state", sa.UnicodeText, nullable=False),
        sa.Column("actor_id", sa.UnicodeText, nullable=False),
        sa.Column("actor_role", sa.UnicodeText, nullable=False),
        sa.Column("note", sa.UnicodeText, nullable=True),
        sa.Column("deadline", sa.Date, nullable=True),
        _now(),
    )
    op.create_index("verifikasi_event_package_idx", "verifikasi_event", ["package_id", "created"])
    op.create_table(
        "verifikasi_published",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("published", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("published_by", sa.UnicodeText, nullable=False),
    )
    op.create_table(
        "verifikasi_grant",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("expires", sa.Date, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=True),
        _now(),
        sa.Column("created_by", sa.UnicodeText, nullable=False),
        sa.Column("revoked", sa.DateTime, nullable=True),
        sa.Column("revoked_by", sa.UnicodeText, nullable=True),
    )
    op.create_index("verifikasi_grant_user_idx", "verifikasi_grant", ["user_id", "package_id"])
    op.create_table(
        "verifikasi_audit",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        _now(),
        sa.Column("actor", sa.UnicodeText, nullable=True),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("object_type", sa.UnicodeText, nullable=False),
        sa.Column("object_id", sa.UnicodeText, nullable=False),
        sa.Column("detail", JSONB, nullable=False, server_default="{}"),
        sa.Column("remote_addr", sa.UnicodeText, nullable=True),
    )
    op.create_index("verifikasi_audit_created_idx", "verifikasi_audit", ["created"])
    op.create_index("verifikasi_audit_object_idx", "verifikasi_audit", ["object_id"])
    op.create_table(
        "verifikasi_notification",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("event_id", sa.Integer, nullable=True),
        sa.Column("subject", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        _now(),
        sa.Column("read", sa.DateTime, nullable=True),
    )
    op.create_index("verifikasi_notification_user_idx", "verifikasi_notification",
                    ["user_id", "read"])


def downgrade() -> None:
    for table in ("verifikasi_notification", "verifikasi_audit", "verifikasi_grant",
                  "verifikasi_published", "verifikasi_event", "verifikasi_state",
                  "verifikasi_role"):
        op.drop_table(table)
