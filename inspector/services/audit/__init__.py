"""Append-only, hash-chained audit events, signed checkpoints of the chain's head, and the check
that walks the chain against them (`checkpoints.py` says what the checkpoints catch)."""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import func, insert, select, update

from ...database import db, utcnow
from ...models import AuditCheckpoint, AuditEvent, AuditHead
from ...models.sync import allocate_version
from . import checkpoints

GENESIS = "0" * 64
log = logging.getLogger(__name__)


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the event's content and the previous event's hash."""
    content = {
        "seq": event.seq, "at": event.at.isoformat(), "actor": event.actor_id, "device": event.device_id,
        "action": event.action, "entity": [event.entity_type, event.entity_id],
        "inspection": event.inspection_id, "reason": event.reason, "data": event.data,
        "prev": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _locked_head() -> AuditHead:
    """The chain's head, locked to the commit. The transaction's sync version is taken first: a push
    takes the two locks in that order at its end, and a writer that took them the other way round
    (an event recorded before its first versioned write) could deadlock with it."""
    session = db.session
    allocate_version(session)
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    return head


def record(action: str, entity_type: str, entity_id: Any, *, actor_id: int | None = None,
           device_id: int | None = None, inspection_id: str | None = None, reason: str | None = None,
           data: dict[str, Any] | None = None) -> AuditEvent:
    """Append an event in the caller's transaction; the chain head is locked until it commits.

    In a late transaction (`defer()`, a push) the event waits in the session and is chained by
    `chain_pending()` and `write_chained()`, among the transaction's last statements: the head is
    then locked only for the commit. Either way the chain's order is the order of commits.
    When the last checkpoint is older than the interval, the new head is signed too: the head row
    read here carries the last checkpoint's time, so an append costs no extra query.
    """
    event = AuditEvent(
        at=utcnow().replace(microsecond=0), actor_id=actor_id, device_id=device_id,
        action=action, entity_type=entity_type, entity_id=str(entity_id), inspection_id=inspection_id,
        reason=reason, data=data or {},
    )
    if db.session.info.get(_LATE):
        db.session.info.setdefault(_PENDING, []).append(event)
        return event
    _chain([event])
    return event


def _chain(events: list[AuditEvent]) -> None:
    head = _locked_head()
    _link(events, head)
    db.session.add_all(events)
    _sign_if_due(head, events[-1].at)


def _link(events: list[AuditEvent], head) -> None:
    """Give the events their places after `head` (seq and hash, advanced as they are linked)."""
    for event in events:
        event.seq, event.prev_hash = head.seq + 1, head.hash
        event.hash = event_hash(event)
        head.seq, head.hash = event.seq, event.hash


def _sign_if_due(head: AuditHead, at) -> None:
    if checkpoints.due(head, at):
        try:
            checkpoints.sign_head(db.session, head, at)
        except (OSError, ValueError):
            # A missing or bad key must not stop the work being recorded; the next append tries
            # again, and verify-audit reports how old the last checkpoint is.
            log.exception("could not sign an audit checkpoint")


_LATE, _PENDING = "audit_late", "audit_pending"


def defer() -> None:
    """Make the current transaction late: its events are chained by chain_pending()
    and written by write_chained() (services/sync/push.py)."""
    db.session.info[_LATE] = True


def pending() -> list[AuditEvent]:
    """The events of a late transaction not yet chained, in the order recorded."""
    return db.session.info.get(_PENDING, [])


def forget_since(mark: int) -> None:
    """Drop the pending events recorded after `mark` (= len(pending()) then): a savepoint rolled back."""
    del db.session.info.get(_PENDING, [])[mark:]


_EVENT_COLUMNS = tuple(c.name for c in AuditEvent.__table__.c if c.name != "id")
_head = AuditHead.__table__
# Built once, like push.py's statements.
_LOCK_HEAD = select(_head.c.seq, _head.c.hash, _head.c.checkpoint_at).where(_head.c.id == 1).with_for_update()
_INSERT_EVENT = insert(AuditEvent.__table__).inline()  # inline: the new ids are not read back
_MOVE_HEAD = update(_head).where(_head.c.id == 1)


@dataclass
class _Head:
    seq: int
    hash: str
    checkpoint_at: Any


def chain_pending() -> list[AuditEvent]:
    """Chain the late transaction's events: lock the head (to the commit) and link the pending
    events after it; the events to write with write_chained() (none when they went through the
    session).

    This runs under the two global row locks, so it is plain statements on the connection (no
    unit of work, no ids read back), and only the head's read waits for an answer: the writes
    read nothing back, and a push sends them in PostgreSQL's pipeline with its other last
    statements (services/sync/push.py). The events are not added to the session; nothing reads
    them back. The first event ever and a checkpoint that is due go through the session, as
    record() does.
    """
    events = db.session.info.pop(_PENDING, [])
    if not events:
        return []
    row = db.session.connection().execute(_LOCK_HEAD).first()
    if row is None or checkpoints.due(row, events[-1].at):
        _chain(events)
        return []
    _link(events, _Head(row.seq, row.hash, row.checkpoint_at))
    return events


def write_chained(events: list[AuditEvent]) -> None:
    """After chain_pending(): the linked events and the head moved to the last of them."""
    if events:
        conn = db.session.connection()
        conn.execute(_INSERT_EVENT, [{c: getattr(e, c) for c in _EVENT_COLUMNS} for e in events])
        conn.execute(_MOVE_HEAD.values(seq=events[-1].seq, hash=events[-1].hash))


def end_late() -> None:
    """The late transaction ended (committed or rolled back)."""
    db.session.info.pop(_LATE, None)
    db.session.info.pop(_PENDING, None)


def make_checkpoint() -> AuditCheckpoint:
    """Sign the chain's head now, in the caller's transaction (flushed: the row has its id)."""
    row = checkpoints.sign_head(db.session, _locked_head(), utcnow().replace(microsecond=0))
    db.session.flush()
    return row


def checkpoint_if_moved() -> AuditCheckpoint | None:
    """Sign the head if events were appended since the newest checkpoint (the periodic job), so
    that no event stays unanchored for longer than the job's period; None when nothing moved."""
    head = _locked_head()
    newest = db.session.scalar(select(func.max(AuditCheckpoint.seq)))
    if newest is not None and newest >= head.seq:
        return None
    return make_checkpoint()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    broken_at: int | None = None  # seq of the first bad event
    problem: str | None = None
    # The stored hash of each event asked for (up to the first broken link).
    hashes: dict[int, str] = field(default_factory=dict)


def verify_chain(batch: int = 1000, keep: Iterable[int] = ()) -> ChainReport:
    """Walk every event in order and report the first broken link; keep the hashes of `keep`."""
    wanted, kept = set(keep), {0: GENESIS}
    prev, expected_seq, count, last_seq = GENESIS, 1, 0, 0

    def report(ok: bool, broken_at: int | None = None, problem: str | None = None) -> ChainReport:
        return ChainReport(ok, count, broken_at, problem, kept)

    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return report(False, expected_seq, f"event {expected_seq} is missing")
            if event.prev_hash != prev:
                return report(False, event.seq, f"event {event.seq} does not link to event {event.seq - 1}")
            if event_hash(event) != event.hash:
                return report(False, event.seq, f"event {event.seq} was altered after it was written")
            if event.seq in wanted:
                kept[event.seq] = event.hash
            prev, expected_seq, count, last_seq = event.hash, event.seq + 1, count + 1, event.seq
        db.session.expunge_all()
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != count or head.hash != prev):
        return report(False, count + 1, f"the chain ends at event {count} but the head records event {head.seq}")
    return report(True)

