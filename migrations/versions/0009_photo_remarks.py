"""photo remarks; photo capture times with their UTC offset

Revision ID: 0009_photo_remarks
Revises: 0006_blob_holders

A photo taken far from its inspection's time or place carries the inspector's reason (`remark`).
Capture times stored without a UTC offset were always read as China time (UTC+8) by the console
and the case file; they are rewritten with that offset, so every stored time names one instant.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0009_photo_remarks"
down_revision = "0008_audit_anchors"
branch_labels = None
depends_on = None

CHINA_OFFSET = "+08:00"
_FORMATS = ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def _with_offset(raw: str) -> str | None:
    """The camera time as ISO 8601 with China's offset, or None when it has one or is no time."""
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
        for fmt in _FORMATS:
            try:
                moment = datetime.strptime(text[:19], fmt)
                break
            except ValueError:
                continue
    if moment is None or moment.tzinfo is not None:
        return None
    return moment.isoformat() + CHINA_OFFSET


def upgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remark", sa.Text(), nullable=True))
    photo = sa.table("photo", sa.column("id", sa.String), sa.column("exif_taken_at", sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(photo.c.id, photo.c.exif_taken_at).where(photo.c.exif_taken_at.is_not(None))).all()
    for photo_id, raw in rows:
        fixed = _with_offset(raw)
        if fixed is not None:
            bind.execute(photo.update().where(photo.c.id == photo_id).values(exif_taken_at=fixed))


def downgrade() -> None:
    # The offsets stay: they are what every reader assumed before.
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_column("remark")
