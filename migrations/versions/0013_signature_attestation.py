"""signature attestation: what each signature attests, and who recorded it

Revision ID: 0013_signature_attestation
Revises: 0021_pull_indexes

signature.attests: per document the signature (or refusal) covers, the SHA-256 of that
document's content as the signer saw it and the record's revision, [{document, sha256,
revision}]; NULL on signatures recorded before (they print as before: what they saw is unknown).
signature.confirmation: how the signer took in the record first, "seen" (以上笔录我已看过) or
"read_aloud" (已向其宣读). signature.created_by_id: the inspector whose phone recorded it, whose
upload of its image holds the bytes for it (as a photo's taker does).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_signature_attestation"
down_revision = "0021_pull_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signature") as batch:
        batch.add_column(sa.Column("attests", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("confirmation", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_signature_created_by_id_user_account", "user_account",
                                 ["created_by_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("signature") as batch:
        batch.drop_constraint("fk_signature_created_by_id_user_account", type_="foreignkey")
        batch.drop_column("created_by_id")
        batch.drop_column("confirmation")
        batch.drop_column("attests")
