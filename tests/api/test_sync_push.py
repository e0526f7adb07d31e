"""Push: every mutation applied once, in order; bad ones kept and skipped; busy database retried."""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from inspector.database import db
from inspector.models import AuditEvent, Device, Finding, Inspection, InspectionInspector, MutationLog, Party

from .. import factories
from ..sync_phone import Phone, inspection_args, new_id


@pytest.fixture
def zhang(login_as) -> Phone:
    return Phone(login_as("tuoketuo.zhang"))


@pytest.fixture
def tuoketuo_party(app):
    return factories.party("150122", "托克托县丰收农资经营部")


def _inspectors(user, *names: str) -> list[int]:
    return [user(n).id for n in names]


def _batch(phone: Phone, party_id: str, inspector_ids: list[int], findings: int = 5) -> tuple[str, list[dict]]:
    inspection_id = new_id()
    batch = [phone.mutation("inspection.create.v1", **inspection_args(party_id, inspector_ids,
                                                                       inspection_id=inspection_id))]
    for item in factories.template("fertilizer").items()[:findings]:
        if item["kind"] == "pass_fail_na":
            batch.append(phone.mutation("finding.set.v1", id=new_id(), inspectionID=inspection_id,
                                        itemKey=item["key"], result="pass", note="货架商品标签齐全"))
    return inspection_id, batch


def _count(model, *where) -> int:
    db.session.rollback()  # see what the requests committed
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_an_inspector_records_a_case_offline_and_pushes_it(zhang, tuoketuo_party, user):
    inspection_id, batch = _batch(zhang, tuoketuo_party.id, _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu"))
    answer = zhang.push(*batch)
    assert answer["lastMutationID"] == len(batch)
    assert [r["status"] for r in answer["results"]] == ["applied"] * len(batch)
    assert [r["id"] for r in answer["results"]] == list(range(1, len(batch) + 1))
    db.session.rollback()  # see what the request committed
    case = db.session.get(Inspection, inspection_id)
    assert case.status == "draft" and case.created_by_id == user("tuoketuo.zhang").id
    assert [link.user_id for link in case.inspectors] == _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu")
    assert _count(Finding, Finding.inspection_id == inspection_id) == len(batch) - 1
    device = db.session.scalars(select(Device).where(Device.client_id == zhang.client_id)).one()
    assert device.last_mutation_id == len(batch) and device.last_sync_at is not None
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.inspection_id == inspection_id)).all()
    assert len(events) == len(batch)  # one audit event per applied mutation, from this phone
    assert {e.device_id for e in events} == {device.id}


def test_the_same_batch_pushed_three_times_is_applied_once(zhang, tuoketuo_party, user):
    inspection_id, batch = _batch(zhang, tuoketuo_party.id, _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu"))
    batch.append(zhang.mutation("party.create.v1", id=new_id(), name="托克托县新开农资店",
                                creditCode=factories.credit_code("150122")))
    batch.append(zhang.mutation("party.create.v1", id=new_id(), name="无效代码", creditCode="91150122MA0000000X"))
    answers = [zhang.push(*batch) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["results"][-1]["status"] == "rejected"
    assert _count(Inspection, Inspection.id == inspection_id) == 1
    assert _count(Finding, Finding.inspection_id == inspection_id) == len(batch) - 3
    assert _count(Party, Party.name == "托克托县新开农资店") == 1
    assert _count(MutationLog) == len(batch)
    assert _count(AuditEvent, AuditEvent.inspection_id == inspection_id) == len(batch) - 2


def test_two_connections_pushing_the_same_batch_at_once_make_one_set_of_rows(app, zhang, tuoketuo_party, user):
    """A phone whose first push timed out pushes again while the first is still running."""
    inspection_id, batch = _batch(zhang, tuoketuo_party.id, _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu"),
                                  findings=20)
    answers: list = [None, None]
    start = threading.Barrier(2)

    def push(slot: int) -> None:
        client = app.test_client()
        start.wait()
        answers[slot] = zhang.push_raw(batch, client=client)

    threads = [threading.Thread(target=push, args=(slot,)) for slot in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [a.status_code for a in answers] == [200, 200], [a.get_json() for a in answers]
    assert answers[0].get_json() == answers[1].get_json()
    assert _count(Inspection, Inspection.id == inspection_id) == 1
    assert _count(InspectionInspector, InspectionInspector.inspection_id == inspection_id) == 2
    assert _count(Finding, Finding.inspection_id == inspection_id) == len(batch) - 1
    assert _count(MutationLog) == len(batch)


def test_a_gap_in_mutation_ids_answers_409_with_the_expected_id(zhang, tuoketuo_party, user):
    _, batch = _batch(zhang, tuoketuo_party.id, _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu"))
    zhang.push(*batch[:2])
    response = zhang.push_raw(batch[3:])
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "mutation_out_of_order" and error["details"]["expectedID"] == 3
    assert zhang.push(*batch[2:])["lastMutationID"] == len(batch)


def test_rejected_mutations_are_kept_and_do_not_block_the_queue(zhang, tuoketuo_party, user, login_as):
    donghe_party = factories.party("150202", "东河区惠农化肥销售中心")
    pair = _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu")
    case_id = new_id()
    batch = [
        zhang.mutation("party.create.v1", id=new_id(), name="代码错误的店", creditCode="91150122MA0000000X"),
        zhang.mutation("inspection.create.v1", **inspection_args(donghe_party.id, pair)),
        zhang.mutation("inspection.create.v1", **inspection_args(tuoketuo_party.id, pair, inspection_id=case_id)),
        zhang.mutation("inspection.submit.v1", id=case_id),
        zhang.mutation("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey="G01", result="pass"),
    ]
    answer = zhang.push(*batch)
    assert [r["status"] for r in answer["results"]] == ["rejected", "rejected", "applied", "rejected", "applied"]
    assert answer["lastMutationID"] == 5
    credit, forbidden, _, submit, _ = answer["results"]
    assert credit["reasons"][0]["code"] == "invalid_credit_code" and credit["reasons"][0]["messageZh"]
    assert forbidden["reasons"][0]["code"] == "party_not_found"
    missing = {r["field"] for r in submit["reasons"] if r["code"] == "missing_required_item"}
    required = {i["key"] for i in factories.template("fertilizer").items() if i["required"]}
    assert missing == required  # every missing item named, not just the first
    assert "party_signature_missing" in {r["code"] for r in submit["reasons"]}
    db.session.rollback()
    assert db.session.get(Inspection, case_id).status == "draft"

    # The payloads are kept: the author pulls them back, the league's reviewer sees them.
    zhang.pull()
    rejections = zhang.of_type("rejection")
    assert len(rejections) == 3
    kept = rejections[f"{zhang.client_id}:1"]
    assert kept["args"]["name"] == "代码错误的店" and kept["reasons"][0]["code"] == "invalid_credit_code"
    reviewer = login_as("hhht.reviewer").get("/api/v1/sync/rejections").get_json()["rejections"]
    assert {r["mutationID"] for r in reviewer} == {1, 2, 4}
    on_case = login_as("hhht.reviewer").get(f"/api/v1/sync/rejections?inspectionID={case_id}").get_json()
    assert [r["name"] for r in on_case["rejections"]] == ["inspection.submit.v1"]
    assert login_as("baotou.reviewer").get("/api/v1/sync/rejections").get_json()["rejections"] == []


def test_a_push_must_come_from_the_logged_in_installation(zhang, login_as):
    other = login_as("tuoketuo.liu")
    response = zhang.push_raw([zhang.mutation("inspection.delete.v1", id=new_id())], clientID=other.client_id)
    assert response.status_code == 403
    assert _count(MutationLog) == 0


def test_unknown_mutations_and_schema_versions_change_nothing(zhang, tuoketuo_party, user):
    _, batch = _batch(zhang, tuoketuo_party.id, _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu"))
    batch.append({"id": len(batch) + 1, "name": "inspection.teleport.v9", "args": {}})
    response = zhang.push_raw(batch)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "version_not_supported"
    assert response.get_json()["error"]["details"]["names"] == ["inspection.teleport.v9"]
    response = zhang.push_raw(batch[:1], schemaVersion=99)
    assert response.status_code == 400 and response.get_json()["error"]["details"]["versionType"] == "schema"
    assert _count(MutationLog) == 0


def test_more_than_a_hundred_mutations_is_too_large(zhang):
    batch = [zhang.mutation("inspection.delete.v1", id=new_id()) for _ in range(101)]
    assert zhang.push_raw(batch).status_code == 413


def test_a_busy_database_answers_503_and_advances_nothing(zhang, tuoketuo_party, user, monkeypatch):
    from inspector.services.sync import mutations

    inspection_id, batch = _batch(zhang, tuoketuo_party.id, _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu"))
    real = mutations.REGISTRY["finding.set.v1"]

    def busy(ctx, args):
        raise OperationalError("UPDATE ...", {}, Exception("canceling statement due to lock timeout"))

    monkeypatch.setitem(mutations.REGISTRY, "finding.set.v1", mutations.Mutation(real.name, real.schema, busy))
    response = zhang.push_raw(batch)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert _count(MutationLog) == 1  # the create before it was committed; the finding was not
    device = db.session.scalars(select(Device).where(Device.client_id == zhang.client_id)).one()
    assert device.last_mutation_id == 1

    monkeypatch.setitem(mutations.REGISTRY, "finding.set.v1", real)
    answer = zhang.push(*batch)
    assert [r["status"] for r in answer["results"]] == ["applied"] * len(batch)
    assert _count(Finding, Finding.inspection_id == inspection_id) == len(batch) - 1


def test_hostile_content_is_rejected_by_name_never_a_server_error(zhang, tuoketuo_party, user):
    pair = _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu")
    answer = zhang.push(
        zhang.mutation("party.create.v1", id=new_id(), name="农资\x00店"),
        zhang.mutation("inspection.create.v1", **inspection_args(tuoketuo_party.id, pair, templateID=10**30)),
        zhang.mutation("inspection.create.v1", **inspection_args(tuoketuo_party.id, [pair[0], 2**40])),
        zhang.mutation("sample.update.v1", id=new_id(), baseVersion=-1, fields={"name": ["x"]}),
        zhang.mutation("finding.set.v1", id="not-a-uuid", inspectionID=new_id(), itemKey="G01", result="maybe"),
    )
    assert [r["status"] for r in answer["results"]] == ["rejected"] * 5
    assert {r["reasons"][0]["code"] for r in answer["results"]} == {"invalid"}
    assert zhang.push_raw([], appVersion="2026\x00").status_code == 400


def test_args_nested_absurdly_deep_are_refused_whole_never_a_server_error(zhang, tuoketuo_party, user):
    """Parseable, but too deep to keep in the mutation log: 400 before anything is applied."""
    create = zhang.mutation("inspection.create.v1", **inspection_args(
        tuoketuo_party.id, _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu")))
    for depth in (40, 600, 930):
        deep = zhang.mutation("party.update.v1", id=new_id(), fields={})
        zhang.next_id -= 1  # the same outbox slot each time: nothing of the batch may be taken
        body = json.dumps({"clientID": zhang.client_id, "schemaVersion": 1, "mutations": [create, deep]})
        body = body.replace('"fields": {}', '"fields": ' + "[" * depth + "]" * depth)
        response = zhang.api.post("/api/v1/sync/push", data=body, content_type="application/json")
        assert response.status_code == 400, (depth, response.status_code)
        assert response.get_json()["error"]["code"] == "invalid_json"
    assert _count(MutationLog) == 0
    assert zhang.push(create)["results"][0]["status"] == "applied"


def test_a_time_outside_what_utc_can_hold_is_refused_by_name(zhang, tuoketuo_party, user):
    """9999-12-31T23:59:59-14:00 is a valid ISO 8601 time, but a year-10000 instant in UTC."""
    create = zhang.mutation("inspection.create.v1", **inspection_args(
        tuoketuo_party.id, _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu"), startedAt="9999-12-31T23:59:59-14:00"))
    late = dict(create, clientTime="9999-12-31T23:59:59-14:00")
    response = zhang.push_raw([late])
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "validation_failed"
    assert _count(MutationLog) == 0
    [result] = zhang.push(create)["results"]
    assert result["status"] == "rejected"
    assert [(r["code"], r["field"]) for r in result["reasons"]] == [("invalid", "startedAt")]


def test_nan_is_not_json_and_the_push_changes_nothing(zhang, tuoketuo_party):
    """Python's parser takes NaN, a PostgreSQL json column does not: the batch is refused whole."""
    batch = [zhang.mutation("finding.set.v1", id=new_id(), inspectionID=new_id(), itemKey="G01", value=float("nan"))]
    body = {"clientID": zhang.client_id, "schemaVersion": 1, "mutations": batch}
    response = zhang.api.post("/api/v1/sync/push", data=json.dumps(body), headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"
    assert _count(MutationLog) == 0


def test_a_rejection_naming_a_garbled_case_is_kept_without_one(zhang):
    """The rejection is shown on the case its args name — but only when that is a real id."""
    answer = zhang.push(zhang.mutation("finding.set.v1", id=new_id(), inspectionID="\x00", itemKey="G01"),
                        zhang.mutation("finding.set.v1", id=new_id(), inspectionID="x" * 36, itemKey="G01"))
    assert [r["status"] for r in answer["results"]] == ["rejected"] * 2
    kept = db.session.scalars(select(MutationLog).where(MutationLog.status == "rejected")).all()
    assert [row.inspection_id for row in kept] == [None, None]


def test_half_an_emoji_is_rejected_by_name_never_a_server_error(zhang, tuoketuo_party, user):
    """A lone surrogate (a JSON \\ud83c escape) is not UTF-8: PostgreSQL cannot store it."""
    inspection_id = new_id()
    zhang.send("inspection.create.v1", **inspection_args(tuoketuo_party.id, _inspectors(
        user, "tuoketuo.zhang", "tuoketuo.liu"), inspection_id=inspection_id))
    batch = [zhang.mutation("party.create.v1", id=new_id(), name="农资\ud83c店"),
             zhang.mutation("finding.set.v1", id=new_id(), inspectionID=inspection_id, itemKey="G01", result="pass",
                            value={"note": "\udfff"})]
    body = {"clientID": zhang.client_id, "schemaVersion": 1, "mutations": batch}
    response = zhang.api.post("/api/v1/sync/push", data=json.dumps(body), headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert [r["status"] for r in answer["results"]] == ["rejected"] * 2
    assert {r["reasons"][0]["code"] for r in answer["results"]} == {"invalid"}


def test_a_push_behind_a_held_lock_waits_or_answers_503(app, zhang, tuoketuo_party, user):
    """Another transaction holds the phone's device row (PostgreSQL) or the database (SQLite).
    PostgreSQL gives up after the lock timeout: 503, nothing advanced, a later retry applies.
    SQLite waits up to its busy timeout: a short hold only delays the push."""
    inspection_id, batch = _batch(zhang, tuoketuo_party.id, _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu"))
    db.session.rollback()
    holder = db.engine.connect()
    holder.begin()
    if db.engine.dialect.name == "postgresql":
        default_timeout, app.config["SYNC_LOCK_TIMEOUT_MS"] = app.config["SYNC_LOCK_TIMEOUT_MS"], 200
        holder.execute(select(Device.id).where(Device.client_id == zhang.client_id).with_for_update())
        try:
            response = zhang.push_raw(batch)
        finally:
            holder.rollback()
            holder.close()
            app.config["SYNC_LOCK_TIMEOUT_MS"] = default_timeout
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert _count(MutationLog) == 0
    else:
        holder.exec_driver_sql("UPDATE sync_state SET version = version")  # takes the write lock
        release = threading.Timer(0.5, lambda: (holder.rollback(), holder.close()))
        release.start()
        assert zhang.push_raw(batch).status_code == 200
        release.join()
    assert zhang.push(*batch)["lastMutationID"] == len(batch)
    assert _count(Finding, Finding.inspection_id == inspection_id) == len(batch) - 1


def test_a_timeout_among_the_pipelined_last_writes_answers_503_and_keeps_nothing(zhang, tuoketuo_party, user,
                                                                                  monkeypatch):
    """On PostgreSQL a push's last writes go in one pipeline, whose errors arrive at its end, outside
    SQLAlchemy: a statement timeout there is still a busy database (503, retry), not a server error."""
    from sqlalchemy import text

    from inspector.services import audit

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the last writes are pipelined on PostgreSQL only")
    _inspection_id, batch = _batch(zhang, tuoketuo_party.id, _inspectors(user, "tuoketuo.zhang", "tuoketuo.liu"))
    real = audit.write_chained

    def slow(events):
        real(events)
        db.session.execute(text("SET LOCAL statement_timeout = 10"))
        db.session.execute(text("SELECT pg_sleep(2)"))

    monkeypatch.setattr(audit, "write_chained", slow)
    response = zhang.push_raw(batch)
    assert response.status_code == 503, response.get_json()
    assert _count(MutationLog) == 0
    monkeypatch.setattr(audit, "write_chained", real)
    assert [r["status"] for r in zhang.push(*batch)["results"]] == ["applied"] * len(batch)
