"""POST /sync/push: a phone's mutations applied in order, each in its own transaction.

Per mutation: claim the next id on the device row (the row lock serialises two pushes from one
phone), allocate the sync version (the lock that orders every writer), run the handler, store
the result in the mutation log, commit. A repeated id answers the stored result; a gap stops
the batch with 409. A mutation that can never succeed is rolled back and then, in a fresh
transaction, kept as `rejected` with its reasons: the queue moves on. A database that is
unavailable or busy answers 503 and advances nothing.
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import bindparam, insert, not_, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ...database import db, utcnow
from ...errors import ApiError
from ...models import Device, Inspection, MutationLog, User
from ...models.sync import allocate_version
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
# Built once: a mutation runs these every time, and building a statement costs more than running it.
_CLAIM = (update(_device)
          .where(_device.c.id == bindparam("device"), _device.c.last_mutation_id == bindparam("previous"))
          .values(last_mutation_id=bindparam("mutation")))
_LAST = select(_device.c.last_mutation_id).where(_device.c.id == bindparam("device"))
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


def push_mutations(user: User, device: Device | None, body: dict[str, Any]) -> dict[str, Any]:
    """Apply the batch; {"lastMutationID", "results"} in the order received."""
    check_envelope(device, body)
    session = PushSession(user=user, device_id=device.id, writer=device.client_id)
    _guarded(_bound_lock_waits)
    _guarded(lambda: db.session.execute(update(_device).where(_device.c.id == device.id).values(
        schema_version=body["schema_version"], app_version=body["app_version"], last_sync_at=utcnow())))
    _guarded(db.session.commit)
    _pin(user)
    results = [_process(session, m) for m in body["mutations"]]
    last = _guarded(lambda: db.session.scalar(_LAST, {"device": device.id}))
    db.session.rollback()
    return {"last_mutation_id": last, "results": results}


def _pin(user: User) -> None:
    """Keep the caller's row, agency and league loaded through the commit after every mutation.

    Detached rows are not expired by a commit, which saves two reloads per mutation; none of the
    three changes during a push (a new agency or role takes effect at the next push).
    """
    agency = user.agency
    league = agency.parent
    for row in (user, agency, league):
        if row is not None:
            db.session.expunge(row)


def _process(session: PushSession, m: dict[str, Any]) -> dict[str, Any]:
    """One mutation in its own transaction; its result (stored for a resent batch)."""
    mutation = REGISTRY[m["name"]]
    for attempt in (1, 2):
        ctx: MutationContext | None = None
        try:
            stored = _claim(session.device_id, m["id"])
            if stored is not None:
                db.session.rollback()
                return stored
            ctx = MutationContext(session, m["id"], m["name"], allocate_version(db.session),
                                  client_time=m.get("client_time"))
            if holds_unstorable_text(m["args"]):  # PostgreSQL text cannot hold it: refuse it here, by name
                raise Rejection(reason("invalid", "Text may not contain NUL or unpaired surrogate characters.",
                                       "文字中含有非法字符。"))
            mutation.handler(ctx, mutation.schema.load(m["args"]))
            result = _applied(ctx)
            _store(session, m, result, ctx.inspection_id, ctx.version)
            db.session.commit()
            return result
        except (Rejection, ApiError, ValidationError) as exc:
            db.session.rollback()
            if isinstance(exc, ApiError) and exc.code == "mutation_out_of_order":
                raise
            return _reject(session, m, reasons_from(exc), ctx.inspection_id if ctx else None)
        except IntegrityError:
            db.session.rollback()
            if attempt == 1:
                continue  # a unique key taken meanwhile: the retry sees the other row and merges
            return _reject(session, m, [reason("duplicate_id", "A record with this id or key already exists.",
                                               "记录编号或键值已存在。", "id")], ctx.inspection_id if ctx else None)
        except Exception as exc:  # noqa: BLE001  (a failure caused by content must not block the queue)
            db.session.rollback()
            if _is_transient(exc):
                raise _unavailable() from exc
            return _unexpected(session, m, exc, ctx)
    raise AssertionError("unreachable")


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


def _claim(device_id: int, mutation_id: int) -> dict[str, Any] | None:
    """Take the device row and advance it to this id; the stored result if it was applied before."""
    _bound_lock_waits()
    claimed = db.session.execute(_CLAIM, {"device": device_id, "previous": mutation_id - 1,
                                          "mutation": mutation_id}).rowcount
    if claimed == 1:
        return None
    last = db.session.scalar(_LAST, {"device": device_id})
    if mutation_id > last:
        db.session.rollback()
        raise ApiError("mutation_out_of_order", f"Mutation {last + 1} is missing; resend from there.",
                       details={"expectedID": last + 1, "lastMutationID": last})
    stored = db.session.scalar(_STORED, {"device": device_id, "mutation": mutation_id})
    return stored or {"id": mutation_id, "status": "applied"}


def _bound_lock_waits() -> None:
    """PostgreSQL waits for a lock for ever; a phone should rather get 503 and retry (SQLite's
    busy timeout does the same there). Once per transaction: SET LOCAL ends with it."""
    if db.engine.dialect.name == "postgresql":
        timeout = int(current_app.config["SYNC_LOCK_TIMEOUT_MS"])
        # On the connection, not the session: a session would autoflush pending writes first.
        db.session.connection().execute(text(f"SET LOCAL lock_timeout = {timeout}"))


def _store(session: PushSession, m: dict[str, Any], result: dict[str, Any], inspection_id: str | None,
           version: int) -> None:
    db.session.execute(_STORE, {
        "device_id": session.device_id, "mutation_id": m["id"], "user_id": session.user.id, "name": m["name"],
        "args": m["args"], "status": result["status"], "result": result, "inspection_id": inspection_id,
        "version": version, "client_time": m.get("client_time"), "created_at": utcnow()})


def _reject(session: PushSession, m: dict[str, Any], reasons: list[dict[str, Any]],
            inspection_id: str | None) -> dict[str, Any]:
    """Keep a mutation that cannot apply, with its reasons, and advance past it (a fresh transaction)."""
    try:
        stored = _claim(session.device_id, m["id"])
        if stored is not None:  # a concurrent push of the same batch got there first
            db.session.rollback()
            return stored
        version = allocate_version(db.session)
        inspection_id = inspection_id or _named_inspection(session.user, m)
        result = {"id": m["id"], "status": "rejected", "reasons": reasons}
        _store(session, m, result, inspection_id, version)
        audit.record(REJECT_ACTION, "mutation", f"{session.writer}:{m['id']}", actor_id=session.user.id,
                     device_id=session.device_id, inspection_id=inspection_id,
                     data={"name": m["name"], "codes": [r["code"] for r in reasons]})
        db.session.commit()
        return result
    except ApiError:
        raise
    except Exception as exc:
        db.session.rollback()
        if _is_transient(exc):
            raise _unavailable() from exc
        raise


def _unexpected(session: PushSession, m: dict[str, Any], exc: Exception, ctx: MutationContext | None):
    current_app.logger.exception("mutation %s %s:%s failed unexpectedly", m["name"], session.writer, m["id"],
                                 exc_info=exc)
    return _reject(session, m, [reason("server_error", "The server could not apply this change; it is kept for "
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
