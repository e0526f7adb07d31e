"""lab open days: announced open days, their slots, farmers' bookings, samples and results,
and the failed result lookups the public page limits

Revision ID: 0027_lab_open_days
Revises: 0026_reports_upward

Five new tables; no existing rows to migrate.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import inspector.database


revision = "0027_lab_open_days"
down_revision = "0026_reports_upward"  # brief: main's head; the lead re-chains at merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('open_day_lookup_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('browser', sa.String(length=64), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_day_lookup_failure'))
    )
    with op.batch_alter_table('open_day_lookup_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_day_lookup_failure_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_lookup_failure_browser'), ['browser'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_lookup_failure_number'), ['number'], unique=False)

    op.create_table('open_day',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('lab', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('contact_phone', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('capacity_samples', sa.Integer(), nullable=True),
    sa.Column('published_at', inspector.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', inspector.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_open_day_agency_id_agency')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_open_day_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_open_day_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_day'))
    )
    with op.batch_alter_table('open_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_day_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_first_day'), ['first_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_last_day'), ['last_day'], unique=False)

    op.create_table('open_day_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('open_day_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('band', sa.String(length=11), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['open_day_id'], ['open_day.id'], name=op.f('fk_open_day_slot_open_day_id_open_day'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_day_slot')),
    sa.UniqueConstraint('open_day_id', 'day', 'band', name='uq_open_day_slot')
    )
    with op.batch_alter_table('open_day_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_day_slot_open_day_id'), ['open_day_id'], unique=False)

    op.create_table('open_day_booking',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('open_day_id', sa.String(length=36), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=True),
    sa.Column('batch', sa.String(length=100), nullable=True),
    sa.Column('bought_from', sa.String(length=300), nullable=False),
    sa.Column('browser', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('created_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_in_at', inspector.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_forward', sa.Boolean(), nullable=True),
    sa.Column('consent_method', sa.String(length=12), nullable=True),
    sa.Column('consent_anonymous', sa.Boolean(), nullable=False),
    sa.Column('consent_at', inspector.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('consent_by_id', sa.Integer(), nullable=True),
    sa.Column('filing_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['user_account.id'], name=op.f('fk_open_day_booking_checked_in_by_id_user_account')),
    sa.ForeignKeyConstraint(['consent_by_id'], ['user_account.id'], name=op.f('fk_open_day_booking_consent_by_id_user_account')),
    sa.ForeignKeyConstraint(['filing_id'], ['filing.id'], name=op.f('fk_open_day_booking_filing_id_filing')),
    sa.ForeignKeyConstraint(['open_day_id'], ['open_day.id'], name=op.f('fk_open_day_booking_open_day_id_open_day')),
    sa.ForeignKeyConstraint(['slot_id'], ['open_day_slot.id'], name=op.f('fk_open_day_booking_slot_id_open_day_slot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_day_booking')),
    sa.UniqueConstraint('number', name=op.f('uq_open_day_booking_number'))
    )
    with op.batch_alter_table('open_day_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_day_booking_booked_on'), ['booked_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_booking_browser'), ['browser'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_booking_filing_id'), ['filing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_booking_open_day_id'), ['open_day_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_booking_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_booking_slot_id'), ['slot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_booking_status'), ['status'], unique=False)

    op.create_table('open_day_sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.String(length=36), nullable=False),
    sa.Column('label', sa.String(length=24), nullable=False),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=True),
    sa.Column('batch', sa.String(length=100), nullable=True),
    sa.Column('bought_from', sa.String(length=300), nullable=False),
    sa.Column('declared', sa.Text(), nullable=True),
    sa.Column('received_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=False),
    sa.Column('result_due', sa.Date(), nullable=False),
    sa.Column('result_due_provisional', sa.Boolean(), nullable=False),
    sa.Column('test_item', sa.String(length=100), nullable=True),
    sa.Column('declared_value', sa.String(length=64), nullable=True),
    sa.Column('measured_value', sa.String(length=64), nullable=True),
    sa.Column('verdict', sa.String(length=8), nullable=True),
    sa.Column('result_note', sa.Text(), nullable=True),
    sa.Column('result_at', inspector.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result_by_id', sa.Integer(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['open_day_booking.id'], name=op.f('fk_open_day_sample_booking_id_open_day_booking'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['received_by_id'], ['user_account.id'], name=op.f('fk_open_day_sample_received_by_id_user_account')),
    sa.ForeignKeyConstraint(['result_by_id'], ['user_account.id'], name=op.f('fk_open_day_sample_result_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_day_sample')),
    sa.UniqueConstraint('label', name=op.f('uq_open_day_sample_label'))
    )
    with op.batch_alter_table('open_day_sample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_day_sample_booking_id'), ['booking_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('open_day_sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_day_sample_booking_id'))

    op.drop_table('open_day_sample')
    with op.batch_alter_table('open_day_booking', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_day_booking_status'))
        batch_op.drop_index(batch_op.f('ix_open_day_booking_slot_id'))
        batch_op.drop_index(batch_op.f('ix_open_day_booking_phone'))
        batch_op.drop_index(batch_op.f('ix_open_day_booking_open_day_id'))
        batch_op.drop_index(batch_op.f('ix_open_day_booking_filing_id'))
        batch_op.drop_index(batch_op.f('ix_open_day_booking_browser'))
        batch_op.drop_index(batch_op.f('ix_open_day_booking_booked_on'))

    op.drop_table('open_day_booking')
    with op.batch_alter_table('open_day_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_day_slot_open_day_id'))

    op.drop_table('open_day_slot')
    with op.batch_alter_table('open_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_day_last_day'))
        batch_op.drop_index(batch_op.f('ix_open_day_first_day'))
        batch_op.drop_index(batch_op.f('ix_open_day_agency_id'))

    op.drop_table('open_day')
    with op.batch_alter_table('open_day_lookup_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_day_lookup_failure_number'))
        batch_op.drop_index(batch_op.f('ix_open_day_lookup_failure_browser'))
        batch_op.drop_index(batch_op.f('ix_open_day_lookup_failure_at'))

    op.drop_table('open_day_lookup_failure')
