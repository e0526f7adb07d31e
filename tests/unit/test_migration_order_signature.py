"""Migration 0031 on a database with rectification orders from before it: they keep their rows, get
version 0 and an empty field_meta, and have no signatures (their party signs the printed notice)."""
from __future__ import annotations

import sqlalchemy as sa

from inspector import create_app
from inspector.database import db
from inspector.migrate import upgrade


def test_orders_made_before_keep_their_rows_with_version_zero(tmp_path, empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "BLOB_DIR": str(tmp_path / "blobs")}, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade("0029_photo_processing")
        # Without foreign keys: the order's case and people are not the point.
        engine = sa.create_engine(empty_database_url) if db.engine.dialect.name == "sqlite" else db.engine
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.text(
                "INSERT INTO rectification_order (id, inspection_id, agency_id, party_id, facts, item_keys, basis, "
                "requirements, mode, report_back, status, issued_on_site, created_by_id, created_at, updated_at) "
                "VALUES ('o1', 'i1', 1, 'p1', '未附合格证', '[]', '《产品质量法》', '下架', 'deadline', true, 'issued', "
                "true, 1, '2026-12-01 00:00:00+00:00', '2026-12-01 00:00:00+00:00')"))
        if engine is not db.engine:
            engine.dispose()

        upgrade("head")

        with db.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT id, facts, version, field_meta, deleted_at FROM rectification_order")).one()
            signatures = conn.execute(sa.text("SELECT count(*) FROM rectification_signature")).scalar()
        assert (row.id, row.facts, row.version, row.deleted_at) == ("o1", "未附合格证", 0, None)
        assert row.field_meta in ({}, "{}") and signatures == 0
