"""photo processing state: the full decode and derived sizes of an upload run in a job

Revision ID: 0029_photo_processing
Revises: 0022_shared_upload_parts

Blobs stored before this were decoded while their upload finished: they start "ready".
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_photo_processing"
down_revision = "0022_shared_upload_parts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("blob", sa.Column("processing", sa.String(length=16), nullable=False, server_default="ready"))
    op.add_column("blob", sa.Column("processing_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("blob") as batch:
        batch.drop_column("processing_error")
        batch.drop_column("processing")
