"""Boundaries of kecamatan and desa for the monitoring's thematic map (issue 13)

Revision ID: f8c2d4e6a0b3
Revises: e7b3c1d9a5f4
Create Date: 2026-12-05 23:00:00

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f8c2d4e6a0b3"
down_revision = "e7b3c1d9a5f4"
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when the model does.
TINGKAT = ("kecamatan", "desa")


def upgrade() -> None:
    op.create_table(
        "satudata_wilayah_batas",
        sa.Column("kode_kemendagri", sa.UnicodeText, primary_key=True),
        sa.Column("tingkat", sa.UnicodeText, nullable=False),
        sa.Column("geojson", sa.UnicodeText, nullable=False),
        sa.Column("geojson_simplified", sa.UnicodeText, nullable=False),
        sa.Column("source_file", sa.UnicodeText, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.CheckConstraint(sa.column("tingkat").in_(TINGKAT),
                           name="satudata_wilayah_batas_tingkat_check"),
    )
    op.create_index("satudata_wilayah_batas_tingkat_idx", "satudata_wilayah_batas",
                    ["tingkat"])


def downgrade() -> None:
    op.drop_index("satudata_wilayah_batas_tingkat_idx", table_name="satudata_wilayah_batas")
    op.drop_table("satudata_wilayah_batas")
