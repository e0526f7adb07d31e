"""complaints and reports register (投诉举报): filings, their people, transitions, pauses, attachments

Revision ID: 0019_complaints
Revises: 0012_failed_jobs (here merged after 0017_official_calendar and 0018_tasks_and_roles, whose
branches this one merged; the tables depend on neither, so the lead may re-chain it anywhere after 0012)

New tables; no existing rows to migrate.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import inspector.database


revision = "0019_complaints"
down_revision = ("0017_official_calendar", "0018_tasks_and_roles")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('filing',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reg_no', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=True),
    sa.Column('received_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('clock_start_on', sa.Date(), nullable=False),
    sa.Column('rule_version', sa.String(length=8), nullable=False),
    sa.Column('received_by_agency_id', sa.Integer(), nullable=False),
    sa.Column('handling_agency_id', sa.Integer(), nullable=False),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('party_id', sa.String(length=36), nullable=True),
    sa.Column('respondent_name', sa.String(length=200), nullable=False),
    sa.Column('respondent_address', sa.String(length=300), nullable=True),
    sa.Column('respondent_contact', sa.String(length=64), nullable=True),
    sa.Column('respondent_credit_code', sa.String(length=18), nullable=True),
    sa.Column('product_category', sa.String(length=16), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('requests', sa.Text(), nullable=True),
    sa.Column('harm_known_on', sa.Date(), nullable=True),
    sa.Column('consent_publish', sa.Boolean(), nullable=True),
    sa.Column('consent_mediation', sa.Boolean(), nullable=True),
    sa.Column('linked_filing_id', sa.String(length=36), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('extension_approved', sa.Boolean(), nullable=False),
    sa.Column('decision_notified', sa.Boolean(), nullable=False),
    sa.Column('due_rule', sa.String(length=40), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('field_meta', sa.JSON(), nullable=False),
    sa.Column('deleted_at', inspector.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_filing_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['handler_id'], ['user_account.id'], name=op.f('fk_filing_handler_id_user_account')),
    sa.ForeignKeyConstraint(['handling_agency_id'], ['agency.id'], name=op.f('fk_filing_handling_agency_id_agency')),
    sa.ForeignKeyConstraint(['linked_filing_id'], ['filing.id'], name=op.f('fk_filing_linked_filing_id_filing')),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_filing_party_id_party')),
    sa.ForeignKeyConstraint(['received_by_agency_id'], ['agency.id'], name=op.f('fk_filing_received_by_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing')),
    sa.UniqueConstraint('reg_no', name=op.f('uq_filing_reg_no'))
    )
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_external_ref'), ['external_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_handler_id'), ['handler_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_handling_agency_id'), ['handling_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_linked_filing_id'), ['linked_filing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_party_id'), ['party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_product_category'), ['product_category'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_received_by_agency_id'), ['received_by_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_version'), ['version'], unique=False)

    op.create_table('filing_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('caption', sa.Text(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_filing_attachment_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['filing_id'], ['filing.id'], name=op.f('fk_filing_attachment_filing_id_filing'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_attachment'))
    )
    with op.batch_alter_table('filing_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_attachment_filing_id'), ['filing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filing_attachment_sha256'), ['sha256'], unique=False)

    op.create_table('filing_pause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('paused_from', sa.Date(), nullable=False),
    sa.Column('resumed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['filing_id'], ['filing.id'], name=op.f('fk_filing_pause_filing_id_filing'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_pause'))
    )
    with op.batch_alter_table('filing_pause', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_pause_filing_id'), ['filing_id'], unique=False)

    op.create_table('filing_person',
    sa.Column('filing_id', sa.String(length=36), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('id_no', sa.String(length=32), nullable=True),
    sa.Column('insider', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['filing_id'], ['filing.id'], name=op.f('fk_filing_person_filing_id_filing'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('filing_id', name=op.f('pk_filing_person'))
    )
    op.create_table('filing_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('ground', sa.String(length=8), nullable=True),
    sa.Column('notice_kind', sa.String(length=32), nullable=True),
    sa.Column('notice_no', sa.String(length=64), nullable=True),
    sa.Column('notice_method', sa.String(length=16), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_filing_transition_by_id_user_account')),
    sa.ForeignKeyConstraint(['filing_id'], ['filing.id'], name=op.f('fk_filing_transition_filing_id_filing'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_transition'))
    )
    with op.batch_alter_table('filing_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_transition_filing_id'), ['filing_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('filing_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_transition_filing_id'))

    op.drop_table('filing_transition')
    op.drop_table('filing_person')
    with op.batch_alter_table('filing_pause', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_pause_filing_id'))

    op.drop_table('filing_pause')
    with op.batch_alter_table('filing_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_attachment_sha256'))
        batch_op.drop_index(batch_op.f('ix_filing_attachment_filing_id'))

    op.drop_table('filing_attachment')
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_version'))
        batch_op.drop_index(batch_op.f('ix_filing_status'))
        batch_op.drop_index(batch_op.f('ix_filing_received_by_agency_id'))
        batch_op.drop_index(batch_op.f('ix_filing_received_at'))
        batch_op.drop_index(batch_op.f('ix_filing_product_category'))
        batch_op.drop_index(batch_op.f('ix_filing_party_id'))
        batch_op.drop_index(batch_op.f('ix_filing_linked_filing_id'))
        batch_op.drop_index(batch_op.f('ix_filing_kind'))
        batch_op.drop_index(batch_op.f('ix_filing_handling_agency_id'))
        batch_op.drop_index(batch_op.f('ix_filing_handler_id'))
        batch_op.drop_index(batch_op.f('ix_filing_external_ref'))
        batch_op.drop_index(batch_op.f('ix_filing_due_on'))
        batch_op.drop_index(batch_op.f('ix_filing_created_at'))
        batch_op.drop_index(batch_op.f('ix_filing_channel'))

    op.drop_table('filing')
