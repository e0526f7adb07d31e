"""inspection campaigns: every case belongs to the campaign running for its agency on its day

Revision ID: 0007_inspection_campaigns
Revises: 0006_blob_holders

Cases recorded on phones were created without a campaign, so the campaign statistics and the
summary report left them out. Each case still without one gets the campaign that covers its agency
(its own or one above it) on its inspection day, the calendar day in China (UTC+8, no daylight
saving) on which it started on site, else was created; where several do, the most specific
agency's, then the latest start (the rule of inspector/services/campaigns.py, written out here in
SQL so that this step stays as it is when the models change). A case with a campaign keeps it.
"""
from __future__ import annotations

from alembic import op

revision = "0007_inspection_campaigns"
down_revision = "0006_blob_holders"
branch_labels = None
depends_on = None


def _china_day(dialect: str) -> str:
    """The inspection's China calendar day, as an SQL expression over the row being updated."""
    moment = "COALESCE(inspection.started_at_device, inspection.created_at)"
    if dialect == "postgresql":
        return f"CAST(({moment} AT TIME ZONE 'Asia/Shanghai') AS DATE)"
    return f"date({moment}, '+8 hours')"  # SQLite keeps UTC as text without a zone


def upgrade() -> None:
    day = _china_day(op.get_bind().dialect.name)
    campaign = (
        "(SELECT campaign.id FROM campaign"
        " JOIN agency owner ON owner.id = campaign.agency_id"
        " JOIN agency own ON own.id = inspection.agency_id"
        " WHERE campaign.deleted_at IS NULL"
        f" AND campaign.starts_on <= {day} AND campaign.ends_on >= {day}"
        " AND substr(own.path, 1, length(owner.path)) = owner.path"
        " ORDER BY length(owner.path) DESC, campaign.starts_on DESC, campaign.id DESC LIMIT 1)"
    )
    # The filled rows are stamped with a new sync version, as any change is, so that phones holding
    # them learn their campaign at the next pull.
    op.execute("UPDATE sync_state SET version = version + 1 WHERE id = 1")
    op.execute(
        f"UPDATE inspection SET campaign_id = {campaign},"
        " version = COALESCE((SELECT version FROM sync_state WHERE id = 1), version)"
        f" WHERE campaign_id IS NULL AND {campaign} IS NOT NULL"
    )


def downgrade() -> None:
    # Which campaigns were filled in is not recorded; they stay (a campaign of the right day is harmless).
    pass
