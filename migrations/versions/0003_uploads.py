"""resumable uploads (tus sessions)

Revision ID: 0003_uploads
Revises: 0002_sync

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0003_uploads"
down_revision = "0002_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "upload",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=True),
        sa.Column("upload_metadata", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", inspector.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_upload_user_id_user_account")),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_upload_device_id_device"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload")),
    )
    # A retried POST finds the open session instead of starting a second one.
    op.create_index("uq_upload_open_sha256", "upload", ["user_id", "sha256"], unique=True,
                    sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
    # The expiry sweep looks for open sessions past their time.
    op.create_index("ix_upload_status_expires_at", "upload", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_upload_status_expires_at", table_name="upload")
    op.drop_index("uq_upload_open_sha256", table_name="upload")
    op.drop_table("upload")
