"""Create satudata_wilayah

Revision ID: 99dfb7634d11
Revises:
Create Date: 2026-11-21 01:12:17.236774

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "99dfb7634d11"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when the model does.
JENIS = ("kabupaten", "kecamatan", "desa", "kelurahan")


def upgrade() -> None:
    op.create_table(
        "satudata_wilayah",
        sa.Column("kode_kemendagri", sa.UnicodeText, primary_key=True),
        sa.Column("kode_bps", sa.UnicodeText, nullable=True),
        sa.Column("nama", sa.UnicodeText, nullable=False),
        sa.Column("jenis", sa.UnicodeText, nullable=False),
        sa.Column("induk", sa.UnicodeText, nullable=True),
        sa.UniqueConstraint("kode_bps", name="satudata_wilayah_kode_bps_key"),
        sa.CheckConstraint(sa.column("jenis").in_(JENIS), name="satudata_wilayah_jenis_check"),
    )
    op.create_index("satudata_wilayah_induk_idx", "satudata_wilayah", ["induk"])


def downgrade() -> None:
    op.drop_index("satudata_wilayah_induk_idx", table_name="satudata_wilayah")
    op.drop_table("satudata_wilayah")
