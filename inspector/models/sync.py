"""The server-assigned change version that orders every synced row (the pull cursor)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..database import UTCDateTime, db


class SyncState(db.Model):
    """One row: the last version handed out. Locked by every write transaction (see below)."""

    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    # Tombstones and scope exits at or below this version may have been pruned: an older pull
    # cursor cannot be served and gets a full reset.
    horizon: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Versioned:
    """Mixin for rows that phones pull: stamped with the version of the transaction that changed them."""

    version: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    # {field: {"v": version, "by": client id or "user:<id>"}}: who changed each field last, for merges.
    field_meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def allocate_version(session: Session) -> int:
    """The version of the current transaction, allocated once under the counter's row lock.

    The UPDATE holds the lock until commit, so transactions receive versions in commit order
    and a pull that sees version V also sees every row stamped <= V.
    """
    current = session.info.get("sync_version")
    if current is None:
        conn = session.connection()
        current = conn.execute(
            update(SyncState).where(SyncState.id == 1).values(version=SyncState.version + 1)
            .returning(SyncState.version)
        ).scalar_one_or_none()
        if current is None:  # first write on an empty database
            conn.execute(SyncState.__table__.insert().values(id=1, version=1))
            current = 1
        session.info["sync_version"] = current
    return current


def current_version(session: Session) -> int:
    """The last committed version (for a pull's snapshot)."""
    return session.execute(select(SyncState.version).where(SyncState.id == 1)).scalar() or 0


def _stamp(session: Session, _flush_context, _instances) -> None:
    touched = [o for o in session.new if isinstance(o, Versioned)]
    touched += [o for o in session.dirty if isinstance(o, Versioned) and session.is_modified(o)]
    if not touched:
        return
    version = allocate_version(session)
    for obj in touched:
        obj.version = version


def _forget(session: Session, *_args) -> None:
    session.info.pop("sync_version", None)


def install_versioning() -> None:
    """Stamp Versioned rows on every flush of the app's sessions."""
    if getattr(install_versioning, "done", False):
        return
    event.listen(Session, "before_flush", _stamp)
    for name in ("after_commit", "after_rollback", "after_soft_rollback"):
        event.listen(Session, name, _forget)
    install_versioning.done = True
