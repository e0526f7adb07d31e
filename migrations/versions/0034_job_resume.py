"""jobs resumed after a lost message: blob.processing_asked_at and export_run.touched_at

Revision ID: 0034_job_resume
Revises: 0033_case_member_index

A photo check or an export whose job message was lost (a worker killed outright on the embedded
broker, a broker down when the job was sent) is sent again by the periodic `resume_stalled_jobs`
job: these columns say when each was last asked for, or last moved.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0034_job_resume"
down_revision = "0033_case_member_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (nullable): no table rebuild on SQLite, where both tables are referenced.
    op.add_column("blob", sa.Column("processing_asked_at", inspector.database.UTCDateTime(timezone=True), nullable=True))
    op.add_column("export_run", sa.Column("touched_at", inspector.database.UTCDateTime(timezone=True), nullable=True))
    op.create_index("ix_blob_processing", "blob", ["processing"])  # the sweep looks for the pending ones


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): no batch rebuild of a referenced table.
    op.drop_index("ix_blob_processing", table_name="blob")
    op.drop_column("export_run", "touched_at")
    op.drop_column("blob", "processing_asked_at")
