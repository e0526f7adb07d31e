"""blob holders: who proved they hold a blob's bytes by uploading them

Revision ID: 0006_blob_holders
Revises: 0005_documents

Existing bytes count as held by whoever uploaded them: the blob's first uploader and the user of
every finished upload session of that hash that received bytes (not one the 'blobPresent' shortcut
finished on opening: that was granted to anyone whose records named the hash).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0006_blob_holders"
down_revision = "0005_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_holder",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["blob.sha256"], name=op.f("fk_blob_holder_sha256_blob")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_blob_holder_user_id_user_account")),
        sa.PrimaryKeyConstraint("sha256", "user_id", name=op.f("pk_blob_holder")),
    )
    with op.batch_alter_table("blob_holder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blob_holder_user_id"), ["user_id"], unique=False)
    op.execute(
        "INSERT INTO blob_holder (sha256, user_id, created_at) "
        "SELECT sha256, user_id, MIN(created_at) FROM ("
        "  SELECT sha256, uploaded_by_id AS user_id, created_at FROM blob WHERE uploaded_by_id IS NOT NULL"
        "  UNION ALL"
        "  SELECT upload.sha256, upload.user_id, upload.created_at FROM upload"
        "  JOIN blob ON blob.sha256 = upload.sha256 WHERE upload.status = 'complete'"
        # A session finished the moment it was opened sent nothing: the old 'blobPresent' shortcut,
        # which anyone naming the hash got. That proves no possession.
        "  AND (upload.finished_at IS NULL OR upload.finished_at <> upload.created_at)"
        ") AS held GROUP BY sha256, user_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("blob_holder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blob_holder_user_id"))
    op.drop_table("blob_holder")
