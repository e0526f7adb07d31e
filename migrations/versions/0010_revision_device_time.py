"""inspection revisions keep the phone's time of their submission (an amendment's own time)

Revision ID: 0010_revision_device_time
Revises: 0006_blob_holders

Until now an amended record's resubmission set the inspection's on-site end time again; the
on-site times now stay as set at the scene and each revision keeps when the phone submitted it.
Existing revisions take it from the mutation log: the Nth applied inspection.submit.v1 of a case
made its revision N. Inspections are left as they are: what was printed is not rewritten (the
first revision's snapshot keeps the on-site end time it had).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0010_revision_device_time"
down_revision = "0009_photo_remarks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inspection_revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_at_device", inspector.database.UTCDateTime(timezone=True),
                                      nullable=True))
    log = sa.table("mutation_log", sa.column("inspection_id", sa.String), sa.column("name", sa.String),
                   sa.column("status", sa.String), sa.column("version", sa.BigInteger),
                   sa.column("client_time", inspector.database.UTCDateTime(timezone=True)))
    revisions = sa.table("inspection_revision", sa.column("inspection_id", sa.String),
                         sa.column("revision", sa.Integer),
                         sa.column("submitted_at_device", inspector.database.UTCDateTime(timezone=True)))
    bind = op.get_bind()
    submits = bind.execute(sa.select(log.c.inspection_id, log.c.client_time)
                           .where(log.c.name == "inspection.submit.v1", log.c.status == "applied",
                                  log.c.inspection_id.is_not(None))
                           .order_by(log.c.inspection_id, log.c.version))
    count: dict[str, int] = {}
    for inspection_id, client_time in submits:
        count[inspection_id] = count.get(inspection_id, 0) + 1
        if client_time is not None:
            bind.execute(sa.update(revisions).where(revisions.c.inspection_id == inspection_id,
                                                    revisions.c.revision == count[inspection_id])
                         .values(submitted_at_device=client_time))


def downgrade() -> None:
    with op.batch_alter_table("inspection_revision", schema=None) as batch_op:
        batch_op.drop_column("submitted_at_device")
