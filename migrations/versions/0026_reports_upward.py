"""reports upward: reporting dates per level and the reports (上报) with their frozen snapshots

Revision ID: 0026_reports_upward
Revises: 0022_shared_upload_parts

Two new tables; no existing rows to migrate.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0026_reports_upward"
down_revision = "0022_shared_upload_parts"  # the lead re-chains at merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("set_by_agency_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_report_deadline_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["set_by_agency_id"], ["agency.id"], name=op.f("fk_report_deadline_set_by_agency_id_agency")),
        sa.ForeignKeyConstraint(["set_by_id"], ["user_account.id"], name=op.f("fk_report_deadline_set_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_deadline")),
    )
    op.create_index(op.f("ix_report_deadline_campaign_id"), "report_deadline", ["campaign_id"])
    op.create_index(op.f("ix_report_deadline_set_by_agency_id"), "report_deadline", ["set_by_agency_id"])
    op.create_table(
        "upward_report",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("entered", sa.JSON(), nullable=False),
        sa.Column("typical_case_ids", sa.JSON(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.Column("snapshot_sha256", sa.String(length=64), nullable=True),
        sa.Column("report_no", sa.String(length=64), nullable=True),
        sa.Column("verify_token", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", inspector.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_upward_report_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_upward_report_agency_id_agency")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], name=op.f("fk_upward_report_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user_account.id"], name=op.f("fk_upward_report_submitted_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upward_report")),
        sa.UniqueConstraint("report_no", name=op.f("uq_upward_report_report_no")),
        sa.UniqueConstraint("verify_token", name=op.f("uq_upward_report_verify_token")),
    )
    op.create_index(op.f("ix_upward_report_campaign_id"), "upward_report", ["campaign_id"])
    op.create_index(op.f("ix_upward_report_agency_id"), "upward_report", ["agency_id"])
    op.create_index(op.f("ix_upward_report_status"), "upward_report", ["status"])
    op.create_index(op.f("ix_upward_report_snapshot_sha256"), "upward_report", ["snapshot_sha256"])


def downgrade() -> None:
    op.drop_table("upward_report")
    op.drop_table("report_deadline")
