"""Database wiring: the SQLAlchemy object, shared column types and SQLite behaviour."""
from __future__ import annotations

import contextvars
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Aware UTC now; the only clock the server trusts."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# Whether the next SQLite transaction should take the write lock at BEGIN. Write requests do,
# so a read-then-write transaction can never fail to upgrade its lock half-way (SQLITE_BUSY).
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


# SQLite's page cache per connection, in KiB (its default is 2 MB): on a database of 100k cases a
# pull page's index seeks ran 3.6x slower with the default, each a few system calls. Bounded, so
# that a connection's memory does not grow with the database (a memory map did: an export's
# resident size grew with every page it read).
SQLITE_CACHE_KIB = 8 * 1024


def install_sqlite_behaviour(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, an 8 MB page cache, and explicit BEGIN [IMMEDIATE] for pysqlite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Take transaction control away from pysqlite, whose implicit BEGIN breaks isolation.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
