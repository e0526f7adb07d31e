"""indexes a pull page seeks by: (case, version) on a case's parts, (agency, version) on parties

Revision ID: 0021_pull_indexes
Revises: 0017_official_calendar

A pull page reached every part of every case in the user's scope and then kept those after its
cursor; with these it seeks to the rows after the cursor (inspector/models/pull_indexes.py).
"""
from __future__ import annotations

from alembic import op

revision = "0021_pull_indexes"
down_revision = "0017_official_calendar"
branch_labels = None
depends_on = None

PARTS = ("finding", "sample", "photo", "signature", "review_decision", "sync_conflict")


def upgrade() -> None:
    for table in PARTS:
        op.create_index(f"ix_{table}_inspection_id_version", table, ["inspection_id", "version"])
    op.create_index("ix_party_agency_id_version", "party", ["agency_id", "version"])


def downgrade() -> None:
    op.drop_index("ix_party_agency_id_version", table_name="party")
    for table in reversed(PARTS):
        op.drop_index(f"ix_{table}_inspection_id_version", table_name=table)
