"""a user's cases from one index: inspection_inspector (user_id, inspection_id) replaces (user_id)

Revision ID: 0033_case_member_index
Revises: 0032_lab_settings_and_failures

Every pull page reads the cases its user is an inspector on; with the pair in one index that read
never visits the table.
"""
from __future__ import annotations

from alembic import op

revision = "0033_case_member_index"
down_revision = "0032_lab_settings_and_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inspection_inspector_user_id_inspection_id", "inspection_inspector",
                    ["user_id", "inspection_id"])
    op.drop_index("ix_inspection_inspector_user_id", table_name="inspection_inspector")


def downgrade() -> None:
    op.create_index("ix_inspection_inspector_user_id", "inspection_inspector", ["user_id"])
    op.drop_index("ix_inspection_inspector_user_id_inspection_id", table_name="inspection_inspector")
