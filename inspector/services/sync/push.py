"""POST /sync/push: a phone's mutations applied in order, in one transaction per push.

The device row is taken first (UPDATE ... RETURNING its last mutation id: the row lock
serialises two pushes from one phone). A mutation that can never succeed is kept as `rejected`
with its reasons, in the same transaction, and the queue moves on. A repeated id answers the
stored result; a gap stops the batch with 409 (the mutations before it are committed).

Two tries. The first applies the mutations straight in the transaction: a push of a checklist's
answers then costs a few statements in all (the findings flushed together at the end), not a
SAVEPOINT, an INSERT and a RELEASE each. Nearly every push applies whole. If anything else
happens in it (a rejection, an error, a key taken meanwhile, a busy database), the first try is
rolled back whole and the push runs again with each mutation in a savepoint of its own, where a
mutation that fails rolls back alone. The outcome is the same either way; the second try is the
one that decides it.

Commit order without a global lock during the work. The transaction is *late*
(models/sync.py): while the handlers run, its rows carry the placeholder version PENDING and
its audit events wait in the session. Its last statements take the sync version (the
`sync_state` row lock) and put it in place of PENDING (one UPDATE per table written, the
field_meta marks included), write the mutation log, and chain the audit events (the audit
head's row lock), then commit. Both global locks are held from there to the commit, never
through the Python work, and versions and audit sequence numbers are still handed out in commit
order: a pull that sees version V sees every row stamped <= V.

A database that is unavailable or busy answers 503: the mutations before the failing one are
committed if the database still allows it, the failing one and those after it are not, and
`lastMutationID` (in a pull) says how far the push got.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import bindparam, insert, not_, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ...database import db, utcnow
from ...errors import ApiError
from ...models import Device, Inspection, MutationLog, User
from ...models.sync import defer_version, stamp_version, take_version, transaction_version
from ...schemas.base import UUID_STR, holds_unstorable_text
from ...schemas.sync import MAX_MUTATIONS
from .. import audit
from ..scope import inspection_scope
from .context import MutationContext, PushSession, Rejection, check_client, reason, reasons_from
from .mutations import REGISTRY
from .rejections import REJECT_ACTION

RETRY_AFTER_SECONDS = 5
MAX_PUSH_BYTES = 1024 * 1024
# A mutation's args nest a few levels (party licences: args.fields.licences[0].kind); far deeper
# args could be parsed but not stored in the mutation log, which would be a 500.
MAX_ARGS_DEPTH = 32
_device = Device.__table__
_log = MutationLog.__table__
# Built once: building a statement costs more than running it.
_STORED = select(_log.c.result).where(_log.c.device_id == bindparam("device"),
                                      _log.c.mutation_id == bindparam("mutation"))
_STORE = insert(_log)


def check_envelope(device: Device | None, body: dict[str, Any]) -> None:
    """The push is this phone's, in a schema and with mutations this server knows."""
    check_client(device, body)
    if len(body["mutations"]) > MAX_MUTATIONS:
        raise ApiError("too_large", f"At most {MAX_MUTATIONS} mutations per push.",
                       details={"maxMutations": MAX_MUTATIONS})
    if any(_deeper_than(m["args"], MAX_ARGS_DEPTH) for m in body["mutations"]):
        raise ApiError("invalid_json", f"Mutation args may nest at most {MAX_ARGS_DEPTH} levels.",
                       details={"maxDepth": MAX_ARGS_DEPTH})
    unknown = sorted({m["name"] for m in body["mutations"] if m["name"] not in REGISTRY})
    if unknown:
        raise ApiError("version_not_supported", f"Unknown mutation: {', '.join(unknown)}. Update the app.",
                       details={"versionType": "mutation", "names": unknown})


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether JSON objects and arrays nest in `value` more than `limit` levels (without recursion)."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(limit):
        level = [v for c in level for v in (c.values() if isinstance(c, dict) else c) if isinstance(v, (dict, list))]
    return bool(level)


@dataclass
class _Batch:
    """One push being applied: how far the device has got, and the mutation log rows to write."""

    session: PushSession
    last: int
    savepoints: bool  # each mutation in a savepoint of its own (the second try), or none (the first)
    logs: list[dict[str, Any]] = field(default_factory=list)

    def keep(self, m: dict[str, Any], result: dict[str, Any], inspection_id: str | None) -> None:
        self.last = m["id"]
        self.logs.append({
            "device_id": self.session.device_id, "mutation_id": m["id"], "user_id": self.session.user.id,
            "name": m["name"], "args": m["args"], "status": result["status"], "result": result,
            "inspection_id": inspection_id, "client_time": m.get("client_time"), "created_at": utcnow()})


class _Busy(Exception):
    """A transient database failure inside the batch (the failing mutation is undone)."""


class _Redo(Exception):
    """The first try met something other than a clean apply: it is rolled back, the second begins."""


def push_mutations(user: User, device: Device | None, body: dict[str, Any]) -> dict[str, Any]:
    """Apply the batch; {"lastMutationID", "results"} in the order received."""
    check_envelope(device, body)
    try:
        try:
            return _apply(user, device, body, savepoints=False)
        except _Redo:
            db.session.rollback()
            audit.end_late()
        return _apply(user, device, body, savepoints=True)
    finally:
        audit.end_late()


def _apply(user: User, device: Device, body: dict[str, Any], savepoints: bool) -> dict[str, Any]:
    """One try of the push, to its commit (see the module's docstring)."""
    session = PushSession(user=user, device_id=device.id, writer=device.client_id)
    batch = _Batch(session, _guarded(lambda: _open(device, body)), savepoints)
    _pin(user)
    results = []
    try:
        for m in body["mutations"]:
            if m["id"] <= batch.last:
                results.append(_guarded(lambda: _stored(session.device_id, m["id"])))  # noqa: B023 (called at once)
                continue
            if m["id"] > batch.last + 1:
                _commit(batch)
                raise ApiError("mutation_out_of_order", f"Mutation {batch.last + 1} is missing; resend from there.",
                               details={"expectedID": batch.last + 1, "lastMutationID": batch.last})
            results.append(_process(batch, m) if savepoints else _process_plain(batch, m))
    except _Busy as exc:
        _keep_what_was_done(batch)
        raise _unavailable() from exc.__cause__
    _commit(batch)
    return {"last_mutation_id": batch.last, "results": results}


def _open(device: Device, body: dict[str, Any]) -> int:
    """Begin the push's late transaction: take the device row, note the app, read how far it got."""
    defer_version(db.session)
    audit.defer()
    _bound_lock_waits()
    return db.session.execute(update(_device).where(_device.c.id == device.id).values(
        schema_version=body["schema_version"], app_version=body["app_version"], last_sync_at=utcnow())
        .returning(_device.c.last_mutation_id)).scalar_one()


def _stored(device_id: int, mutation_id: int) -> dict[str, Any]:
    stored = db.session.scalar(_STORED, {"device": device_id, "mutation": mutation_id})
    return stored or {"id": mutation_id, "status": "applied"}


def _finish(batch: _Batch) -> None:
    """The push's last statements: the device's progress, then the version and the audit chain,
    whose locks are held from here to the commit.

    Under the locks every other writer waits, and on a busy machine each round trip to the
    database may cost a wait for a core too (the holder's process, then its backend). So the
    locks are taken first, the only two statements whose answers are needed (the version, the
    audit head), and the writes that follow go in the connection's pipeline on PostgreSQL: sent
    on without waiting, answered together. Four round trips under the locks with the commit.
    """
    if not batch.logs:
        return
    db.session.execute(update(_device).where(_device.c.id == batch.session.device_id)
                       .values(last_mutation_id=batch.last))
    version = take_version(db.session)
    events = audit.chain_pending()
    with _pipelined():
        stamp_version(db.session, version)
        db.session.execute(_STORE, [{**log, "version": version} for log in batch.logs])
        audit.write_chained(events)


@contextmanager
def _pipelined():
    """psycopg's pipeline mode on PostgreSQL (statements sent on without waiting for their
    results; a result asked for, or the block's end, waits for all before it); nothing on SQLite."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    import psycopg

    try:
        with db.session.connection().connection.driver_connection.pipeline():
            yield
    except psycopg.OperationalError as exc:  # raised at the block's end, past SQLAlchemy's wrapping
        raise OperationalError("(pipelined writes)", None, exc) from exc


def _commit(batch: _Batch) -> None:
    try:
        _finish(batch)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if not batch.savepoints:
            raise _Redo() from exc  # (a key taken meanwhile shows at the last flush: the second try merges)
        if _is_transient(exc):
            raise _unavailable() from exc
        raise


def _keep_what_was_done(batch: _Batch) -> None:
    """After a transient failure: commit the mutations before it if the database lets us."""
    try:
        _finish(batch)
        db.session.commit()
    except Exception:  # noqa: BLE001  (the phone retries; lastMutationID says what was kept)
        db.session.rollback()


def _pin(user: User) -> None:
    """Keep the caller's row, agency and league loaded through the push, out of the session
    (already out of it in a second try).

    None of the three changes during a push (a new agency or role takes effect at the next push).
    """
    agency = user.agency
    league = agency.parent
    for row in (user, agency, league):
        if row is not None and row in db.session:
            db.session.expunge(row)


def _context(batch: _Batch, m: dict[str, Any]) -> MutationContext:
    return MutationContext(batch.session, m["id"], m["name"], transaction_version(db.session),
                           client_time=m.get("client_time"))


def _run(ctx: MutationContext, m: dict[str, Any]) -> dict[str, Any]:
    """The mutation's handler; the result of its clean apply (anything else raises)."""
    if holds_unstorable_text(m["args"]):  # PostgreSQL text cannot hold it: refuse it here, by name
        raise Rejection(reason("invalid", "Text may not contain NUL or unpaired surrogate characters.",
                               "文字中含有非法字符。"))
    mutation = REGISTRY[m["name"]]
    mutation.handler(ctx, mutation.schema.load(m["args"]))
    return _applied(ctx)


def _kept(batch: _Batch, m: dict[str, Any], ctx: MutationContext, result: dict[str, Any]) -> dict[str, Any]:
    if m["name"].startswith("inspection."):
        batch.session.forget_reads()  # its status, inspectors or deletion may have changed
    batch.keep(m, result, ctx.inspection_id)
    return result


def _process_plain(batch: _Batch, m: dict[str, Any]) -> dict[str, Any]:
    """The first try: one mutation straight in the transaction (its rows are flushed with later
    ones). Anything but a clean apply ends the try (_Redo)."""
    try:
        ctx = _context(batch, m)
        result = _run(ctx, m)
    except Exception as exc:
        raise _Redo() from exc
    return _kept(batch, m, ctx, result)


def _process(batch: _Batch, m: dict[str, Any]) -> dict[str, Any]:
    """The second try: one mutation in a savepoint of its own; its result (kept for a resent batch)."""
    for attempt in (1, 2):
        ctx: MutationContext | None = None
        mark = len(audit.pending())
        savepoint = _step(db.session.begin_nested)
        try:
            ctx = _context(batch, m)
            result = _run(ctx, m)
            savepoint.commit()
            return _kept(batch, m, ctx, result)
        except (Rejection, ApiError, ValidationError) as exc:
            _undo(batch, savepoint, mark)
            return _reject(batch, m, reasons_from(exc), ctx.inspection_id if ctx else None)
        except IntegrityError:
            _undo(batch, savepoint, mark)
            if attempt == 1:
                continue  # a unique key taken meanwhile: the retry sees the other row and merges
            return _reject(batch, m, [reason("duplicate_id", "A record with this id or key already exists.",
                                             "记录编号或键值已存在。", "id")], ctx.inspection_id if ctx else None)
        except Exception as exc:  # noqa: BLE001  (a failure caused by content must not block the queue)
            _undo(batch, savepoint, mark)
            if _is_transient(exc):
                raise _Busy() from exc
            return _unexpected(batch, m, exc, ctx)
    raise AssertionError("unreachable")


def _step(work):
    """A statement between mutations: a transient failure is _Busy."""
    try:
        return work()
    except Exception as exc:
        if _is_transient(exc):
            raise _Busy() from exc
        raise


def _undo(batch: _Batch, savepoint, mark: int) -> None:
    """Roll the mutation's savepoint back, and forget the audit events and cases it read."""
    audit.forget_since(mark)
    batch.session.forget_reads()
    _step(savepoint.rollback)


def _applied(ctx: MutationContext) -> dict[str, Any]:
    """The result of an applied mutation. Opened conflicts are audited, and so is an attempt that
    changed nothing (the same value again), so that every applied mutation leaves an event."""
    if not ctx.conflicts:
        if not ctx.audited:
            ctx.audit(ctx.name.rsplit(".", 1)[0], "mutation", f"{ctx.writer}:{ctx.mutation_id}", {"changed": False})
        return {"id": ctx.mutation_id, "status": "applied"}
    db.session.flush()
    refs = [{"id": c.id, "entity_type": c.entity_type, "entity_id": c.entity_id, "field": c.field}
            for c in ctx.conflicts]
    ctx.audit("sync.conflict", "conflict", refs[0]["id"], {"conflicts": refs})
    return {"id": ctx.mutation_id, "status": "applied_with_conflict", "conflicts": refs}


def _bound_lock_waits() -> None:
    """PostgreSQL waits for a lock for ever; a phone should rather get 503 and retry (SQLite's
    busy timeout does the same there). Once per transaction: SET LOCAL ends with it."""
    if db.engine.dialect.name == "postgresql":
        timeout = int(current_app.config["SYNC_LOCK_TIMEOUT_MS"])
        # On the connection, not the session: a session would autoflush pending writes first.
        db.session.connection().execute(text(f"SET LOCAL lock_timeout = {timeout}"))


def _reject(batch: _Batch, m: dict[str, Any], reasons: list[dict[str, Any]],
            inspection_id: str | None) -> dict[str, Any]:
    """Keep a mutation that cannot apply, with its reasons, and advance past it."""
    session = batch.session
    inspection_id = inspection_id or _step(lambda: _named_inspection(session.user, m))
    result = {"id": m["id"], "status": "rejected", "reasons": reasons}
    audit.record(REJECT_ACTION, "mutation", f"{session.writer}:{m['id']}", actor_id=session.user.id,
                 device_id=session.device_id, inspection_id=inspection_id,
                 data={"name": m["name"], "codes": [r["code"] for r in reasons]})
    batch.keep(m, result, inspection_id)
    return result


def _unexpected(batch: _Batch, m: dict[str, Any], exc: Exception, ctx: MutationContext | None):
    current_app.logger.exception("mutation %s %s:%s failed unexpectedly", m["name"], batch.session.writer,
                                 m["id"], exc_info=exc)
    return _reject(batch, m, [reason("server_error", "The server could not apply this change; it is kept for "
                                     "an administrator.", "服务器无法处理此项修改，已保存待管理员处理。")],
                   ctx.inspection_id if ctx else None)


def _named_inspection(user: User, m: dict[str, Any]) -> str | None:
    """The inspection a mutation's raw args name, for showing a rejection on the case; None when
    that case is outside the pusher's scope: an outsider's payload, name and phone must not be
    filed with a case he may not see (its people would read them, and its case file would print
    them), so his rejection stays with him alone."""
    args = m["args"]
    candidate = args.get("inspectionID") or (args.get("id") if m["name"].startswith("inspection.") else None)
    # Only a well-formed id: the raw args are unchecked, and NUL would fail the insert on PostgreSQL.
    if not (isinstance(candidate, str) and UUID_STR.regex.match(candidate)):
        return None
    # One query, and only for a rejection; a case not yet created is named (its creator's own).
    outside = db.session.scalar(select(Inspection.id).where(Inspection.id == candidate,
                                                            not_(inspection_scope(user))))
    return None if outside is not None else candidate


def _is_transient(exc: BaseException) -> bool:
    """Database unavailable, a lock or statement timeout, a serialisation failure: worth retrying."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _unavailable() -> ApiError:
    return ApiError("unavailable", "The database is busy or unavailable; nothing was changed. Retry shortly.",
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                    details={"retryAfterSeconds": RETRY_AFTER_SECONDS})


def _guarded(step):
    """A step outside any mutation: a transient database failure answers 503."""
    try:
        return step()
    except Exception as exc:
        if _is_transient(exc):
            db.session.rollback()
            raise _unavailable() from exc
        raise
