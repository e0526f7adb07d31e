"""photo processing state (the full decode and derived sizes of an upload run in a job) and exports
written by a job

Revision ID: 0029_photo_processing
Revises: 0030_attachment_reporter

Blobs stored before this were decoded while their upload finished: they start "ready".
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0029_photo_processing"
down_revision = "0030_attachment_reporter"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("blob", sa.Column("processing", sa.String(length=16), nullable=False, server_default="ready"))
    op.add_column("blob", sa.Column("processing_error", sa.Text(), nullable=True))
    op.create_table(
        "export_run",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", inspector.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_export_run_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_run")),
    )
    with op.batch_alter_table("export_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_run_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("export_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_run_user_id"))
    op.drop_table("export_run")
    with op.batch_alter_table("blob") as batch:
        batch.drop_column("processing_error")
        batch.drop_column("processing")
