"""Pull: what each phone receives, page after page, from one snapshot, without loss or repeat."""
from __future__ import annotations

import base64
import itertools
import json
import threading
import uuid

import pytest
from sqlalchemy import insert, select, update

from inspector.database import db, utcnow
from inspector.models import Agency, ChecklistTemplate, Finding, Party, Sample, SyncState
from inspector.models.sync import allocate_version
from inspector.services.sync.cursor import scope_hash

from .. import factories
from ..sync_phone import Phone, fill_and_sign, inspection_args, new_id


@pytest.fixture
def zhang(login_as) -> Phone:
    return Phone(login_as("tuoketuo.zhang"))


def _ids(user, *names: str) -> list[int]:
    return [user(n).id for n in names]


def _insert_parties(agency_code: str, count: int, batch: int = 1000) -> set[str]:
    """Parties written straight to the database, `batch` per transaction (so one version each)."""
    agency_id = factories.agency(agency_code).id
    made: set[str] = set()
    for start in range(0, count, batch):
        version = allocate_version(db.session)
        rows = [{"id": str(uuid.uuid4()), "name": f"农资店{start + n}", "agency_id": agency_id, "licences": [],
                 "version": version, "field_meta": {}, "created_at": utcnow(), "updated_at": utcnow()}
                for n in range(min(batch, count - start))]
        db.session.execute(insert(Party), rows)
        db.session.commit()
        made.update(r["id"] for r in rows)
    return made


def test_the_first_pull_is_a_reset_with_everything_an_inspector_needs(zhang, user):
    own = factories.party("150122", "托克托县丰收农资经营部")
    other = factories.party("150202", "东河区惠农化肥销售中心")
    pages = zhang.pull()
    assert pages[0]["reset"] is True and pages[-1]["hasMore"] is False
    assert pages[-1]["lastMutationID"] == 0
    assert len(zhang.of_type("agency")) == db.session.query(Agency).count()
    published = set(db.session.scalars(select(ChecklistTemplate.id).where(ChecklistTemplate.status == "published")))
    assert set(zhang.of_type("template")) == published
    assert zhang.has("party", own.id) and not zhang.has("party", other.id)
    colleagues = zhang.of_type("colleague")
    # Inspectors of the whole 呼和浩特 league (co-inspectors often come from the next county), not 包头's.
    assert set(colleagues) == set(_ids(user, "tuoketuo.zhang", "tuoketuo.liu", "xincheng.zhou", "xincheng.wu"))
    assert colleagues[user("tuoketuo.liu").id]["certNo"] == "15012226002"
    # Nothing changed since: the next pull is empty and not a reset.
    page = zhang.pull_page()
    assert page["patch"] == [] and page["reset"] is False


def test_a_pushed_case_comes_back_with_its_parts(zhang, user):
    party = factories.party("150122")
    case_id = new_id()
    pair = _ids(user, "tuoketuo.zhang", "tuoketuo.liu")
    zhang.push(zhang.mutation("inspection.create.v1", **inspection_args(party.id, pair, inspection_id=case_id)),
               *fill_and_sign(zhang, case_id))
    zhang.pull()
    case = zhang.value("inspection", case_id)
    assert case["status"] == "draft" and case["partyID"] == party.id and case["revision"] == 1
    assert [i["userID"] for i in case["inspectors"]] == _ids(user, "tuoketuo.zhang", "tuoketuo.liu")
    assert "findings" not in case  # parts arrive as rows of their own
    assert len(zhang.of_type("finding")) == len(factories.template("fertilizer").items())
    assert next(iter(zhang.of_type("signature").values()))["role"] == "party"
    assert zhang.pull_page()["lastMutationID"] == zhang.next_id - 1


def test_paging_through_ten_thousand_changes_while_others_write_loses_and_repeats_nothing(zhang):
    expected = _insert_parties("150122", 10_000)
    seen: dict[str, int] = {}
    received = 0
    written_meanwhile = 0
    page = zhang.pull_page(limit=700)
    while True:
        for change in page["patch"]:
            if change["type"] == "party":
                key = change["id"]
                assert seen.get(key) != change["version"], f"party {key} sent twice at one version"
                seen[key] = change["version"]
                received += 1
        if not page["hasMore"]:
            break
        if written_meanwhile < 5:  # a writer commits between two pages: new rows and a change to an old one
            expected |= _insert_parties("150122", 150, batch=150)
            db.session.execute(update(Party).where(Party.id == sorted(expected)[written_meanwhile])
                               .values(phone="0471-1234567", version=allocate_version(db.session)))
            db.session.commit()
            written_meanwhile += 1
        page = zhang.pull_page(limit=700)
    assert set(seen) == expected
    assert received <= len(expected) + written_meanwhile  # a changed row comes once more, nothing else
    assert set(zhang.of_type("party")) == expected
    assert zhang.pull_page(limit=700)["patch"] == []


def test_rows_far_beyond_where_the_last_pages_reached_still_arrive(zhang):
    """A page first reads as far as the page before reached, twice over; here the county's next
    parties lie 200 versions (another county's writes) past that, and must still come."""
    zhang.pull()
    expected = _insert_parties("150122", 30, batch=1)
    elsewhere = _insert_parties("150202", 200, batch=1)
    expected |= _insert_parties("150122", 30, batch=1)
    received: list[str] = []
    for page in zhang.pull(limit=10):
        received += [c["id"] for c in page["patch"] if c["type"] == "party"]
    assert sorted(received) == sorted(expected)
    assert not elsewhere & set(zhang.of_type("party"))


def test_a_commit_that_took_its_version_first_is_never_skipped(app, zhang):
    """F5: T1 takes version v and waits; T2 must wait for T1's lock, so no pull sees v+1 without v.
    (PostgreSQL: the row lock on sync_state; SQLite: the database write lock.)"""
    zhang.pull()
    agency_id = factories.agency("150122").id
    first_id, second_id = str(uuid.uuid4()), str(uuid.uuid4())
    engine = db.engine
    t1 = engine.connect()
    t1.begin()
    v1 = t1.execute(update(SyncState).where(SyncState.id == 1).values(version=SyncState.version + 1)
                    .returning(SyncState.version)).scalar_one()
    t1.execute(insert(Party).values(id=first_id, name="先取号后提交", agency_id=agency_id, licences=[], version=v1,
                                    field_meta={}, created_at=utcnow(), updated_at=utcnow()))
    done = threading.Event()

    def second_writer() -> None:
        with engine.begin() as t2:
            v2 = t2.execute(update(SyncState).where(SyncState.id == 1).values(version=SyncState.version + 1)
                            .returning(SyncState.version)).scalar_one()
            t2.execute(insert(Party).values(id=second_id, name="后取号先完成", agency_id=agency_id, licences=[],
                                            version=v2, field_meta={}, created_at=utcnow(), updated_at=utcnow()))
        done.set()

    writer = threading.Thread(target=second_writer)
    writer.start()
    assert not done.wait(0.5)  # T2 is blocked behind T1's version lock
    zhang.pull()
    assert not zhang.has("party", first_id) and not zhang.has("party", second_id)
    t1.commit()
    t1.close()
    writer.join(10)
    zhang.pull()
    assert zhang.has("party", first_id) and zhang.has("party", second_id)


def test_a_removed_sample_arrives_as_a_deletion(zhang, user):
    party = factories.party("150122")
    case_id, sample_id = new_id(), new_id()
    pair = _ids(user, "tuoketuo.zhang", "tuoketuo.liu")
    zhang.push(zhang.mutation("inspection.create.v1", **inspection_args(party.id, pair, inspection_id=case_id)),
               zhang.mutation("sample.add.v1", id=sample_id, inspectionID=case_id, name="复合肥料", quantity="2 kg",
                              baseQuantity="120 袋", sealNumbers=["FY20260001"]))
    zhang.pull()
    assert zhang.value("sample", sample_id)["sealNumbers"] == ["FY20260001"]
    assert zhang.send("sample.remove.v1", id=sample_id)["status"] == "applied"
    page = zhang.pull_page()
    assert [(c["op"], c["type"], c["id"]) for c in page["patch"]] == [("del", "sample", sample_id)]
    db.session.rollback()
    assert db.session.get(Sample, sample_id).deleted_at is not None  # a tombstone, not a hard delete


def test_an_inspector_taken_off_a_case_receives_its_deletion(login_as, user):
    """新城区's 周 helped 托克托县 on one case; when taken off it, the case and its party leave his phone."""
    zhang, zhou = Phone(login_as("tuoketuo.zhang")), Phone(login_as("xincheng.zhou"))
    party = factories.party("150122", "托克托县丰收农资经营部")
    case_id = new_id()
    zhang.push(zhang.mutation("inspection.create.v1", **inspection_args(
        party.id, _ids(user, "tuoketuo.zhang", "xincheng.zhou"), inspection_id=case_id)),
        zhang.mutation("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey="G01", result="pass"))
    zhou.pull()
    assert zhou.has("inspection", case_id) and zhou.has("party", party.id) and len(zhou.of_type("finding")) == 1
    result = zhang.send("inspection.update.v1", id=case_id, baseVersion=0,
                        fields={"inspectorIDs": _ids(user, "tuoketuo.zhang", "tuoketuo.liu")})
    assert result["status"] == "applied"
    page = zhou.pull_page()
    assert page["reset"] is False
    assert {(c["op"], c["type"], c["id"]) for c in page["patch"]} >= {("del", "inspection", case_id),
                                                                      ("del", "party", party.id)}
    assert not zhou.has("inspection", case_id) and not zhou.has("party", party.id)
    # 刘, who joined, gets the whole case although its finding is older than his cursor.
    liu = Phone(login_as("tuoketuo.liu"))
    assert liu.has("inspection", case_id) is False
    liu.pull()
    assert liu.has("inspection", case_id) and len(liu.of_type("finding")) == 1


def test_a_joining_inspector_gets_the_older_rows_of_the_case(login_as, user):
    zhang, liu = Phone(login_as("tuoketuo.zhang")), Phone(login_as("tuoketuo.liu"))
    party = factories.party("150122")
    case_id = new_id()
    zhang.push(zhang.mutation("inspection.create.v1", **inspection_args(
        party.id, _ids(user, "tuoketuo.zhang", "xincheng.zhou"), inspection_id=case_id)),
        *fill_and_sign(zhang, case_id))
    liu.pull()
    assert not liu.has("inspection", case_id)
    zhang.send("inspection.update.v1", id=case_id, baseVersion=0,
               fields={"inspectorIDs": _ids(user, "tuoketuo.zhang", "xincheng.zhou", "tuoketuo.liu")})
    page = liu.pull()[0]
    assert page["reset"] is False
    assert liu.has("inspection", case_id)
    assert len(liu.of_type("finding")) == len(factories.template("fertilizer").items())
    assert len(liu.of_type("signature")) == 1


def test_an_inspector_moved_to_another_county_gets_a_reset(zhang, user):
    own = factories.party("150122", "托克托县丰收农资经营部")
    xincheng = factories.party("150102", "新城区田园农膜商行")
    zhang.pull()
    assert zhang.has("party", own.id) and not zhang.has("party", xincheng.id)
    moved = user("tuoketuo.zhang")
    moved.agency_id = factories.agency("150102").id
    db.session.commit()
    page = zhang.pull()[0]
    assert page["reset"] is True
    assert not zhang.has("party", own.id) and zhang.has("party", xincheng.id)


def test_a_retired_template_stays_for_the_cases_made_with_it(zhang):
    zhang.pull()
    template = factories.template("film")
    template.status, template.retired_at = "retired", utcnow()
    db.session.commit()
    page = zhang.pull_page()
    assert [(c["type"], c["id"], c["value"]["status"]) for c in page["patch"]] == [("template", template.id, "retired")]


def test_an_unreadable_or_too_old_cursor_answers_a_reset(zhang):
    zhang.pull()
    zhang.cursor = "not a cursor"
    assert zhang.pull()[0]["reset"] is True
    # Scope exits older than the horizon were pruned: a cursor from before it cannot be served.
    db.session.execute(update(SyncState).where(SyncState.id == 1).values(version=SyncState.version + 5,
                                                                            horizon=SyncState.version + 5))
    db.session.commit()
    assert zhang.pull()[0]["reset"] is True
    assert zhang.pull()[0]["reset"] is False


def test_a_doctored_cursor_with_numbers_out_of_range_answers_a_reset(zhang, user):
    zhang.pull()
    scope = scope_hash(user("tuoketuo.zhang"))
    for body in ({"v": 1, "t": None, "k": None, "s": scope, "u": zhang.user_id, "r": 2**70},
                 {"v": float("inf"), "t": None, "k": None, "s": scope, "u": zhang.user_id},
                 {"v": 1, "t": None, "k": None, "s": scope, "u": zhang.user_id, "w": 2**70},
                 {"v": 1, "t": None, "k": None, "s": scope, "u": zhang.user_id, "w": 0}):
        zhang.cursor = base64.urlsafe_b64encode(json.dumps(body).encode()).decode()
        assert zhang.pull_page()["reset"] is True, body


def test_a_cursor_nested_too_deep_to_read_answers_a_reset(zhang):
    zhang.pull()
    for raw in (b"[" * 1400, b'{"v":1,"t":null,"k":' + b"[" * 1300):
        zhang.cursor = base64.urlsafe_b64encode(raw).decode()
        assert zhang.pull_page()["reset"] is True


def test_a_deactivated_colleague_arrives_as_a_deletion(zhang, user):
    zhang.pull()
    liu = user("tuoketuo.liu")
    liu.active = False
    db.session.commit()
    page = zhang.pull_page()
    assert [(c["op"], c["type"], c["id"]) for c in page["patch"]] == [("del", "colleague", liu.id)]


def test_a_pull_must_come_from_the_logged_in_installation(zhang, login_as):
    other = login_as("tuoketuo.liu")
    response = zhang.api.post("/api/v1/sync/pull", json={"clientID": other.client_id, "schemaVersion": 1})
    assert response.status_code == 403


def test_each_page_is_read_from_one_read_only_snapshot(zhang, monkeypatch):
    from sqlalchemy import text

    from inspector.database import write_intent
    import inspector.services.sync.pull as pull_service

    seen: dict = {}
    real = pull_service._page

    def spy(*args, **kwargs):
        if db.engine.dialect.name == "postgresql":
            seen["isolation"] = db.session.execute(text("SHOW transaction_isolation")).scalar()
            seen["read_only"] = db.session.execute(text("SHOW transaction_read_only")).scalar()
        else:  # a deferred BEGIN: a WAL snapshot from the first read, without the write lock
            seen["write_intent"] = write_intent.get()
        return real(*args, **kwargs)

    monkeypatch.setattr(pull_service, "_page", spy)
    zhang.pull()
    if db.engine.dialect.name == "postgresql":
        assert seen == {"isolation": "repeatable read", "read_only": "on"}
    else:
        assert seen == {"write_intent": False}


def test_pruning_old_scope_exits_resets_the_phones_that_may_have_missed_them(zhang, user):
    from datetime import timedelta

    from inspector.models import ScopeExit
    from inspector.services.sync.pull import prune_scope_exits

    zhang.pull()
    db.session.add(ScopeExit(user_id=user("tuoketuo.zhang").id, entity_type="inspection", entity_id=new_id(),
                             version=allocate_version(db.session)))
    db.session.commit()
    assert prune_scope_exits(utcnow() - timedelta(days=1)) == 0  # nothing that old yet
    assert prune_scope_exits(utcnow() + timedelta(seconds=1)) == 1
    assert zhang.pull()[0]["reset"] is True
    assert zhang.pull()[0]["reset"] is False


def test_ids_in_upper_and_lower_case_written_in_one_version_all_arrive(zhang):
    """A client may send its UUIDs in capitals. Pages cut inside one version must follow one order
    for every id, whatever order the database's collation would give letters of either case."""
    agency_id = factories.agency("150122").id
    version = allocate_version(db.session)
    # By letter first (as most collations sort), "0a…" comes before "0B…"; by code point, after "0Z…".
    ids = [f"0{letter}{n:06d}-0000-4000-8000-000000000000" for n, letter in enumerate("aBCDEFGHIJKLMNOPQRSTUVWXYZ")]
    db.session.execute(insert(Party), [
        {"id": party_id, "name": f"农资店{n}", "agency_id": agency_id, "licences": [], "version": version,
         "field_meta": {}, "created_at": utcnow(), "updated_at": utcnow()} for n, party_id in enumerate(ids)])
    db.session.commit()

    while zhang.pull_page(limit=7)["hasMore"]:
        pass

    assert set(ids) <= set(zhang.of_type("party"))


def _orphans(phone: Phone) -> list[tuple[str, str]]:
    """Rows of a case the phone holds without the case itself."""
    return [(kind, row_id) for (kind, row_id), value in phone.rows.items()
            if kind in ("finding", "sample", "photo", "signature", "decision", "conflict")
            and value.get("inspectionID") and not phone.has("inspection", value["inspectionID"])]


def test_a_draft_a_colleague_deleted_sends_none_of_its_parts(login_as, user):
    """刘 starts a draft listing 张, answers, samples, photographs and gets the party's signature, then
    deletes it. 张's phone, pulling fresh or from before the draft, holds no part of a case it lacks."""
    zhang_api = login_as("tuoketuo.zhang")
    earlier = Phone(zhang_api)
    earlier.pull()
    liu = Phone(login_as("tuoketuo.liu"))
    party = factories.party("150122")
    case_id = new_id()
    liu.push(liu.mutation("inspection.create.v1", **inspection_args(
        party.id, _ids(user, "tuoketuo.liu", "tuoketuo.zhang"), inspection_id=case_id)),
        *fill_and_sign(liu, case_id),
        liu.mutation("sample.add.v1", id=new_id(), inspectionID=case_id, name="复合肥料", quantity="2 kg",
                     baseQuantity="120 袋", sealNumbers=["FY20260001"]),
        liu.mutation("photo.add.v1", id=new_id(), inspectionID=case_id, sha256="b" * 64, size=1000,
                     mediaType="image/jpeg", takenAt="2026-11-30T09:20:00+08:00"))
    between = Phone(zhang_api)
    between.pull()
    assert len(between.of_type("finding")) == len(factories.template("fertilizer").items())  # while it lived
    assert liu.send("inspection.delete.v1", id=case_id)["status"] == "applied"

    fresh = Phone(zhang_api)
    fresh.pull()
    earlier.pull()
    between.pull()
    for phone in (fresh, earlier, between):
        assert not phone.has("inspection", case_id)
        assert _orphans(phone) == []
    sent = [c for page in [Phone(zhang_api).pull_page(limit=1000)] for c in page["patch"]]
    assert not [c for c in sent if c["op"] == "put" and (c.get("value") or {}).get("inspectionID") == case_id]


def test_a_fresh_pull_of_many_pages_ends_after_old_scope_exits_were_pruned(zhang):
    """Pruning moves the horizon past old rows; a new phone's first round still runs to its end
    (a round's page sits below the horizon by nature: only a cursor from before it must restart)."""
    expected = _insert_parties("150122", 40, batch=4)
    db.session.execute(update(SyncState).where(SyncState.id == 1).values(horizon=SyncState.version))
    db.session.commit()
    pages = [zhang.pull_page(limit=10)]
    while pages[-1]["hasMore"] and len(pages) < 50:
        pages.append(zhang.pull_page(limit=10))
    assert not pages[-1]["hasMore"], "the round never ended"
    assert [p["reset"] for p in pages].count(True) == 1
    assert expected <= set(zhang.of_type("party"))


def _case(phone: Phone, user, *inspectors: str) -> str:
    """A filled and signed draft that `phone`'s user records with these inspectors."""
    db.session.rollback()  # a snapshot from before the last push could not write the party
    case_id = new_id()
    phone.push(phone.mutation("inspection.create.v1", **inspection_args(
        factories.party("150122").id, _ids(user, *inspectors), inspection_id=case_id)), *fill_and_sign(phone, case_id))
    return case_id


def _case_of(change: dict) -> str | None:
    return change["id"] if change["type"] == "inspection" else (change.get("value") or {}).get("inspectionID")


def _kept(phone: Phone) -> dict:
    """What the phone app keeps: it drops a case's rows with the case (sync.js, dropCaseRows)."""
    orphans = set(_orphans(phone))
    return {key: value for key, value in phone.rows.items() if key not in orphans}


def test_a_new_phone_receives_its_cases_whole_one_after_another(zhang, user):
    """In small pages, a fresh phone gets each case with all its parts before the next case, the
    case itself first, and nothing twice (so a phone cut off mid-way holds whole cases)."""
    cases = [_case(zhang, user, "tuoketuo.zhang", "tuoketuo.liu") for _ in range(4)]
    fresh = Phone(zhang.api)
    arrivals = [change for page in fresh.pull(limit=7) for change in page["patch"]]
    of_cases = [change for change in arrivals if _case_of(change) in cases]
    order = [case for case, _ in itertools.groupby(_case_of(change) for change in of_cases)]
    assert order == sorted(cases)  # one run of rows per case
    for case in cases:
        rows = [(c["type"], c["id"]) for c in of_cases if _case_of(c) == case]
        assert rows[0] == ("inspection", case)
        assert len([kind for kind, _ in rows if kind == "finding"]) == len(factories.template("fertilizer").items())
        assert len([kind for kind, _ in rows if kind == "signature"]) == 1
    assert len({(c["type"], c["id"]) for c in arrivals}) == len(arrivals)
    assert [p["reset"] for p in fresh.pull()] == [False]


def test_what_changes_while_a_new_phone_walks_its_cases_arrives_too(login_as, user):
    """While a new phone is part-way through its cases, 刘 changes an answer of a case it already has,
    deletes a draft it has not reached, takes 张 off a case it is in the middle of and off one it has
    not reached, and adds 张 to an older case. The phone ends up holding what a phone that starts
    after all that holds."""
    zhang_api = login_as("tuoketuo.zhang")
    liu = Phone(login_as("tuoketuo.liu"))
    cases = sorted(_case(liu, user, "tuoketuo.liu", "tuoketuo.zhang") for _ in range(5))
    joined = _case(liu, user, "tuoketuo.liu", "xincheng.zhou")
    fresh = Phone(zhang_api)
    rows_of_a_case = 2 + len(factories.template("fertilizer").items())  # the case, its findings, a signature
    first_page = fresh.pull_page(limit=rows_of_a_case + 3)
    assert first_page["hasMore"] and fresh.has("inspection", cases[1]) and not fresh.has("inspection", cases[2])

    answered = db.session.scalars(select(Finding).where(Finding.inspection_id == cases[0])).first()
    assert liu.send("finding.set.v1", id=answered.id, inspectionID=cases[0], itemKey=answered.item_key,
                    result="fail", note="包装标识不全")["status"] == "applied"
    assert liu.send("inspection.delete.v1", id=cases[4])["status"] == "applied"
    for case in (cases[1], cases[3]):
        assert liu.send("inspection.update.v1", id=case, baseVersion=0, fields={
            "inspectorIDs": _ids(user, "tuoketuo.liu", "xincheng.zhou")})["status"] == "applied"
    assert liu.send("inspection.update.v1", id=joined, baseVersion=0, fields={
        "inspectorIDs": _ids(user, "tuoketuo.liu", "xincheng.zhou", "tuoketuo.zhang")})["status"] == "applied"

    while fresh.pull_page(limit=rows_of_a_case + 3)["hasMore"]:
        pass
    after_all = Phone(zhang_api)
    after_all.pull()
    assert _kept(fresh) == _kept(after_all)
    held = {case for case in cases + [joined] if fresh.has("inspection", case)}
    assert held == {cases[0], cases[2], joined}
    assert fresh.value("finding", answered.id)["note"] == "包装标识不全"
    assert len([f for f in fresh.of_type("finding").values() if f["inspectionID"] == joined]) == rows_of_a_case - 2


def test_a_round_begun_before_cases_came_whole_starts_again(zhang, user):
    """A phone part-way through a fresh pull when the server was updated holds a cursor of the old
    round: continuing it would skip rows the case walk sends, so it starts again."""
    _case(zhang, user, "tuoketuo.zhang", "tuoketuo.liu")
    zhang.pull()
    scope = scope_hash(user("tuoketuo.zhang"))
    old_round = {"v": 1, "t": None, "k": None, "s": scope, "u": zhang.user_id, "r": 1}
    zhang.cursor = base64.urlsafe_b64encode(json.dumps(old_round).encode()).decode()
    assert zhang.pull_page()["reset"] is True


def test_a_doctored_case_walk_position_answers_a_reset(zhang, user):
    zhang.pull()
    scope = scope_hash(user("tuoketuo.zhang"))
    for position in (["a", "nonsense", "b"], ["a", "finding", 7], ["a" * 65, "finding", "b"], [1, "finding", "b"],
                     ["a", "decision", "b"], ["a\x00", "inspection", "a"], ["a", "finding"], "a"):
        body = {"v": -1, "t": None, "k": None, "s": scope, "u": zhang.user_id, "r": 1, "f": 2, "c": position}
        zhang.cursor = base64.urlsafe_b64encode(json.dumps(body).encode()).decode()
        assert zhang.pull_page()["reset"] is True, position


def test_the_case_walk_names_every_kind_that_belongs_to_a_case(user):
    """A walk position is checked against CASE_TYPES: a kind of case row added to case_sources and
    not there would make every cursor inside such a case unreadable (a reset on each page)."""
    from inspector.services.sync.pull import CASE_TYPES, UserCases, case_sources

    kinds = {source.type for source in case_sources(user("tuoketuo.zhang"), UserCases.these([]))}
    assert kinds == CASE_TYPES
