"""review console: case-number counters and the review queue's indexes

Revision ID: 0004_review
Revises: 0003_uploads

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_review"
down_revision = "0003_uploads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_number_counter",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_case_number_counter_agency_id_agency")),
        sa.PrimaryKeyConstraint("agency_id", "category", "year", name=op.f("pk_case_number_counter")),
    )
    # The review queue pages newest-submitted first by (submitted_at, id), with or without a
    # status filter; these keep the first and the thousandth page equally cheap.
    op.create_index("ix_inspection_queue", "inspection", ["submitted_at", "id"])
    op.create_index("ix_inspection_status_queue", "inspection", ["status", "submitted_at", "id"])
    # "has failed items" is an EXISTS per row; this makes it an index probe.
    op.create_index("ix_finding_failed", "finding", ["inspection_id", "result"])


def downgrade() -> None:
    op.drop_index("ix_finding_failed", table_name="finding")
    op.drop_index("ix_inspection_status_queue", table_name="inspection")
    op.drop_index("ix_inspection_queue", table_name="inspection")
    op.drop_table("case_number_counter")
