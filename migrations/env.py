"""Alembic environment: runs inside the Flask app context and uses its engine and metadata."""
from __future__ import annotations

from alembic import context
from flask import current_app

from inspector.database import db

target_metadata = db.metadata


def run_migrations_online() -> None:
    engine = db.engine
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=engine.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    context.configure(url=current_app.config["SQLALCHEMY_DATABASE_URI"], target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
