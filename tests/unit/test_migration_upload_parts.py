"""Migration 0022 on a database with unfinished uploads from before it: sessions whose bytes were in
a local `.part` file are expired (the phone starts them again); sessions with no bytes yet go on."""
from __future__ import annotations

import sqlalchemy as sa

from inspector import create_app
from inspector.database import db
from inspector.migrate import upgrade


def test_open_uploads_with_bytes_in_old_part_files_are_expired(tmp_path, empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                      "BLOB_DIR": str(tmp_path / "blobs")}, instance_path=str(tmp_path / "instance"))
    rows = {"halfway": ("open", 5000, "a"), "nothing-yet": ("open", 0, "b"), "done": ("complete", 9000, "c")}
    with app.app_context():
        upgrade("0021_pull_indexes")
        # Without foreign keys: the uploads' owners are not the point.
        if db.engine.dialect.name == "sqlite":
            engine = sa.create_engine(empty_database_url)  # a plain connection: foreign keys off
        else:
            engine = db.engine
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for upload_id, (status, offset, digit) in rows.items():
                conn.execute(sa.text(
                    'INSERT INTO upload (id, user_id, sha256, length, "offset", status, created_at, expires_at) '
                    "VALUES (:id, 1, :sha, 9000, :offset, :status, '2026-12-01 00:00:00+00:00', "
                    "'2099-12-08 00:00:00+00:00')"), {"id": upload_id, "sha": digit * 64, "offset": offset,
                                                      "status": status})
        if engine is not db.engine:
            engine.dispose()

        upgrade("head")

        with db.engine.connect() as conn:
            after = dict(conn.execute(sa.text("SELECT id, status FROM upload")).all())
            leases = conn.execute(sa.text("SELECT count(*) FROM upload WHERE writer IS NOT NULL")).scalar()
            parts = conn.execute(sa.text("SELECT count(*) FROM upload_part")).scalar()
        db.engine.dispose()
    assert after == {"halfway": "expired", "nothing-yet": "open", "done": "complete"}
    assert (leases, parts) == (0, 0)
