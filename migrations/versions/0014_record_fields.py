"""record fields the 文书 need: refusal witness and recording, 当事人 type and operator ID,
现场负责人 and 通知到场情况, the 抽样记录's own fields, signatures of the sampled party and the
evidence provider

Revision ID: 0014_record_fields
Revises: 0020_intake

New nullable columns (JSON lists default to empty); existing rows stay valid as they are.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0014_record_fields"
down_revision = "0020_intake"
branch_labels = None
depends_on = None

_PARTY = (("entity_type", sa.String(20)), ("operator_id_number", sa.String(18)))
_INSPECTION = (("on_site_person", sa.String(100)), ("party_notified", sa.Text()))
_SAMPLE = (("sample_no", sa.String(60)), ("sampled_at", inspector.database.UTCDateTime()),
           ("lab_name", sa.String(200)), ("price_paid", sa.String(20)), ("backup_storage", sa.String(200)),
           ("backup_condition", sa.String(200)))
_SAMPLE_LISTS = ("backup_seal_numbers", "sealed_photo_ids")
_SIGNATURE = (("witness_id_number", sa.String(18)), ("witness_unit", sa.String(100)),
              ("witness_phone", sa.String(32)), ("recording_file_no", sa.String(80)),
              ("recording_device", sa.String(80)), ("recording_started_at", inspector.database.UTCDateTime()),
              ("sample_id", sa.String(36)))


def _add(table: str, columns) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, kind in columns:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def upgrade() -> None:
    _add("party", _PARTY)
    _add("inspection", _INSPECTION)
    _add("sample", _SAMPLE)
    with op.batch_alter_table("sample", schema=None) as batch_op:
        for name in _SAMPLE_LISTS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default="[]"))
    _add("signature", _SIGNATURE)
    with op.batch_alter_table("signature", schema=None) as batch_op:  # sampled_party, evidence_provider
        batch_op.alter_column("role", existing_type=sa.String(12), type_=sa.String(20), existing_nullable=False)
    op.create_index("ix_signature_sample_id", "signature", ["sample_id"])


def downgrade() -> None:
    op.drop_index("ix_signature_sample_id", table_name="signature")
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.alter_column("role", existing_type=sa.String(20), type_=sa.String(12), existing_nullable=False)
    for table, names in (("signature", [n for n, _ in _SIGNATURE]),
                         ("sample", [n for n, _ in _SAMPLE] + list(_SAMPLE_LISTS)),
                         ("inspection", [n for n, _ in _INSPECTION]), ("party", [n for n, _ in _PARTY])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.drop_column(name)
