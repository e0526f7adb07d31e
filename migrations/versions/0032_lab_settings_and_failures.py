"""lab settings and failures: a final 不合格 result's proposed order and 立案 clue (one per sample),
and case clocks pulled by phones (versioned)

Revision ID: 0032_lab_settings_and_failures
Revises: 0031_order_signature

The lab periods are settings (config LAB_RULES), no table. Existing case clocks get version 0:
a phone's first pull after the upgrade is a reset pull, which sends every row of its scope.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0032_lab_settings_and_failures"
down_revision = "0031_order_signature"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rectification_order", sa.Column("sample_id", sa.String(length=36), nullable=True))
    op.create_index(op.f("ix_rectification_order_sample_id"), "rectification_order", ["sample_id"], unique=True)
    op.add_column("case_clock", sa.Column("sample_id", sa.String(length=36), nullable=True))
    op.create_index(op.f("ix_case_clock_sample_id"), "case_clock", ["sample_id"], unique=True)
    op.add_column("case_clock", sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("case_clock", sa.Column("field_meta", sa.JSON(), nullable=False, server_default="{}"))
    op.add_column("case_clock", sa.Column("deleted_at", inspector.database.UTCDateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_case_clock_version"), "case_clock", ["version"], unique=False)
    op.create_index("ix_case_clock_inspection_id_version", "case_clock", ["inspection_id", "version"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_clock_inspection_id_version", table_name="case_clock")
    op.drop_index(op.f("ix_case_clock_version"), table_name="case_clock")
    op.drop_column("case_clock", "deleted_at")
    op.drop_column("case_clock", "field_meta")
    op.drop_column("case_clock", "version")
    op.drop_index(op.f("ix_case_clock_sample_id"), table_name="case_clock")
    op.drop_column("case_clock", "sample_id")
    op.drop_index(op.f("ix_rectification_order_sample_id"), table_name="rectification_order")
    op.drop_column("rectification_order", "sample_id")
