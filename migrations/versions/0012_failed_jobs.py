"""failed jobs: background jobs that failed after their retries, listed for admins

Revision ID: 0012_failed_jobs
Revises: 0006_blob_holders

A new table; no existing rows to migrate.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0012_failed_jobs"
down_revision = "0010_revision_device_time"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failed_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("kwargs", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("failed_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retried_at", inspector.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retried_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["retried_by_id"], ["user_account.id"],
                                name=op.f("fk_failed_job_retried_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_job")),
    )
    with op.batch_alter_table("failed_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_failed_job_failed_at"), ["failed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("failed_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_failed_job_failed_at"))
    op.drop_table("failed_job")
