"""责令改正通知书 signed at the scene (issue 14): the order's signatures and refusals with what each
signer was shown, and the order pulled by the phones of its case (a sync version).

Revision ID: 0031_order_signature
Revises: 0029_photo_processing

Orders made before this get version 0, field_meta {} and no deleted_at; they reach phones with the
reset every phone gets when the pull's rules change (services/sync/cursor.py SCOPE_RULES).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0031_order_signature"
down_revision = "0029_photo_processing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # rectification_order is referenced by other tables: plain add_column (no batch copy on SQLite).
    op.add_column("rectification_order", sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("rectification_order", sa.Column("field_meta", sa.JSON(), nullable=False, server_default="{}"))
    op.add_column("rectification_order", sa.Column("deleted_at", inspector.database.UTCDateTime(timezone=True),
                                                   nullable=True))
    op.create_index(op.f("ix_rectification_order_version"), "rectification_order", ["version"], unique=False)
    op.create_index("ix_rectification_order_inspection_id_version", "rectification_order",
                    ["inspection_id", "version"], unique=False)
    op.create_table(
        "rectification_signature",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("signer_name", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("image_sha256", sa.String(length=64), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("witness_name", sa.String(length=64), nullable=True),
        sa.Column("signed_at_device", inspector.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attests", sa.JSON(), nullable=True),
        sa.Column("confirmation", sa.String(length=12), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["rectification_order.id"],
                                name=op.f("fk_rectification_signature_order_id_rectification_order")),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"],
                                name=op.f("fk_rectification_signature_inspection_id_inspection")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_rectification_signature_user_id_user_account")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_rectification_signature_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_signature")),
    )
    op.create_index(op.f("ix_rectification_signature_order_id"), "rectification_signature", ["order_id"], unique=False)
    op.create_index(op.f("ix_rectification_signature_inspection_id"), "rectification_signature", ["inspection_id"],
                    unique=False)
    op.create_index(op.f("ix_rectification_signature_image_sha256"), "rectification_signature", ["image_sha256"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rectification_signature_image_sha256"), table_name="rectification_signature")
    op.drop_index(op.f("ix_rectification_signature_inspection_id"), table_name="rectification_signature")
    op.drop_index(op.f("ix_rectification_signature_order_id"), table_name="rectification_signature")
    op.drop_table("rectification_signature")
    op.drop_index("ix_rectification_order_inspection_id_version", table_name="rectification_order")
    op.drop_index(op.f("ix_rectification_order_version"), table_name="rectification_order")
    op.drop_column("rectification_order", "deleted_at")
    op.drop_column("rectification_order", "field_meta")
    op.drop_column("rectification_order", "version")
