"""POST /sync/pull: every change in the caller's scope since their cursor, from one snapshot.

Rows are ordered by (version, type, id). Versions are handed out under a row lock held to
commit (models/sync.py), so a snapshot that sees version V sees every row at or below V: the
cursor never skips a row committed out of order. A page ends at a (version, type, id)
position, so rows sharing one version may span pages without loss or repeat.

What a user pulls: all agencies, the inspectors of their league (colleagues), published (and
retired) templates, the parties of their jurisdiction and of their cases, the cases they are an
inspector on with every part, decision, conflict, lab result and 责令改正通知书 of them, and their
rejected mutations.
Leaving a case arrives as `del` (ScopeExit); a new agency or role answers a reset.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable

from sqlalchemy import (
    ColumnElement, String, and_, delete, distinct, exists, false, func, or_, select, true, tuple_, update,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select, operators
from sqlalchemy.sql.elements import UnaryExpression

from ...database import db, utcnow, write_intent
from ...models import (
    Agency, Blob, ChecklistTemplate, Conflict, Device, Finding, Inspection, InspectionInspector, LabReport,
    MutationLog, Party, Photo, RectificationOrder, ReviewDecision, Sample, SampleLab, ScopeExit, Signature,
    SyncState, Task, TaskAssignee, User,
)
from ...models.sync import current_version
from ...schemas.sync import MAX_BIG, MAX_INT, VALUE_SCHEMAS
from ..scope import agency_subtree, colleague_filter, held_by_case, inspection_scope, party_scope
from ..tasks import mark_delivered
from .case_clock_source import case_clock_source
from .context import check_client
from .cursor import START, Cursor, decode, encode, scope_hash

TEMPLATE_STATUSES = ("published", "retired")  # retired ones still render the cases made with them
STAMP_SECONDS = 60
# The kinds of row that belong to one case (case_sources): a round sends them case by case.
CASE_TYPES = frozenset({"inspection", "finding", "sample", "photo", "signature", "lab_result", "rectification",
                        "case_clock", "decision", "conflict"})
DENSE_TYPES = ("finding",)  # 13–30 a case: their page end bounds what the other kinds must read

Entry = tuple[int, str, Any, Any, str, Any]  # version, type, sort key, wire id, op, value source


@dataclass(frozen=True)
class Source:
    """One kind of row a pull sends: its query within scope, how it is keyed and what it sends."""

    type: str
    model: Any  # the model (or table) whose `version` orders the rows
    keys: tuple[Any, ...]
    query: Select
    entry: Callable[[Any], tuple[Any, Any, str, Any]]  # row -> (sort key, wire id, op, value source)
    live: ColumnElement[bool]  # rows sent as "put"; the others are tombstones
    case: Any = None  # for a case or a part of one: the column naming the case (NULL: not a case's row)


@dataclass
class PhotoRow:
    """A photo with whether its bytes have arrived and passed every check, the full decode included
    (`uploaded`: the phone may delete its original), and the state of that decode (`processing`:
    "pending", "ready", "failed" with `processing_error`; None before the bytes arrive)."""

    photo: Photo
    uploaded: bool
    processing: str | None = None
    processing_error: str | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.photo, name)


def _photo_row(row: Any) -> PhotoRow:
    photo, _live, held, processing, processing_error = row
    if not held:
        return PhotoRow(photo, False)
    return PhotoRow(photo, processing == "ready", processing, processing_error)


@dataclass
class RejectionRow:
    """A rejected mutation with the client id of the phone that sent it."""

    log: MutationLog
    client_id: str

    @property
    def reasons(self) -> list[dict[str, Any]]:
        return self.log.result.get("reasons", [])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.log, name)


def _put_unless_deleted() -> Callable[[Any], tuple[Any, Any, str, Any]]:
    """The entry of a row keyed by its id: `del` for a tombstone, `put` otherwise. A part of a case
    (selected with `_case_live()` second) is a tombstone too when its case was deleted."""

    def entry(row: Any) -> tuple[Any, Any, str, Any]:
        obj = row[0]
        case_deleted = len(row) > 1 and not row[1]
        return obj.id, obj.id, "del" if obj.deleted_at is not None or case_deleted else "put", obj

    return entry


def _case_live() -> ColumnElement[bool]:
    """Whether the joined case is live (a party's conflict has none: live). No part of a case goes
    to a phone without its case: a deleted draft's parts are sent as `del`, on a fresh pull not at all."""
    return Inspection.deleted_at.is_(None).label("case_live")


def _live_in_live_case(model: Any) -> ColumnElement[bool]:
    return and_(model.deleted_at.is_(None), Inspection.deleted_at.is_(None))


@dataclass(frozen=True)
class UserCases:
    """The cases the user is an inspector on (within scope), and their parties.

    On SQLite they are read once a page and bound as one JSON array each (`json_each`). As
    subqueries, SQLite walked every case of the user for every kind of row, twice a page, checking
    its scope each time, so a page cost what the user's history holds; as lists of bound values,
    rendering them cost as much. PostgreSQL plans the subqueries well.
    """

    query: Select | None
    ids_json: str | None = None
    party_ids_json: str | None = None
    ids: tuple[str, ...] | None = None  # a few cases of the case walk, named one by one

    @classmethod
    def these(cls, ids: list[str]) -> "UserCases":
        """A few of the user's cases, as the case walk takes them (their scope checked already)."""
        return cls(None, ids=tuple(ids))

    @classmethod
    def of(cls, user: User) -> "UserCases":
        member = select(InspectionInspector.inspection_id).where(InspectionInspector.user_id == user.id)
        query = select(Inspection.id).where(inspection_scope(user), Inspection.id.in_(member))
        if not _on_sqlite():
            return cls(query)
        if not user.active:
            return cls(query, "[]", "[]")
        # An inspector on a case always sees it (inspection_scope), so membership alone decides here.
        # The arrays are made by SQLite (json_group_array): a Python object per case and page made
        # the garbage collector's work grow with the user's cases.
        mine = InspectionInspector.user_id == user.id
        ids_json = db.session.scalar(select(func.json_group_array(InspectionInspector.inspection_id)).where(mine))
        outside_json = db.session.scalar(
            select(func.json_group_array(distinct(Party.id)))
            .select_from(InspectionInspector)
            .join(Inspection, Inspection.id == InspectionInspector.inspection_id)
            .join(Party, Party.id == Inspection.party_id)
            .where(mine, Party.agency_id.not_in(agency_subtree(user))))
        return cls(query, ids_json, outside_json)

    def on(self, column: Any) -> ColumnElement[bool]:
        """The condition that a case id (`column`) is one of these cases."""
        if self.ids is not None:
            return _one_of(column, list(self.ids))
        return column.in_(self.query if self.ids_json is None else _json_values(self.ids_json))

    def join_on(self, column: Any) -> ColumnElement[bool]:
        """The join of a part of a case (by its case id `column`) to its case. On SQLite the column is
        wrapped (`+column`) so that the planner seeks the part's own (case, version) index for each
        case id rather than first looking every case up in `inspection` (twice the seeks a page)."""
        if self.ids_json is None:
            return Inspection.id == column
        return Inspection.id == UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)

    def parties(self) -> Select | None:
        """The parties of these cases outside the user's jurisdiction (party_scope has the others
        anyway), or None where party_scope's own subquery serves."""
        return None if self.party_ids_json is None else _json_values(self.party_ids_json)


def _on_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _json_values(array_json: str) -> Select:
    return select(func.json_each(array_json).table_valued("value").c.value)


def _one_of(column: Any, values: list[Any]) -> ColumnElement[bool]:
    """`column IN values`; on SQLite as one JSON array, so that the planner looks the rows up by
    these keys rather than walking the user's cases (it cannot tell a list's size from `json_each`'s)."""
    if _on_sqlite():
        return column.in_(_json_values(json.dumps(values)))
    return column.in_(values)


def sources(user: User) -> list[Source]:
    """Every kind of row in the user's pull scope."""
    cases = UserCases.of(user)
    return _other_sources(user, cases) + case_sources(user, cases)


def case_sources(user: User, cases: UserCases) -> list[Source]:
    """The kinds of row that belong to one case: the case itself and its parts (each with `case`)."""

    def children(model: Any, kind: str) -> Source:
        return Source(kind, model, (model.id,), select(model, _case_live()).join(
            Inspection, cases.join_on(model.inspection_id)).where(cases.on(model.inspection_id)),
            _put_unless_deleted(), _live_in_live_case(model), model.inspection_id)

    def part(kind: str, model: Any, query: Select) -> Source:
        return Source(kind, model, (model.id,), query, _put_unless_deleted(), _live_in_live_case(model),
                      model.inspection_id)

    of_cases = cases.on(Conflict.inspection_id)
    if cases.ids is None:  # a conflict over a party belongs to no case: the version walk sends it
        of_cases = or_(of_cases, and_(Conflict.entity_type == "party",
                                      Conflict.entity_id.in_(select(Party.id).where(party_scope(user)))))
    return [
        Source("inspection", Inspection, (Inspection.id,),
               select(Inspection).where(cases.on(Inspection.id)).options(
                   selectinload(Inspection.inspectors).selectinload(InspectionInspector.user)),
               _put_unless_deleted(), Inspection.deleted_at.is_(None), Inspection.id),
        children(Finding, "finding"),
        children(Sample, "sample"),
        Source("photo", Photo, (Photo.id,),
               select(Photo, _case_live(), held_by_case(Photo.sha256, Photo).label("uploaded"),
                      Blob.processing, Blob.processing_error)
               .join(Inspection, cases.join_on(Photo.inspection_id))
               .outerjoin(Blob, Blob.sha256 == Photo.sha256).where(cases.on(Photo.inspection_id)),
               lambda row: (row[0].id, row[0].id, "del" if row[0].deleted_at or not row[1] else "put",
                            _photo_row(row)),
               _live_in_live_case(Photo), Photo.inspection_id),
        children(Signature, "signature"),
        # A sample's lab life (status, reports, 复检 deadline), read-only on the phone (SMP-O2).
        part("lab_result", SampleLab,
             select(SampleLab, _case_live()).join(Inspection, cases.join_on(SampleLab.inspection_id))
             .where(cases.on(SampleLab.inspection_id))
             .options(selectinload(SampleLab.reports).selectinload(LabReport.items),
                      selectinload(SampleLab.submissions))),
        # The case's 责令改正通知书 (status, 文号, due date, 送达), read-only on the phone: both inspectors
        # see an order either of them issued, and a reinstalled phone sees it again.
        part("rectification", RectificationOrder,
             select(RectificationOrder, _case_live())
             .join(Inspection, cases.join_on(RectificationOrder.inspection_id))
             .where(cases.on(RectificationOrder.inspection_id))
             .options(selectinload(RectificationOrder.signatures))),
        # The case clocks of the user's cases (立案 decision, 先行登记保存 …), read-only (CASE-O1).
        case_clock_source(Source, cases, _case_live()),
        part("decision", ReviewDecision,
             select(ReviewDecision, _case_live()).join(Inspection, cases.join_on(ReviewDecision.inspection_id))
             .where(cases.on(ReviewDecision.inspection_id)).options(selectinload(ReviewDecision.reviewer))),
        part("conflict", Conflict,
             select(Conflict, _case_live()).outerjoin(Inspection, cases.join_on(Conflict.inspection_id))
             .where(of_cases)),
    ]


def _other_sources(user: User, cases: UserCases) -> list[Source]:
    """The kinds of row that belong to no one case (agencies, colleagues, parties, tasks …), and
    the cases' scope exits."""
    colleague = colleague_filter(user)

    def exits(kind: str) -> Source:
        return Source(kind, ScopeExit, (ScopeExit.entity_id,),
                      select(ScopeExit).where(ScopeExit.user_id == user.id, ScopeExit.entity_type == kind),
                      lambda row: (row[0].entity_id, row[0].entity_id, "del", None), false())

    on_task = exists().where(TaskAssignee.task_id == Task.id, TaskAssignee.user_id == user.id,
                             TaskAssignee.recused.is_(False))
    ever_on_task = select(TaskAssignee.task_id).where(TaskAssignee.user_id == user.id)
    live_task = and_(Task.deleted_at.is_(None), on_task)
    return [
        Source("agency", Agency, (Agency.id,), select(Agency), _put_unless_deleted(), Agency.deleted_at.is_(None)),
        Source("colleague", User, (User.id,), select(User, colleague).join(Agency, Agency.id == User.agency_id),
               lambda row: (row[0].id, row[0].id, "put" if row[1] else "del", row[0]), colleague),
        Source("template", ChecklistTemplate, (ChecklistTemplate.id,),
               select(ChecklistTemplate).where(ChecklistTemplate.status.in_(TEMPLATE_STATUSES)),
               _put_unless_deleted(), ChecklistTemplate.deleted_at.is_(None)),
        Source("party", Party, (Party.id,), select(Party).where(party_scope(user, cases.parties())),
               _put_unless_deleted(), Party.deleted_at.is_(None)),
        exits("party"),
        exits("inspection"),
        # A task the user is on; taken off it (回避, 改派) it arrives as `del`.
        Source("task", Task, (Task.id,),
               select(Task, live_task.label("live")).where(Task.id.in_(ever_on_task)).options(
                   selectinload(Task.assignees).selectinload(TaskAssignee.user), selectinload(Task.party)),
               lambda row: (row[0].id, row[0].id, "put" if row[1] else "del", row[0]), live_task),
        Source("rejection", MutationLog, (MutationLog.device_id, MutationLog.mutation_id),
               select(MutationLog, Device.client_id).join(Device, Device.id == MutationLog.device_id)
               .where(MutationLog.user_id == user.id, MutationLog.status == "rejected"),
               lambda row: ((row[0].device_id, row[0].mutation_id), f"{row[1]}:{row[0].mutation_id}", "put",
                            RejectionRow(row[0], row[1])), MutationLog.status == "rejected"),
    ]


def _after(source: Source, position: tuple[int, str | None, Any]) -> ColumnElement[bool]:
    """Rows of this source strictly after the position in (version, type, key) order."""
    version, kind, key = position
    column = source.model.version
    if kind is None or source.type < kind:
        return column > version
    if source.type > kind:
        return column >= version
    keys = _code_point_order(source.keys)
    later_key = (tuple_(*keys) > tuple_(*key)) if len(keys) > 1 else (keys[0] > key)
    # The first term is implied by the second; it is there so an index on (scope, version) can seek.
    return and_(column >= version, or_(column > version, and_(column == version, later_key)))


def _code_point_order(keys: tuple[Any, ...]) -> list[Any]:
    """The keys, with text compared by code point as Python sorts a page (and SQLite compares).

    A PostgreSQL database's collation (zh-CN, en-US) puts "0a…" before "0B…"; a page cut between
    two such ids of one version would then ask for rows after the wrong one and skip a row.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return list(keys)
    return [key.collate("C") if isinstance(key.type, String) else key for key in keys]


def collect(user: User, position: tuple[int, str | None, Any], round_start: int | None, limit: int,
            span: int | None = None) -> list[Entry]:
    """Up to limit + 1 entries after the position, in order (one more tells that there is more).

    Two steps, so a page costs what it keeps: first each source's next positions (version and
    key only), merged to the page's limit + 1; then only those rows, loaded whole. Loading
    limit + 1 whole rows of every kind and dropping most of them made a pull's cost grow with the
    database. `span`, the versions the previous page covered, is a guess of where this one ends:
    the positions are first read up to twice as far, and past it only if that held less than a page.
    """
    every = sources(user)  # a type may have two sources (its rows and its scope exits)
    guess = None if span is None else min(position[0] + 2 * span, MAX_BIG)
    kept = _positions(every, position, round_start, limit, guess)
    if guess is not None and len(kept) <= limit:
        kept += _positions(every, (guess, None, None), round_start, limit, None)[:limit + 1 - len(kept)]
    wanted: dict[int, list[Any]] = {}
    for _version, _kind, key, index in kept:
        wanted.setdefault(index, []).append(key)
    kept_set = {(version, index, key) for version, _kind, key, index in kept}
    entries: list[Entry] = []
    for index, keys in wanted.items():
        source = every[index]
        chosen = _one_of(source.keys[0], keys) if len(source.keys) == 1 else tuple_(*source.keys).in_(keys)
        for row in db.session.execute(_after_position(source, position, round_start).where(chosen)):
            key, wire_id, op, value = source.entry(row)
            if (row[0].version, index, key) in kept_set:  # an older row of the same key is not this page's
                entries.append((row[0].version, source.type, key, wire_id, op, value))
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    return entries


@lru_cache(maxsize=None)
def _version_indexed(model: Any) -> bool:
    """Whether the model's table has an index led by `version`, so that asking whether any row lies
    in a version window costs one index seek."""
    return any(next(iter(index.columns)).name == "version" for index in model.__table__.indexes)


def _positions(every: list[Source], position: tuple[int, str | None, Any], round_start: int | None, limit: int,
               bound: int | None) -> list[tuple[int, str, Any, int]]:
    """The first limit + 1 (version, type, key, source index) after the position, at or below `bound`.

    The densest kind is asked first: once limit + 1 positions are known, the other kinds are read
    only up to the last one's version, rather than every row of theirs after the position (sorted,
    to keep the first few). A kind with no row of anyone's in the window (its version index tells
    at once) is not queried: the scoped query walks the user's cases even when it finds nothing.
    """
    positions: list[tuple[int, str, Any, int]] = []
    for index in sorted(range(len(every)), key=lambda i: every[i].type not in DENSE_TYPES):
        source = every[index]
        below = true() if bound is None else source.model.version <= bound
        if _version_indexed(source.model) and db.session.scalar(
                select(source.model.version).where(_after(source, _past_walk(source, position, round_start)), below)
                .limit(1)) is None:
            continue
        keys = _code_point_order(source.keys)
        stmt = _after_position(source, position, round_start).where(below).with_only_columns(
            source.model.version, *source.keys)
        for version, *key in db.session.execute(stmt.order_by(source.model.version, *keys).limit(limit + 1)):
            positions.append((version, source.type, key[0] if len(key) == 1 else tuple(key), index))
        if len(positions) > limit:
            positions.sort()
            del positions[limit + 1:]
            bound = positions[-1][0]
    positions.sort()
    return positions


def _after_position(source: Source, position: tuple[int, str | None, Any], round_start: int | None) -> Select:
    stmt = source.query.where(_after(source, _past_walk(source, position, round_start)))
    if round_start is not None:  # the phone just cleared its copy: its tombstones are moot
        stmt = stmt.where(or_(source.live, source.model.version > round_start))
        if source.case is not None and source.case.expression.nullable:  # some rows belong to no case
            stmt = stmt.where(or_(source.model.version > round_start, source.case.is_(None)))
    return stmt


def _past_walk(source: Source, position: tuple[int, str | None, Any],
               round_start: int | None) -> tuple[int, str | None, Any]:
    """Where a round's version walk starts for this source: a case's rows as they were at the
    round's start came whole case by whole case before it; only later changes remain. (One lower
    bound: given two on one column, SQLite seeks by one and reads every row up to the other.)"""
    if round_start is None or source.case is None or source.case.expression.nullable or position[0] > round_start:
        return position
    return round_start, None, None


# ---------------------------------------------------------------- the case walk of a round

CASE_BATCH = 16  # cases read first for a page of the case walk; later reads go by the rows a case had


def _case_walk(user: User, after: tuple[Any, ...], round_start: int, limit: int) -> tuple[list[Walked], bool]:
    """Up to limit + 1 rows of the user's cases as they were at the round's start, whole case after
    whole case in case id order, after `after` ((case id, type, key); () for the walk's start);
    and whether the walk has reached its end.

    A phone that starts afresh gets its cases this way rather than in version order: a page then
    costs what it holds, not what the user's history holds (in version order each page asked every
    case of the user for its rows), and what has arrived are whole cases. Rows changed since the
    round began (a case left, deleted, joined, edited) come in the version walk that follows."""
    if not user.active:
        return [], True
    walked: list[Walked] = []
    last, inclusive = (after[0], True) if after else (None, False)
    cases_read = rows_read = 0
    while len(walked) <= limit:  # left with a page's worth and one more, or at the walk's end
        wanted = CASE_BATCH if not rows_read else -(-(limit + 1 - len(walked)) * cases_read // rows_read)
        ids = _next_cases(user, last, inclusive, max(wanted, 1))
        if not ids:
            break
        rows = _case_rows(user, ids, round_start)
        cases_read, rows_read = cases_read + len(ids), rows_read + len(rows)
        if inclusive:  # the case the last page ended in: only what it did not send
            rows = [w for w in rows if w[0] != after[0] or (w[1], w[2]) > (_in_case_order(after[1]), after[2])]
        walked += rows
        last, inclusive = ids[-1], False
    walked.sort(key=lambda w: w[:3])
    return walked[:limit + 1], len(walked) <= limit


Walked = tuple[str, tuple[bool, str], Any, Entry]  # case id, order of the type in a case, key, entry


def _in_case_order(kind: str) -> tuple[bool, str]:
    """Within a case: the case first, then its parts by type."""
    return kind != "inspection", kind


def _next_cases(user: User, after: str | None, inclusive: bool, count: int) -> list[str]:
    """The ids of the user's next `count` cases after `after`, by code point (as Python sorts)."""
    column = _code_point_order((InspectionInspector.inspection_id,))[0]
    stmt = select(InspectionInspector.inspection_id).where(InspectionInspector.user_id == user.id)
    if after is not None:
        stmt = stmt.where(column >= after if inclusive else column > after)
    return list(db.session.scalars(stmt.order_by(column).limit(count)))


def _case_rows(user: User, ids: list[str], round_start: int) -> list[Walked]:
    """Every live row of these cases at or below the round's start."""
    rows: list[Walked] = []
    for source in case_sources(user, UserCases.these(ids)):
        stmt = source.query.where(source.live, source.model.version <= round_start)
        for row in db.session.execute(stmt):
            key, wire_id, op, value = source.entry(row)
            entry = (row[0].version, source.type, key, wire_id, op, value)
            rows.append((getattr(row[0], source.case.key), _in_case_order(source.type), key, entry))
    return rows


def pull_changes(user: User, device: Device | None, body: dict[str, Any]) -> dict[str, Any]:
    """One page of changes for this phone; keep pulling while `has_more`."""
    check_client(device, body)
    device_id = device.id
    stamp_due = device.last_sync_at is None or (utcnow() - device.last_sync_at).total_seconds() > STAMP_SECONDS
    db.session.rollback()  # end the authentication's transaction: the page gets a snapshot of its own
    token = write_intent.set(False)
    try:
        _begin_snapshot()
        page = _page(user, device_id, decode(body["cursor"]), body["limit"])
    finally:
        db.session.rollback()
        write_intent.reset(token)
    if stamp_due:
        _stamp(device_id)
    delivered = [c["id"] for c in page["patch"] if c["type"] == "task" and c["op"] == "put"]
    if delivered:
        _deliver(delivered)
    return page


def _stamp(device_id: int) -> None:
    """Note when the phone last synced; at most once a minute, so pulls rarely wait for a writer."""
    token = write_intent.set(True)
    try:
        now = utcnow()
        db.session.execute(update(Device).where(Device.id == device_id).values(last_sync_at=now, last_seen_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
    except OperationalError:  # busy: the page is ready, the note can wait for the next pull
        db.session.rollback()
    finally:
        write_intent.reset(token)


def _deliver(task_ids: list[str]) -> None:
    """Tasks on this page have reached an assigned phone: 送达 (the first pull's time is kept)."""
    token = write_intent.set(True)
    try:
        mark_delivered(task_ids)
        db.session.commit()
    except OperationalError:  # busy: the next pull of the task marks it
        db.session.rollback()
    finally:
        write_intent.reset(token)


def _begin_snapshot() -> None:
    """PostgreSQL: REPEATABLE READ READ ONLY, so every query of the page sees one snapshot.
    SQLite (WAL): a deferred read transaction is one snapshot from its first read."""
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})


def _page(user: User, device_id: int, cursor: Cursor | None, limit: int) -> dict[str, Any]:
    snapshot = current_version(db.session)
    horizon = db.session.scalar(select(SyncState.horizon).where(SyncState.id == 1)) or 0
    last_mutation_id = db.session.scalar(select(Device.last_mutation_id).where(Device.id == device_id))
    scope = scope_hash(user)
    reset = (cursor is None or not _well_formed(cursor) or cursor.user_id != user.id or cursor.scope != scope
             or _since(cursor) < horizon or cursor.version > snapshot)
    if reset:  # a round: the user's cases whole, as of now, then the version walk from the start
        position, round_start, span, case = START, snapshot, None, ()
    else:
        position, round_start, span, case = cursor.position, cursor.round_start, cursor.span, cursor.case
    walked, walk_done = ([], True) if case is None else _case_walk(user, case, round_start, limit)
    entries = [w[3] for w in walked]
    if walk_done:
        entries += collect(user, position, round_start, limit - len(entries), span)
    has_more = len(entries) > limit
    page = entries[:limit]
    if has_more and len(walked) >= limit:
        case_id, (_first, kind), key, _entry = walked[limit - 1]
        following = Cursor(*START, scope, user.id, round_start, case=(case_id, kind, key))
    elif has_more:
        version, kind, key = page[-1][:3]
        following = Cursor(version, kind, list(key) if isinstance(key, tuple) else key, scope, user.id, round_start,
                           span=max(version - position[0], 1))
    else:
        following = Cursor(snapshot, None, None, scope, user.id)
    patch = []
    for version, kind, _key, wire_id, op, value in page:
        change: dict[str, Any] = {"op": op, "type": kind, "id": wire_id, "version": version}
        if op == "put":
            change["value"] = VALUE_SCHEMAS[kind].dump(value)
        patch.append(change)
    out = {"cursor": encode(following), "has_more": has_more, "reset": reset,
           "last_mutation_id": last_mutation_id, "patch": patch}
    _add_calendar(out, None if reset else _since(cursor))
    return out


def _since(cursor: Cursor) -> int:
    """The version the phone's copy is complete up to, but for the page's own rows: a round's
    start (its first page cleared the phone and sent the calendar), else the cursor's version.
    Pages of a round lie below the horizon by nature; only a round begun before it must restart."""
    return cursor.version if cursor.round_start is None else cursor.round_start


def _add_calendar(page: dict[str, Any], since: int | None) -> None:
    """The working-day calendar, on a reset or when it changed after the cursor (same snapshot)."""
    from ..calendar.wire import calendar_block, calendar_version

    if since is None or calendar_version() > since:
        page["calendar"] = calendar_block()


_INT_KEYS = ("agency", "colleague", "template", "decision")


def _well_formed(cursor: Cursor) -> bool:
    """Whether the cursor's position names a type we send, keyed the way that type is keyed
    (a doctored cursor must not reach the database as an out-of-range parameter)."""
    if not -1 <= cursor.version <= MAX_BIG:
        return False
    if cursor.round_start is not None and not -1 <= cursor.round_start <= MAX_BIG:
        return False
    if cursor.span is not None and not 1 <= cursor.span <= MAX_BIG:
        return False
    if cursor.case is not None:
        if cursor.round_start is None or len(cursor.case) != 3 or cursor.type is not None:
            return False
        case_id, kind, key = cursor.case
        return kind in CASE_TYPES and _well_formed_key(kind, key) and _well_formed_key("inspection", case_id)
    if cursor.type is None:
        return cursor.key is None
    if cursor.type not in VALUE_SCHEMAS:
        return False
    return _well_formed_key(cursor.type, cursor.key)


def _well_formed_key(kind: str, key: Any) -> bool:
    if kind == "rejection":
        return (isinstance(key, tuple) and len(key) == 2 and all(type(k) is int for k in key)
                and 0 <= key[0] <= MAX_INT and 0 <= key[1] <= MAX_BIG)
    if kind in _INT_KEYS:
        return type(key) is int and 0 <= key <= MAX_INT
    return type(key) is str and len(key) <= 64 and "\x00" not in key


def prune_scope_exits(older_than: datetime) -> int:
    """Forget scope exits older than the longest offline trip; phones with an older cursor get a reset."""
    horizon = db.session.scalar(select(func.max(ScopeExit.version)).where(ScopeExit.created_at < older_than))
    if horizon is None:
        return 0
    removed = db.session.execute(delete(ScopeExit).where(ScopeExit.version <= horizon)).rowcount
    db.session.execute(update(SyncState).where(SyncState.id == 1, SyncState.horizon < horizon)
                       .values(horizon=horizon))
    db.session.commit()
    return removed
