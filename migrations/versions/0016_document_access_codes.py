"""document access codes: the hash of the code printed on a case file's cover, and wrong tries

Revision ID: 0016_document_access_codes
Revises: 0013_signature_attestation

A nullable column (documents issued before print no code: their pages are shown to officers
only) and a new table.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0016_document_access_codes"
down_revision = "0013_signature_attestation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_code_hash", sa.String(length=255), nullable=True))
    op.create_table(
        "access_code_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["issued_document.id"],
                                name=op.f("fk_access_code_attempt_document_id_issued_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_code_attempt")),
    )
    with op.batch_alter_table("access_code_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_code_attempt_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_code_attempt_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_code_attempt_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("access_code_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_code_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_access_code_attempt_address"))
        batch_op.drop_index(batch_op.f("ix_access_code_attempt_document_id"))
    op.drop_table("access_code_attempt")
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_column("access_code_hash")
