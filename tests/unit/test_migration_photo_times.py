"""Migration 0009 on a database with photos from before it: capture times become unambiguous."""
from __future__ import annotations

import sqlite3
from contextlib import closing

import sqlalchemy as sa

from inspector import create_app
from inspector.database import db
from inspector.migrate import upgrade


def test_capture_times_without_an_offset_are_given_chinas_and_others_are_kept(tmp_path):
    database = tmp_path / "old.sqlite3"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                      "BLOB_DIR": str(tmp_path / "blobs")}, instance_path=str(tmp_path / "instance"))
    stored = {"naive": "2014-09-21T16:00:56", "camera": "2026:11:30 09:14:03",
              "zoned": "2022-08-14T14:12:31+03:00", "junk": "0000:00:00 00:00:00"}
    with app.app_context():
        upgrade("0006_blob_holders")
        # A plain sqlite3 connection does not enforce foreign keys: the photos' cases are not the point.
        with closing(sqlite3.connect(database)) as conn, conn:
            conn.executemany(
                "INSERT INTO photo (id, inspection_id, sha256, size, media_type, exif_taken_at, version, field_meta,"
                " created_at) VALUES (?, 'case', ?, 1, 'image/jpeg', ?, 1, '{}', '2026-12-01 00:00:00')",
                [(name, name[0] * 64, raw) for name, raw in stored.items()])

        upgrade("head")

        with db.engine.connect() as conn:
            after = dict(conn.execute(sa.text("SELECT id, exif_taken_at FROM photo")).all())
            remarks = conn.execute(sa.text("SELECT count(*) FROM photo WHERE remark IS NULL")).scalar()
    assert after == {"naive": "2014-09-21T16:00:56+08:00", "camera": "2026-11-30T09:14:03+08:00",
                     "zoned": "2022-08-14T14:12:31+03:00", "junk": "0000:00:00 00:00:00"}
    assert remarks == 4
