"""filing attachments: a flag for an attachment that identifies the reporter

Revision ID: 0030_attachment_reporter
Revises: 0024_rectification_clocks

One new column on filing_attachment (false for any existing row).
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = "0030_attachment_reporter"
down_revision = "0024_rectification_clocks"  # brief: main's head; the lead re-chains at merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('filing_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identifies_reporter', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('name', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('filing_attachment', schema=None) as batch_op:
        batch_op.drop_column('name')
        batch_op.drop_column('identifies_reporter')
