"""The server-assigned change version that orders every synced row (the pull cursor)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, Text, cast, event, func, select, text, update
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
    and a pull that sees version V also sees every row stamped <= V. A *late* transaction (a
    push: `defer_version`) writes PENDING meanwhile and calls this as one of its last statements
    (`finish_version`), so the lock is held for the commit, not for the work before it.
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


# The version a late transaction writes until it takes its own at the end. Larger than any real
# version (an edit made in this transaction is the newest), and never committed: finish_version
# replaces it, in the rows and in their field_meta marks, before the commit.
PENDING = 2 ** 62


def defer_version(session: Session) -> None:
    """Make the current transaction late: rows are stamped PENDING until `finish_version`."""
    session.info["sync_late"] = True


def transaction_version(session: Session) -> int:
    """The version to write now: the transaction's own if taken, PENDING in a late transaction."""
    current = session.info.get("sync_version")
    if current is not None:
        return current
    if session.info.get("sync_late"):
        return PENDING
    return allocate_version(session)


def note_pending(session: Session, version: int, *tables: Any) -> None:
    """Tables a late transaction wrote `version` into by a bulk statement (the ORM's rows are noted
    by the flush hook), so that finish_version stamps them."""
    if version == PENDING:
        session.info.setdefault("sync_pending", set()).update(getattr(t, "__table__", t).name for t in tables)


def finish_version(session: Session) -> int:
    """Take the late transaction's version now (the lock is held from here to the commit) and put
    it in place of PENDING: one UPDATE per table written, field_meta marks included."""
    version = take_version(session)
    stamp_version(session, version)
    return version


def take_version(session: Session) -> int:
    """finish_version's first half: the session's writes flushed, then the version (and its lock)."""
    session.flush()
    return allocate_version(session)


def stamp_version(session: Session, version: int) -> None:
    """finish_version's second half: `version` in place of PENDING. These UPDATEs read nothing
    back, so a caller may send them in a pipeline (services/sync/push.py).

    On PostgreSQL they find their rows by a plain index scan, not a bitmap scan. Every stamp
    leaves the row's old index entry under PENDING, dead once it commits; a plain scan marks the
    dead entries it passes and the index then drops them, while a bitmap scan (what the planner
    chose) visits every one of them each time, until a vacuum. Under the version lock that grew
    with the table: a push held it 3.7 ms at the start of bench/load_bench.py's run, 10.6 ms at its
    end with one worker. SET LOCAL lasts until the commit, which follows.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    names = sorted(session.info.pop("sync_pending", ()))
    if postgres and names:
        session.connection().execute(text("SET LOCAL enable_bitmapscan = off"))
    for name in names:
        table = db.metadata.tables[name]
        values: dict[str, Any] = {"version": version}
        if "field_meta" in table.c:
            # {"v": PENDING, …} as json.dumps wrote it; the marks are the only numbers of that size.
            text_meta = cast(table.c.field_meta, Text) if postgres else table.c.field_meta
            replaced = func.replace(func.replace(text_meta, f'"v": {PENDING}', f'"v": {version}'),
                                    f'"v":{PENDING}', f'"v":{version}')
            values["field_meta"] = cast(replaced, table.c.field_meta.type) if postgres else replaced
        session.execute(update(table).where(table.c.version == PENDING).values(**values)
                        .execution_options(synchronize_session=False))


def current_version(session: Session) -> int:
    """The last committed version (for a pull's snapshot)."""
    return session.execute(select(SyncState.version).where(SyncState.id == 1)).scalar() or 0


def _stamp(session: Session, _flush_context, _instances) -> None:
    touched = [o for o in session.new if isinstance(o, Versioned)]
    touched += [o for o in session.dirty if isinstance(o, Versioned) and session.is_modified(o)]
    if not touched:
        return
    version = transaction_version(session)
    for obj in touched:
        obj.version = version
    note_pending(session, version, *{type(o) for o in touched})


def _never_commit_pending(session: Session) -> None:
    """A late transaction that commits without finish_version (a path that forgot it) takes its
    version here: PENDING never reaches a committed row."""
    if not session.in_nested_transaction() and session.info.get("sync_late") and (
            session.info.get("sync_pending") or any(isinstance(o, Versioned) for o in (*session.new, *session.dirty))):
        finish_version(session)


_STATE = ("sync_version", "sync_late", "sync_pending")


def _forget(session: Session, *_args) -> None:
    """The transaction ended (not a savepoint of it, whose commit and rollback fire the same events)."""
    if session.in_nested_transaction():
        return
    for key in _STATE:
        session.info.pop(key, None)


def _forget_soft(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        for key in _STATE:
            session.info.pop(key, None)


def install_versioning() -> None:
    """Stamp Versioned rows on every flush of the app's sessions."""
    if getattr(install_versioning, "done", False):
        return
    event.listen(Session, "before_flush", _stamp)
    event.listen(Session, "before_commit", _never_commit_pending)
    for name in ("after_commit", "after_rollback"):
        event.listen(Session, name, _forget)
    event.listen(Session, "after_soft_rollback", _forget_soft)
    install_versioning.done = True
