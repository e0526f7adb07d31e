"""The factory, configuration and the schema history."""
from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from inspector import create_app
from inspector.config import normalise_database_url
from inspector.database import db


def test_defaults_are_embedded_sqlite_and_local_blobs(tmp_path, monkeypatch):
    for var in ("DATABASE_URL", "SECRET_KEY", "INSPECTOR_BLOB_DIR"):
        monkeypatch.delenv(var, raising=False)
    app = create_app(instance_path=str(tmp_path / "instance"))
    instance = Path(app.instance_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'inspector.sqlite3'}"
    assert app.config["BLOB_DIR"] == str(instance / "blobs")
    assert len(app.config["SECRET_KEY"]) == 64
    assert create_app(instance_path=str(instance)).config["SECRET_KEY"] == app.config["SECRET_KEY"]  # kept across restarts
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/inspections")
    monkeypatch.setenv("INSPECTOR_MAX_UPLOAD_BYTES", "1048576")
    monkeypatch.setenv("INSPECTOR_SECURE_COOKIES", "true")
    app = create_app({"SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/inspections"
    assert app.config["MAX_UPLOAD_BYTES"] == 1048576
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_test_config_wins():
    app = create_app({"SECRET_KEY": "from-test", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-test"


def test_database_url_normalisation():
    assert normalise_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        return
    conn = db.session.connection()
    assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_match_the_models(app):
    """Every model change comes with a migration: the migrated schema equals the models."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_readme_documents_every_setting():
    from inspector.config import SETTINGS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [env for _name, env, *_ in SETTINGS if f"`{env}`" not in readme]
    assert missing == []
