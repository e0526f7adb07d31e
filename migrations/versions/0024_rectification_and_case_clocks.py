"""rectification and case clocks: 责令改正通知书 with their re-inspection, and 行政处罚 time limits

Revision ID: 0024_rectification_clocks
Revises: 0025_lab_results

Also a merge revision: the branch it was built on had two heads (0013_signature_attestation via
0021_pull_indexes, and 0020_intake via 0019_complaints).

New tables `rectification_order`, `case_clock`, `case_clock_pause`; `agency.standing_rectification`
(on-site issue under a standing authorisation; on by default).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0024_rectification_clocks"  # ≤ 32 characters (alembic_version)
down_revision = "0025_lab_results"
branch_labels = None
depends_on = None

UTC = inspector.database.UTCDateTime(timezone=True)


def upgrade() -> None:
    # A plain ALTER TABLE ADD COLUMN: batch mode on SQLite would copy `agency` and drop the old
    # table, which every other table references (the drop fails or cascades).
    op.add_column("agency", sa.Column("standing_rectification", sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
    op.create_table(
        "case_clock",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rule_id", sa.String(length=12), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=True),
        sa.Column("party_id", sa.String(length=36), nullable=True),
        sa.Column("rectification_id", sa.String(length=36), nullable=True),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("unit", sa.String(length=2), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("extension", sa.Integer(), nullable=False),
        sa.Column("extended_by_id", sa.Integer(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("due_raw", sa.Date(), nullable=True),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("case_no", sa.String(length=64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("fine_yuan", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("confiscation", sa.Boolean(), nullable=False),
        sa.Column("goods_value_yuan", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_case_clock_agency_id_agency")),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"],
                                name=op.f("fk_case_clock_inspection_id_inspection")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_case_clock_party_id_party")),
        sa.ForeignKeyConstraint(["parent_id"], ["case_clock.id"], name=op.f("fk_case_clock_parent_id_case_clock")),
        sa.ForeignKeyConstraint(["extended_by_id"], ["user_account.id"],
                                name=op.f("fk_case_clock_extended_by_id_user_account")),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], name=op.f("fk_case_clock_owner_id_user_account")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"],
                                name=op.f("fk_case_clock_decided_by_id_user_account")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_case_clock_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_clock")),
    )
    with op.batch_alter_table("case_clock", schema=None) as batch_op:
        for column in ("rule_id", "agency_id", "inspection_id", "due_date", "owner_id", "status", "created_at"):
            batch_op.create_index(batch_op.f(f"ix_case_clock_{column}"), [column], unique=False)
    op.create_table(
        "case_clock_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clock_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["clock_id"], ["case_clock.id"], ondelete="CASCADE",
                                name=op.f("fk_case_clock_pause_clock_id_case_clock")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_case_clock_pause_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_clock_pause")),
        sa.UniqueConstraint("clock_id", "first_day", name=op.f("uq_case_clock_pause_clock_id")),
    )
    with op.batch_alter_table("case_clock_pause", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_clock_pause_clock_id"), ["clock_id"], unique=False)
    op.create_table(
        "rectification_order",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=False),
        sa.Column("doc_no", sa.String(length=64), nullable=True),
        sa.Column("seq_year", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("item_keys", sa.JSON(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("report_back", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("issued_on_site", sa.Boolean(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("issued_at", UTC, nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("served_at", UTC, nullable=True),
        sa.Column("service_method", sa.String(length=12), nullable=True),
        sa.Column("served_to", sa.String(length=100), nullable=True),
        sa.Column("party_signature", sa.String(length=10), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("witness_name", sa.String(length=100), nullable=True),
        sa.Column("served_by_id", sa.Integer(), nullable=True),
        sa.Column("recheck_on", sa.Date(), nullable=True),
        sa.Column("recheck_task_id", sa.String(length=36), nullable=True),
        sa.Column("recheck_inspection_id", sa.String(length=36), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("escalation_clock_id", sa.String(length=36), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"],
                                name=op.f("fk_rectification_order_inspection_id_inspection")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_rectification_order_agency_id_agency")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_rectification_order_party_id_party")),
        sa.ForeignKeyConstraint(["recheck_task_id"], ["task.id"],
                                name=op.f("fk_rectification_order_recheck_task_id_task")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["user_account.id"],
                                name=op.f("fk_rectification_order_issued_by_id_user_account")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["user_account.id"],
                                name=op.f("fk_rectification_order_approved_by_id_user_account")),
        sa.ForeignKeyConstraint(["served_by_id"], ["user_account.id"],
                                name=op.f("fk_rectification_order_served_by_id_user_account")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_rectification_order_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_order")),
        sa.UniqueConstraint("doc_no", name=op.f("uq_rectification_order_doc_no")),
    )
    with op.batch_alter_table("rectification_order", schema=None) as batch_op:
        for column in ("inspection_id", "agency_id", "party_id", "status", "recheck_task_id", "created_at"):
            batch_op.create_index(batch_op.f(f"ix_rectification_order_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("rectification_order")
    op.drop_table("case_clock_pause")
    op.drop_table("case_clock")
    if op.get_bind().dialect.name != "sqlite":  # SQLite keeps the column (see upgrade)
        op.drop_column("agency", "standing_rectification")
