"""tasks and roles: inspection tasks (检查任务) with their inspectors, and the inspection done for one

Revision ID: 0018_tasks_and_roles
Revises: 0012_failed_jobs

New tables `task` and `task_assignee`, and a nullable `inspection.task_id`. The new roles
(registrar, officer, head) are values of the existing `user_account.role` column: no schema change.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0018_tasks_and_roles"
down_revision = "0012_failed_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("what_to_check", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("delivered_at", inspector.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("undelivered_alert_at", inspector.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("inspection_id", sa.String(length=36), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", inspector.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("field_meta", sa.JSON(), nullable=False),
        sa.Column("deleted_at", inspector.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_task_agency_id_agency")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_task_party_id_party")),
        sa.ForeignKeyConstraint(["cancelled_by_id"], ["user_account.id"],
                                name=op.f("fk_task_cancelled_by_id_user_account")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_task_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        for column in ("source_kind", "source_id", "agency_id", "party_id", "status", "created_at", "version"):
            batch_op.create_index(batch_op.f(f"ix_task_{column}"), [column], unique=False)
    op.create_table(
        "task_assignee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("recused", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_task_assignee_task_id_task"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_task_assignee_user_id_user_account")),
        sa.ForeignKeyConstraint(["replaced_by_id"], ["user_account.id"],
                                name=op.f("fk_task_assignee_replaced_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_assignee")),
        sa.UniqueConstraint("task_id", "user_id", name=op.f("uq_task_assignee_task_id")),
    )
    with op.batch_alter_table("task_assignee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_assignee_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_assignee_user_id"), ["user_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # A plain ALTER TABLE ADD COLUMN. Batch mode would copy the table and drop the old one, and
        # with foreign keys on, SQLite's DROP TABLE deletes every row that cascades from an
        # inspection (findings, photos, signatures, revisions).
        op.execute("ALTER TABLE inspection ADD COLUMN task_id VARCHAR(36)"
                   " CONSTRAINT fk_inspection_task_id_task REFERENCES task (id)")
        op.create_index(op.f("ix_inspection_task_id"), "inspection", ["task_id"], unique=False)
    else:
        with op.batch_alter_table("inspection", schema=None) as batch_op:
            batch_op.add_column(sa.Column("task_id", sa.String(length=36), nullable=True))
            batch_op.create_index(batch_op.f("ix_inspection_task_id"), ["task_id"], unique=False)
            batch_op.create_foreign_key(batch_op.f("fk_inspection_task_id_task"), "task", ["task_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_inspection_task_id_task"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_inspection_task_id"))
        batch_op.drop_column("task_id")
    op.drop_table("task_assignee")
    with op.batch_alter_table("task", schema=None) as batch_op:
        for column in ("source_kind", "source_id", "agency_id", "party_id", "status", "created_at", "version"):
            batch_op.drop_index(batch_op.f(f"ix_task_{column}"))
    op.drop_table("task")
