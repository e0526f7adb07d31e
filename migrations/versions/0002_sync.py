"""sync server: mutation log, merge conflicts, submitted revisions, scope exits, pull horizon

Revision ID: 0002_sync
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0002_sync"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = inspector.database.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("horizon", sa.BigInteger(), server_default="0", nullable=False))

    op.create_table(
        "mutation_log",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("mutation_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("client_time", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_mutation_log_device_id_device")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_mutation_log_user_id_user_account")),
        sa.PrimaryKeyConstraint("device_id", "mutation_id", name=op.f("pk_mutation_log")),
    )
    with op.batch_alter_table("mutation_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mutation_log_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_index("ix_mutation_log_user_id_version", ["user_id", "version"], unique=False)

    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entity_type", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("server_value", sa.JSON(), nullable=True),
        sa.Column("client_value", sa.JSON(), nullable=True),
        sa.Column("base_version", sa.BigInteger(), nullable=False),
        sa.Column("server_writer", sa.String(length=64), nullable=True),
        sa.Column("server_user_id", sa.Integer(), nullable=True),
        sa.Column("client_writer", sa.String(length=64), nullable=False),
        sa.Column("client_user_id", sa.Integer(), nullable=False),
        sa.Column("client_device_id", sa.Integer(), nullable=True),
        sa.Column("mutation_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("resolution", sa.String(length=10), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("field_meta", sa.JSON(), nullable=False),
        sa.Column("deleted_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["client_device_id"], ["device.id"],
                                name=op.f("fk_sync_conflict_client_device_id_device")),
        sa.ForeignKeyConstraint(["client_user_id"], ["user_account.id"],
                                name=op.f("fk_sync_conflict_client_user_id_user_account")),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"], ondelete="CASCADE",
                                name=op.f("fk_sync_conflict_inspection_id_inspection")),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["user_account.id"],
                                name=op.f("fk_sync_conflict_resolved_by_id_user_account")),
        sa.ForeignKeyConstraint(["server_user_id"], ["user_account.id"],
                                name=op.f("fk_sync_conflict_server_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_conflict_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_conflict_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_conflict_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_conflict_version"), ["version"], unique=False)

    op.create_table(
        "inspection_revision",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("submitted_at", UTC, nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"], ondelete="CASCADE",
                                name=op.f("fk_inspection_revision_inspection_id_inspection")),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user_account.id"],
                                name=op.f("fk_inspection_revision_submitted_by_id_user_account")),
        sa.PrimaryKeyConstraint("inspection_id", "revision", name=op.f("pk_inspection_revision")),
    )

    op.create_table(
        "sync_scope_exit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_sync_scope_exit_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_scope_exit")),
    )
    with op.batch_alter_table("sync_scope_exit", schema=None) as batch_op:
        batch_op.create_index("ix_sync_scope_exit_user_id_version", ["user_id", "version"], unique=False)


def downgrade() -> None:
    op.drop_table("sync_scope_exit")
    op.drop_table("inspection_revision")
    op.drop_table("sync_conflict")
    op.drop_table("mutation_log")
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_column("horizon")
