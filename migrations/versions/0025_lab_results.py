"""lab results: a sample's lab life (sent, received, report and its items, notice, 复检)

Revision ID: 0025_lab_results
Revises: 0014_record_fields

New tables only; a sealed sample without a `sample_lab` row is `sampled`, so no rows to migrate.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import inspector.database


revision = "0025_lab_results"
# The single head after merging branch `fields` (its 0014 follows 0020); the lead re-chains at merge.
down_revision = "0014_record_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sample_lab',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('inspection_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('updated_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('field_meta', sa.JSON(), nullable=False),
    sa.Column('deleted_at', inspector.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['sample.id'], name=op.f('fk_sample_lab_id_sample'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_sample_lab_inspection_id_inspection'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_lab'))
    )
    with op.batch_alter_table('sample_lab', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_lab_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sample_lab_version'), ['version'], unique=False)
        batch_op.create_index('ix_sample_lab_inspection_id_version', ['inspection_id', 'version'], unique=False)

    op.create_table('lab_report',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sample_id', sa.String(length=36), nullable=False),
    sa.Column('check_type', sa.String(length=12), nullable=False),
    sa.Column('report_no', sa.String(length=80), nullable=False),
    sa.Column('lab_name', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('arrived_on', sa.Date(), nullable=False),
    sa.Column('conclusion', sa.String(length=12), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('entered_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notice_no', sa.String(length=80), nullable=True),
    sa.Column('notified_on', sa.Date(), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('delivery_method', sa.String(length=40), nullable=True),
    sa.Column('receiver', sa.String(length=100), nullable=True),
    sa.Column('retest_due', sa.Date(), nullable=True),
    sa.Column('retest_due_raw', sa.Date(), nullable=True),
    sa.Column('retest_due_provisional', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_lab_report_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['sample_id'], ['sample_lab.id'], name=op.f('fk_lab_report_sample_id_sample_lab'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_report'))
    )
    with op.batch_alter_table('lab_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_report_sample_id'), ['sample_id'], unique=False)

    op.create_table('lab_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_lab_step_by_id_user_account')),
    sa.ForeignKeyConstraint(['sample_id'], ['sample_lab.id'], name=op.f('fk_lab_step_sample_id_sample_lab'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_step'))
    )
    with op.batch_alter_table('lab_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_step_sample_id'), ['sample_id'], unique=False)

    op.create_table('lab_submission',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sample_id', sa.String(length=36), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('lab_name', sa.String(length=200), nullable=False),
    sa.Column('lab_cma_no', sa.String(length=60), nullable=True),
    sa.Column('carrier', sa.String(length=200), nullable=True),
    sa.Column('shipped_on', sa.Date(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('backup_seal_intact', sa.Boolean(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_lab_submission_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['sample_id'], ['sample_lab.id'], name=op.f('fk_lab_submission_sample_id_sample_lab'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_submission'))
    )
    with op.batch_alter_table('lab_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_submission_sample_id'), ['sample_id'], unique=False)

    op.create_table('lab_result_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=120), nullable=False),
    sa.Column('method_standard', sa.String(length=120), nullable=True),
    sa.Column('requirement_text', sa.String(length=200), nullable=True),
    sa.Column('limit_low', sa.String(length=24), nullable=True),
    sa.Column('limit_high', sa.String(length=24), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=True),
    sa.Column('declared_value', sa.String(length=24), nullable=True),
    sa.Column('allowed_negative_deviation', sa.String(length=24), nullable=True),
    sa.Column('measured_value', sa.String(length=24), nullable=False),
    sa.Column('measured_raw', sa.String(length=60), nullable=False),
    sa.Column('verdict', sa.String(length=12), nullable=False),
    sa.Column('is_mandatory', sa.Boolean(), nullable=False),
    sa.Column('reference_code', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['lab_report.id'], name=op.f('fk_lab_result_item_report_id_lab_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_result_item'))
    )
    with op.batch_alter_table('lab_result_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_result_item_report_id'), ['report_id'], unique=False)

    op.create_table('lab_retest',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sample_id', sa.String(length=36), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('applicant', sa.String(length=200), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('retest_report_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', inspector.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['lab_report.id'], name=op.f('fk_lab_retest_report_id_lab_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['retest_report_id'], ['lab_report.id'], name=op.f('fk_lab_retest_retest_report_id_lab_report'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sample_id'], ['sample_lab.id'], name=op.f('fk_lab_retest_sample_id_sample_lab'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_retest'))
    )
    with op.batch_alter_table('lab_retest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_retest_sample_id'), ['sample_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lab_retest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_retest_sample_id'))

    op.drop_table('lab_retest')
    with op.batch_alter_table('lab_result_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_result_item_report_id'))

    op.drop_table('lab_result_item')
    with op.batch_alter_table('lab_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_submission_sample_id'))

    op.drop_table('lab_submission')
    with op.batch_alter_table('lab_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_step_sample_id'))

    op.drop_table('lab_step')
    with op.batch_alter_table('lab_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_report_sample_id'))

    op.drop_table('lab_report')
    with op.batch_alter_table('sample_lab', schema=None) as batch_op:
        batch_op.drop_index('ix_sample_lab_inspection_id_version')
        batch_op.drop_index(batch_op.f('ix_sample_lab_version'))
        batch_op.drop_index(batch_op.f('ix_sample_lab_inspection_id'))

    op.drop_table('sample_lab')
