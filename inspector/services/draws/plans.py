"""Plans (抽查计划) and their witnessed draws: create a plan, list its directories, draw, re-run
check, recusal by child draw.

Each write is one transaction (these functions commit; bad input raises before anything is
added). A plan belongs to its agency: a county plans for itself, a league or the region for its
subtree; users see and work on the plans of their jurisdiction (404 otherwise, as for cases).

The draw (DR-R1..R3): the server freezes the candidate listing (targets matching the plan's
filter, each with its stratum, and the inspector directory), hashes it, makes a 32-byte seed with
`secrets` at the moment of the draw, runs `algorithm` (documented there, so anyone can recompute
it) and stores all of it with the operator and named witnesses. Each drawn party becomes a task
for its pair of inspectors (`tasks.create_task(source_kind="draw")`), due at the plan's end. A plan
is drawn once. A recusal (回避) takes the inspector off through a child draw from the remaining
directory; both stay visible on the task and the plan.
"""
from __future__ import annotations

import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ...database import db, utcnow
from ...errors import ApiError
from ...models import (
    CATEGORIES, Agency, ChecklistTemplate, Filing, Finding, Inspection, InspectionPlan, Party, PlanDraw, PlanTarget,
    User,
)
from .. import audit
from ..calendar.deadlines import Due
from ..scope import agency_subtree
from ..tasks import MIN_INSPECTORS, cancel_task, create_task, replace_assignee
from . import algorithm

PLAN_MANAGERS = ("officer", "head", "reviewer")
STRATA = ("flagged", "normal")  # parties with a risk flag (DR-L1: more checks), the others
RISKS = ("any", "flagged")
# A party belongs to a category when its name, business scope or a licence names it.
CATEGORY_WORDS = {"fertilizer": ("肥",), "pesticide": ("农药",), "seed": ("种子", "种业"),
                  "film": ("农膜", "地膜", "薄膜"), "machinery": ("农机", "农业机械"), "general": ("农资",)}
MAX_WITNESSES = 10
MAX_TEXT = 4000


def _invalid(field: str, message: str) -> ApiError:
    return ApiError("validation_failed", message, details={field: [message]})


def ensure_manager(user: User) -> None:
    if user.role not in PLAN_MANAGERS:
        raise ApiError("forbidden", "Only officers, heads and reviewers plan and draw.")


def plan_scope(user: User):
    return InspectionPlan.agency_id.in_(agency_subtree(user))


LIST_LIMIT = 200


def list_plans(user: User) -> list[InspectionPlan]:
    """The newest plans of the user's jurisdiction."""
    return list(db.session.scalars(select(InspectionPlan).where(plan_scope(user))
                                   .options(selectinload(InspectionPlan.agency))
                                   .order_by(InspectionPlan.created_at.desc()).limit(LIST_LIMIT)))


def get_plan(user: User, plan_id: str, *, lock: bool = False) -> InspectionPlan:
    """The plan, or 404 outside the user's jurisdiction; `lock`: its row locked until commit, so
    two officers drawing (or recusing, publishing) at once take turns."""
    query = select(InspectionPlan).where(InspectionPlan.id == plan_id, plan_scope(user))
    found = db.session.scalars(query.with_for_update() if lock else query).first()
    if found is None:
        raise ApiError("not_found", "No such plan.")
    return found


# ------------------------------------------------------------------ creating a plan

def _text(field: str, value: Any, limit: int, *, required: bool = True) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise _invalid(field, f"{field} is required.")
    if len(value) > limit:
        raise _invalid(field, f"{field} is longer than {limit} characters.")
    return value


def _day(field: str, value: Any) -> date:
    try:
        day = date.fromisoformat(str(value or ""))
    except ValueError:
        raise _invalid(field, f"{field} is not a date (YYYY-MM-DD).") from None
    if not 2000 <= day.year <= 2100:
        raise _invalid(field, f"{field} is out of range.")
    return day


def _stratum(name: str, count: Any, percent: Any) -> dict[str, Any] | None:
    count, percent = str(count or "").strip(), str(percent or "").strip()
    if count and percent:
        raise _invalid(f"strata.{name}", f"Give a count or a percentage for {name}, not both.")
    try:
        if count:
            n = int(count)
            if not 0 <= n <= 100000:
                raise ValueError
            return {"count": n}
        if percent:
            p = float(percent)
            if not 0 < p <= 100:
                raise ValueError
            return {"percent": p}
    except ValueError:
        raise _invalid(f"strata.{name}", f"The {name} stratum's count or percentage is not valid.") from None
    return None


def _int_list(field: str, values: list[Any]) -> list[int]:
    try:
        return sorted({int(v) for v in values if str(v).strip()})
    except (TypeError, ValueError):
        raise _invalid(field, f"{field} has an unknown entry.") from None


def create_plan(user: User, form: dict[str, Any]) -> InspectionPlan:
    """A draft plan of the user's agency; 400 and nothing added on bad input."""
    ensure_manager(user)
    name = _text("name", form.get("name"), 200)
    check_items = _text("checkItems", form.get("check_items"), MAX_TEXT)
    period_from, period_to = _day("periodFrom", form.get("period_from")), _day("periodTo", form.get("period_to"))
    if period_to < period_from:
        raise _invalid("periodTo", "The period ends before it starts.")
    categories = [c for c in form.get("categories", []) if c]
    if any(c not in CATEGORIES for c in categories):
        raise _invalid("categories", "Unknown category.")
    risk = form.get("risk") or "any"
    if risk not in RISKS:
        raise _invalid("risk", "Unknown risk filter.")
    strata = {}
    for stratum in STRATA:
        spec = _stratum(stratum, form.get(f"{stratum}_count"), form.get(f"{stratum}_percent"))
        if spec is not None:
            strata[stratum] = spec
    if risk == "flagged":
        strata.pop("normal", None)
    if not strata or all(s.get("count") == 0 for s in strata.values()):
        raise _invalid("strata", "Say how many parties to draw (a count or a percentage per stratum).")
    area_ids = _int_list("areas", form.get("area_ids", []))
    if area_ids:
        areas = list(db.session.scalars(select(Agency).where(Agency.id.in_(area_ids))))
        if len(areas) != len(area_ids) or any(not a.path.startswith(user.agency.path) for a in areas):
            raise _invalid("areas", "Choose areas of your jurisdiction.")
    inspector_ids = _int_list("inspectors", form.get("inspector_ids", []))
    if inspector_ids:
        eligible = {u.id for u in eligible_inspectors(user.agency)}
        if not set(inspector_ids) <= eligible:
            raise _invalid("inspectors", "The inspector directory holds only certified active inspectors of your jurisdiction.")
    template_id = None
    if form.get("template_id"):
        template = db.session.get(ChecklistTemplate, _int_list("template", [form["template_id"]])[0])
        if template is None or template.status != "published":
            raise _invalid("template", "Choose a published checklist.")
        template_id = template.id
    plan = InspectionPlan(id=str(uuid.uuid4()), agency_id=user.agency_id, name=name, check_items=check_items,
                          template_id=template_id, period_from=period_from, period_to=period_to,
                          categories=categories, area_ids=area_ids, risk=risk, strata=strata,
                          inspector_ids=inspector_ids, status="draft", created_by_id=user.id, created_at=utcnow())
    db.session.add(plan)
    db.session.flush()
    audit.record("plan.create", "inspection_plan", plan.id, actor_id=user.id,
                 data={"name": name, "agency": user.agency.code, "strata": strata, "categories": categories,
                       "areas": area_ids, "risk": risk, "inspectors": inspector_ids})
    db.session.commit()
    return plan


# ------------------------------------------------------------------ the directories

def eligible_inspectors(agency: Agency) -> list[User]:
    """Active inspectors with certificate numbers in the agency's subtree (DR-R3)."""
    return list(db.session.scalars(
        select(User).join(Agency, Agency.id == User.agency_id)
        .where(Agency.path.startswith(agency.path), User.role == "inspector", User.active.is_(True),
               User.deleted_at.is_(None), User.cert_no.is_not(None), User.cert_no != "")
        .order_by(User.id)))


def _in_category(party: Party, categories: list[str]) -> bool:
    if not categories:
        return True
    text = " ".join([party.name or "", party.business_scope or "",
                     *(str(lic.get("kind", "")) for lic in (party.licences or []) if isinstance(lic, dict))])
    return any(word in text for c in categories for word in CATEGORY_WORDS.get(c, ()))


def _flagged(in_areas: Any) -> set[str]:
    """Parties of the areas with a risk flag: named in a complaint or report, or with a failed item
    on record (subqueries over the areas, not a list of ids: a league holds thousands of parties)."""
    parties = select(Party.id).join(Agency, Agency.id == Party.agency_id).where(in_areas)
    complained = set(db.session.scalars(select(Filing.party_id).where(Filing.party_id.in_(parties))))
    failed = set(db.session.scalars(
        select(Inspection.party_id).join(Finding, Finding.inspection_id == Inspection.id)
        .where(Inspection.party_id.in_(parties), Inspection.deleted_at.is_(None), Finding.result == "fail")))
    return complained | failed


def target_directory(plan: InspectionPlan) -> list[dict[str, Any]]:
    """The parties the plan may draw today, sorted by id, each with its stratum."""
    in_areas = or_(*(Agency.path.startswith(a.path) for a in areas(plan)))
    query = (select(Party).join(Agency, Agency.id == Party.agency_id)
             .where(Party.deleted_at.is_(None), in_areas)
             .options(selectinload(Party.agency)).order_by(Party.id))
    parties = [p for p in db.session.scalars(query) if _in_category(p, plan.categories)]
    flagged = _flagged(in_areas) if parties else set()
    rows = [{"id": p.id, "creditCode": p.credit_code or "", "name": p.name, "agency": p.agency.code,
             "agencyPath": p.agency.path, "stratum": "flagged" if p.id in flagged else "normal"} for p in parties]
    if plan.risk == "flagged":
        rows = [r for r in rows if r["stratum"] == "flagged"]
    return rows


def inspector_directory(plan: InspectionPlan) -> list[dict[str, Any]]:
    """The inspectors the plan may draw, sorted by id."""
    people = eligible_inspectors(plan.agency)
    if plan.inspector_ids:
        people = [u for u in people if u.id in set(plan.inspector_ids)]
    return [{"id": u.id, "certNo": u.cert_no, "agency": u.agency.code, "agencyPath": u.agency.path} for u in people]


def areas(plan: InspectionPlan) -> list[Agency]:
    """The areas the plan draws from (its agency when none was chosen)."""
    if not plan.area_ids:
        return [plan.agency]
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(plan.area_ids)).order_by(Agency.path)))


def directory_people(plan: InspectionPlan) -> list[User]:
    """The inspector directory as people (for the plan's page)."""
    ids = {row["id"] for row in inspector_directory(plan)}
    return [u for u in eligible_inspectors(plan.agency) if u.id in ids]


@dataclass
class Preview:
    targets: list[dict[str, Any]]
    inspectors: list[dict[str, Any]]

    def count(self, stratum: str) -> int:
        return sum(1 for t in self.targets if t["stratum"] == stratum)


def preview(plan: InspectionPlan) -> Preview:
    return Preview(target_directory(plan), inspector_directory(plan))


# ------------------------------------------------------------------ the draw

def _witnesses(raw: Any) -> list[dict[str, str]]:
    """`name 职务` lines (or a list of {"name", "title"}); at least one named witness."""
    rows = raw if isinstance(raw, list) else [line for line in str(raw or "").splitlines()]
    witnesses = []
    for row in rows:
        if isinstance(row, dict):
            name, title = str(row.get("name") or "").strip(), str(row.get("title") or "").strip()
        else:
            parts = str(row).replace("，", " ").replace(",", " ").split(None, 1)
            if not parts:
                continue
            name, title = parts[0], (parts[1].strip() if len(parts) > 1 else "")
        if not name:
            continue
        if len(name) > 64 or len(title) > 64:
            raise _invalid("witnesses", "A witness's name or title is too long.")
        witnesses.append({"name": name, "title": title})
    if not witnesses:
        raise _invalid("witnesses", "Name at least one witness of the draw (name and title).")
    if len(witnesses) > MAX_WITNESSES:
        raise _invalid("witnesses", f"At most {MAX_WITNESSES} witnesses.")
    return witnesses


def _counts(plan: InspectionPlan, targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    strata = []
    for name in STRATA:
        spec = plan.strata.get(name)
        if spec is None:
            continue
        available = sum(1 for t in targets if t["stratum"] == name)
        count = spec["count"] if "count" in spec else math.ceil(available * spec["percent"] / 100)
        if count > available:
            raise ApiError("validation_failed",
                           f"The plan asks for {count} parties of the {name} stratum; the directory holds {available}.",
                           details={"strata": [f"{name}: {count} > {available}"]})
        strata.append({"name": name, "count": count, **({"percent": spec["percent"]} if "percent" in spec else {})})
    return strata


def _check_inspectors(listing: dict[str, Any], strata: list[dict[str, Any]]) -> None:
    """Every area with candidates that may be drawn has at least two inspectors to draw from
    (DR-A3), checked before the draw, so no outcome of it can fail."""
    drawn = {s["name"] for s in strata if s["count"] > 0}
    for path in sorted({t["agencyPath"] for t in listing["targets"] if t["stratum"] in drawn}):
        pool = [i for i in listing["inspectors"] if i["agencyPath"].startswith(path)]
        if len(pool) < MIN_INSPECTORS:
            area = db.session.scalars(select(Agency).where(Agency.path == path)).first()
            name = area.name if area else path
            raise ApiError("validation_failed",
                           f"{name} has {len(pool)} inspector(s) in the directory; a task needs {MIN_INSPECTORS}.",
                           details={"inspectors": [name]})


def _due(plan: InspectionPlan) -> Due:
    # The plan's end is a date the plan names, not a count of working days: not provisional.
    return Due(plan.period_to, False)


def _task_title(plan: InspectionPlan) -> str:
    return f"双随机抽查：{plan.name}"[:200]


def _what_to_check(plan: InspectionPlan) -> str:
    if plan.template is not None:
        return f"{plan.check_items}\n检查表：{plan.template.title}"[:MAX_TEXT]
    return plan.check_items


def draw(user: User, plan_id: str, witnesses: Any) -> PlanDraw:
    """Draw the plan's targets and their inspectors, create their tasks; 400/409 and nothing
    changed when the plan was drawn already, the directory is empty or too small, or an area has
    fewer than two inspectors."""
    ensure_manager(user)
    plan = get_plan(user, plan_id, lock=True)
    if plan.status != "draft":
        raise ApiError("draw_done", "This plan was drawn already; a re-draw needs a written reason.")
    record = _draw(plan, user, _witnesses(witnesses))
    db.session.commit()
    return record


def redraw(user: User, plan_id: str, reason: str, witnesses: Any) -> PlanDraw:
    """Draw a drawn plan again, with a written reason (DR-R2e): only while none of its tasks has
    started and no result is published. The earlier draws stay, marked superseded; their open
    tasks are cancelled with the reason (the phones learn it at their next pull)."""
    ensure_manager(user)
    plan = get_plan(user, plan_id, lock=True)
    if plan.status != "drawn":
        raise _invalid("plan", "This plan has not been drawn yet.")
    reason = _text("reason", reason, MAX_TEXT)
    named = _witnesses(witnesses)
    current = plan.current_targets
    busy = [t for t in current if t.task.status in ("started", "done") or t.published_at is not None]
    if busy:
        raise ApiError("draw_in_use", details=
{"started": [t.party.name for t in busy]})
    now = utcnow()
    previous = plan.current_draw
    for earlier in plan.draws:
        if earlier.superseded_at is None:
            earlier.superseded_at = now
    for target in current:
        if target.task.status == "open":
            cancel_task(target.task, user, f"重新抽取：{reason}")
    record = _draw(plan, user, named, reason=reason, supersedes=previous)
    db.session.commit()
    return record


def _draw(plan: InspectionPlan, user: User, named: list[dict[str, str]], *, reason: str | None = None,
          supersedes: PlanDraw | None = None) -> PlanDraw:
    listing = {"targets": target_directory(plan), "inspectors": inspector_directory(plan)}
    if not listing["targets"]:
        raise _invalid("targets", "The target directory is empty: no party matches the plan's filter.")
    strata = _counts(plan, listing["targets"])
    if sum(s["count"] for s in strata) == 0:
        raise _invalid("strata", "The plan draws no party.")
    _check_inspectors(listing, strata)
    seed = secrets.token_bytes(algorithm.SEED_BYTES)
    params = {"strata": strata, "pair": MIN_INSPECTORS}
    result = algorithm.draw_targets(listing, seed, params)
    record = PlanDraw(id=str(uuid.uuid4()), plan_id=plan.id, kind="targets", algorithm=algorithm.NAME,
                      algorithm_version=algorithm.VERSION, seed_hex=seed.hex(),
                      candidate_hash=algorithm.listing_hash(listing), candidate_count=len(listing["targets"]),
                      candidates=listing, params=params, result=result, operator_id=user.id, witnesses=named,
                      reason=reason, drawn_at=utcnow())
    db.session.add(record)
    db.session.flush()
    parties = {p.id: p for p in db.session.scalars(select(Party).where(Party.id.in_([r["party"] for r in result])))}
    people = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([i for r in result for i in r["inspectors"]])))}
    for position, row in enumerate(result, start=1):
        party = parties[row["party"]]
        task = create_task(source_kind="draw", source_id=plan.id, agency=party.agency, party=party,
                           title=_task_title(plan), what_to_check=_what_to_check(plan), due=_due(plan),
                           urgent=False, assignees=[people[i] for i in row["inspectors"]], created_by=user)
        db.session.add(PlanTarget(plan_id=plan.id, draw_id=record.id, position=position, stratum=row["stratum"],
                                  party_id=party.id, task_id=task.id))
    plan.status = "drawn"
    audit.record("plan.draw", "inspection_plan", plan.id, actor_id=user.id, reason=reason,
                 data={"draw": record.id, "supersedes": supersedes.id if supersedes else None,
                       "algorithm": f"{algorithm.NAME}/{algorithm.VERSION}", "seed": record.seed_hex,
                       "candidateHash": record.candidate_hash, "candidateCount": record.candidate_count,
                       "params": params, "witnesses": named, "result": result})
    return record


@dataclass(frozen=True)
class Check:
    """The re-run check of a draw: whether its stored inputs reproduce its stored result."""

    ok: bool
    stored_hash: str
    recomputed_hash: str
    reason: str | None = None


def verify_draw(record: PlanDraw) -> Check:
    """Recompute the listing's hash and the result from the stored seed, listing and parameters."""
    recomputed = algorithm.listing_hash(record.candidates)
    reason = algorithm.refusal(_wire(record))
    return Check(reason is None, record.candidate_hash, recomputed, reason)


def _wire(record: PlanDraw) -> dict[str, Any]:
    return {"kind": record.kind, "algorithm": record.algorithm, "algorithmVersion": record.algorithm_version,
            "seed": record.seed_hex, "candidateHash": record.candidate_hash, "candidates": record.candidates,
            "params": record.params, "result": record.result}


def draw_record(record: PlanDraw) -> dict[str, Any]:
    """The draw as a file an auditor takes away and recomputes (scripts/verify_draw.py)."""
    return {"plan": record.plan.name, "agency": record.plan.agency.name, "draw": record.id,
            "parent": record.parent_id, **_wire(record), "operator": record.operator.display_name,
            "witnesses": record.witnesses, "reason": record.reason, "drawnAt": record.drawn_at.isoformat(),
            "supersededAt": record.superseded_at.isoformat() if record.superseded_at else None}


def get_draw(user: User, plan_id: str, draw_id: str) -> PlanDraw:
    plan = get_plan(user, plan_id)
    found = next((d for d in plan.draws if d.id == draw_id), None)
    if found is None:
        raise ApiError("not_found", "No such draw.")
    return found


def recuse(user: User, plan_id: str, target_id: Any, inspector_id: Any, reason: str, witnesses: Any) -> PlanDraw:
    """An inspector declared a conflict with the drawn party (回避): a child draw from the rest of
    the directory (those eligible for the party's area and never on this task) replaces him."""
    ensure_manager(user)
    plan = get_plan(user, plan_id, lock=True)
    target = next((t for t in plan.current_targets if str(t.id) == str(target_id)), None)
    if target is None:
        raise ApiError("not_found", "No such drawn party.")
    reason = _text("reason", reason, MAX_TEXT)
    named = _witnesses(witnesses)
    task = target.task
    out = next((a.user for a in task.active_assignees if str(a.user_id) == str(inspector_id)), None)
    if out is None:
        raise _invalid("inspector", "This inspector is not on the task.")
    ever = {a.user_id for a in task.assignees}
    path = target.party.agency.path
    pool = [i for i in inspector_directory(plan) if i["agencyPath"].startswith(path) and i["id"] not in ever]
    if not pool:
        raise _invalid("inspector", "No other inspector of the directory can replace him.")
    listing = {"inspectors": pool}
    root = plan.current_draw
    seed = secrets.token_bytes(algorithm.SEED_BYTES)
    params = {"target": target.party_id, "recused": out.id, "count": 1}
    result = algorithm.draw_replacement(listing, seed, params)
    record = PlanDraw(id=str(uuid.uuid4()), plan_id=plan.id, parent_id=root.id, kind="replacement",
                      algorithm=algorithm.NAME, algorithm_version=algorithm.VERSION, seed_hex=seed.hex(),
                      candidate_hash=algorithm.listing_hash(listing), candidate_count=len(pool), candidates=listing,
                      params=params, result=result, operator_id=user.id, witnesses=named, reason=reason,
                      drawn_at=utcnow())
    db.session.add(record)
    replace_assignee(task, out=out, into=db.session.get(User, result[0]), reason=reason, by=user, recusal=True)
    audit.record("plan.replacement_draw", "inspection_plan", plan.id, actor_id=user.id, reason=reason,
                 data={"draw": record.id, "parent": root.id, "seed": record.seed_hex,
                       "candidateHash": record.candidate_hash, "recused": out.id, "result": result,
                       "witnesses": named})
    db.session.commit()
    return record
