"""audit anchors: signed checkpoints of the chain's head, the head printed on issued documents;
outsiders' rejections taken off the cases they named

Revision ID: 0008_audit_anchors
Revises: 0006_blob_holders

A rejected mutation that named a case outside its author's jurisdiction (his agency's subtree,
or a case he is an inspector of) was filed with that case, where its people read it and its
case file printed it: such rows now name no case and stay with their author. Audit events are
not touched (the chain keeps them as written); the case file prints a rejection only while its
row names the case. Documents issued before carry no checkpoint: they printed none.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0008_audit_anchors"
down_revision = "0007_inspection_campaigns"
branch_labels = None
depends_on = None


# Outside means: the case's agency is not in the author's subtree and he is not its inspector.
OUTSIDERS_REJECTIONS_OFF_CASES = (
    "UPDATE mutation_log SET inspection_id = NULL"
    " WHERE status = 'rejected' AND inspection_id IS NOT NULL"
    " AND EXISTS (SELECT 1 FROM inspection i WHERE i.id = mutation_log.inspection_id)"
    " AND NOT EXISTS ("
    "   SELECT 1 FROM inspection i"
    "   JOIN agency case_agency ON case_agency.id = i.agency_id"
    "   JOIN user_account u ON u.id = mutation_log.user_id"
    "   JOIN agency own ON own.id = u.agency_id"
    "   WHERE i.id = mutation_log.inspection_id"
    "   AND (substr(case_agency.path, 1, length(own.path)) = own.path"
    "        OR EXISTS (SELECT 1 FROM inspection_inspector ii"
    "                   WHERE ii.inspection_id = i.id AND ii.user_id = u.id)))"
)


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkpoint_at", inspector.database.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkpoint_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("audit_seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("audit_hash", sa.String(length=64), nullable=True))
    op.execute(OUTSIDERS_REJECTIONS_OFF_CASES)

def downgrade() -> None:
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_column("audit_hash")
        batch_op.drop_column("audit_seq")
        batch_op.drop_column("checkpoint_id")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("checkpoint_at")
    op.drop_table("audit_checkpoint")
