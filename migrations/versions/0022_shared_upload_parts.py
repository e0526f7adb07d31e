"""shared upload parts: an unfinished upload's received ranges listed in the database (their bytes
in the blob store, which every host reads), and a write lease on the upload row instead of a lock
on a local file

Revision ID: 0022_shared_upload_parts
Revises: 0023_plans_and_draws

Uploads open at the upgrade kept their bytes in `uploads/<id>.part` of the local blob directory;
they are expired, and the phones start them again (the partial files are swept with them).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0022_shared_upload_parts"
down_revision = "0023_plans_and_draws"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both backends (nullable columns): no copy of the table.
    op.add_column("upload", sa.Column("writer", sa.String(length=32), nullable=True))
    op.add_column("upload", sa.Column("writing_until", inspector.database.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "upload_part",
        sa.Column("upload_id", sa.String(length=32), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("end", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["upload.id"], name=op.f("fk_upload_part_upload_id_upload"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("upload_id", "start", name=op.f("pk_upload_part")),
    )
    # Open sessions' bytes are in files the new code does not read: expire them now (the phone's
    # next HEAD answers 410 and it starts the file again) rather than let them fail at the end.
    op.execute("UPDATE upload SET status = 'expired', finished_at = expires_at "
               'WHERE status = \'open\' AND "offset" > 0')


def downgrade() -> None:
    op.drop_table("upload_part")
    with op.batch_alter_table("upload", schema=None) as batch_op:
        batch_op.drop_column("writing_until")
        batch_op.drop_column("writer")
