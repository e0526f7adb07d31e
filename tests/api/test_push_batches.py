"""Pushes side by side: a device's batch in one transaction (a savepoint per mutation only when the
first try met a rejection or an error), and the sync version and the audit head taken as the last
statements before commit."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from inspector.database import db
from inspector.models import AuditEvent, Device, Finding, MutationLog

from .. import factories
from ..sync_phone import Phone, inspection_args, new_id


@pytest.fixture
def zhang(login_as) -> Phone:
    return Phone(login_as("tuoketuo.zhang"))


@pytest.fixture
def tuoketuo_party(app):
    return factories.party("150122", "托克托县丰收农资经营部")


def _pair(user) -> list[int]:
    return [user("tuoketuo.zhang").id, user("tuoketuo.liu").id]


def _case(phone: Phone, party_id: str, inspector_ids: list[int], findings: int = 30) -> tuple[str, list[dict]]:
    """An inspection.create.v1 and a finding.set.v1 per pass/fail item (up to `findings`)."""
    case_id = new_id()
    batch = [phone.mutation("inspection.create.v1", **inspection_args(party_id, inspector_ids, inspection_id=case_id))]
    for item in factories.template("fertilizer").items()[:findings]:
        if item["kind"] == "pass_fail_na":
            batch.append(phone.mutation("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey=item["key"],
                                        result="pass", note="货架商品标签齐全"))
    return case_id, batch


@contextmanager
def counting_statements(engine):
    """Count the SQL statements sent to the database (an executemany counts once)."""
    counted = {"n": 0}

    def count(*_args):
        counted["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_per_mutation(phone: Phone, batch: list[dict]) -> float:
    db.session.rollback()
    with counting_statements(db.engine) as counted:
        answer = phone.push(*batch)
    assert [r["status"] for r in answer["results"]] == ["applied"] * len(batch)
    return counted["n"] / len(batch)


def test_a_batch_of_mutations_costs_few_statements_each(zhang, tuoketuo_party, user, capsys):
    _, batch = _case(zhang, tuoketuo_party.id, _pair(user))
    per_mutation = statements_per_mutation(zhang, batch)
    with capsys.disabled():
        print(f"\n[{db.engine.dialect.name}] {per_mutation:.2f} SQL statements per mutation "
              f"({len(batch)} mutations in one push)")
    # 10.8 when each mutation was a transaction of its own, 4.3 with a savepoint each (SAVEPOINT,
    # INSERT, RELEASE): a clean push now flushes its findings together at the end.
    assert per_mutation <= 2


def _rows(phone: Phone) -> dict[tuple[str, object], int]:
    return dict(phone.versions)


def test_two_pushes_run_side_by_side_and_a_pull_loses_and_reorders_nothing(app, login_as, user, tuoketuo_party,
                                                                            monkeypatch):
    """Two phones' pushes are inside their handlers at the same moment (before, the second waited for
    the first's version lock until it committed); a phone pulling all along ends with exactly what a
    fresh pull sees, each page in version order."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    from inspector.services.sync import mutations

    zhang, liu = Phone(login_as("tuoketuo.zhang")), Phone(login_as("tuoketuo.liu"))
    watcher = Phone(login_as("tuoketuo.zhang", client_id=new_id()))
    watcher.pull()
    real = mutations.REGISTRY["finding.set.v1"]
    together = threading.Barrier(2)
    waited: set[int] = set()

    def meet_then_apply(ctx, args):
        if threading.get_ident() not in waited:  # each push's first finding waits for the other push
            waited.add(threading.get_ident())
            together.wait(timeout=60)  # a guard against hanging, not a time limit: it breaks only if serialised
        real.handler(ctx, args)

    monkeypatch.setitem(mutations.REGISTRY, "finding.set.v1", mutations.Mutation(real.name, real.schema, meet_then_apply))
    batches = {phone.client_id: _case(phone, tuoketuo_party.id, _pair(user)) for phone in (zhang, liu)}
    answers: dict[str, object] = {}
    pushing = threading.Event()
    pushing.set()

    def push(phone: Phone) -> None:
        answers[phone.client_id] = phone.push_raw(batches[phone.client_id][1], client=app.test_client())

    pages: list[dict] = []

    def watch() -> None:
        while pushing.is_set():
            pages.append(watcher.pull_page(limit=7))

    threads = [threading.Thread(target=push, args=(phone,)) for phone in (zhang, liu)]
    observer = threading.Thread(target=watch)
    observer.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    pushing.clear()
    observer.join(120)
    assert not together.broken, "the two pushes did not run side by side"
    for phone in (zhang, liu):
        answer = answers[phone.client_id]
        assert answer.status_code == 200, answer.get_json()
        assert {r["status"] for r in answer.get_json()["results"]} == {"applied"}
    watcher.pull()
    pages.append({"patch": []})
    for page in pages:
        versions = [c["version"] for c in page["patch"]]
        assert versions == sorted(versions)
    fresh = Phone(login_as("tuoketuo.zhang", client_id=new_id()))
    fresh.pull()
    assert watcher.rows == fresh.rows and _rows(watcher) == _rows(fresh)
    for case_id, batch in batches.values():
        assert watcher.has("inspection", case_id)
        assert len([f for f in watcher.of_type("finding").values() if f["inspectionID"] == case_id]) == len(batch) - 1
    db.session.rollback()
    from inspector.services import audit
    assert audit.verify_chain().ok


def test_two_phones_answering_the_same_item_at_once_end_with_one_merged_answer(app, login_as, user, tuoketuo_party,
                                                                                monkeypatch):
    """Both pushes read the case's answers before either commits; the second to reach the unique
    key finds the first's answer there, starts again and merges into it. Nothing of its first try
    stays: one answer, one audit event per mutation, an intact chain, and pulls agree."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    from inspector.services.sync import mutations

    zhang, liu = Phone(login_as("tuoketuo.zhang")), Phone(login_as("tuoketuo.liu"))
    case_id = new_id()
    zhang.send("inspection.create.v1", **inspection_args(tuoketuo_party.id, _pair(user), inspection_id=case_id))
    item = next(i["key"] for i in factories.template("fertilizer").items() if i["kind"] == "pass_fail_na")
    real = mutations.REGISTRY["finding.set.v1"]
    together = threading.Barrier(2)
    waited: set[int] = set()

    def apply_then_meet(ctx, args):
        real.handler(ctx, args)
        if threading.get_ident() not in waited:  # both have read "no answer yet" before either commits
            waited.add(threading.get_ident())
            together.wait(timeout=60)  # a guard against hanging, not a time limit

    monkeypatch.setitem(mutations.REGISTRY, "finding.set.v1", mutations.Mutation(real.name, real.schema, apply_then_meet))
    db.session.rollback()
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    answers = {}

    def push(phone: Phone, result: str, note: str) -> None:
        batch = [phone.mutation("finding.set.v1", id=new_id(), inspectionID=case_id, itemKey=item, result=result,
                                note=note)]
        answers[phone.client_id] = phone.push_raw(batch, client=app.test_client())

    threads = [threading.Thread(target=push, args=(zhang, "pass", "标签齐全")),
               threading.Thread(target=push, args=(liu, "fail", "标签缺少生产日期"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not together.broken, "the two pushes did not run side by side"
    for answer in answers.values():
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["results"][0]["status"] in {"applied", "applied_with_conflict"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Finding).where(
        Finding.inspection_id == case_id, Finding.item_key == item)) == 1
    assert db.session.scalar(select(func.count()).select_from(MutationLog)) == 3
    events = db.session.scalar(select(func.count()).select_from(AuditEvent)) - events_before
    conflicts = sum(a.get_json()["results"][0]["status"] == "applied_with_conflict" for a in answers.values())
    assert events == 2 + conflicts  # each mutation's event (and a conflict's), none of a first try
    from inspector.services import audit
    assert audit.verify_chain().ok
    fresh = Phone(login_as("tuoketuo.liu", client_id=new_id()))
    fresh.pull()
    zhang.pull()
    assert [f for f in fresh.of_type("finding").values() if f["inspectionID"] == case_id] == \
        [f for f in zhang.of_type("finding").values() if f["inspectionID"] == case_id]
    assert len([f for f in fresh.of_type("finding").values() if f["inspectionID"] == case_id]) == 1


def test_a_rejected_mutation_inside_a_batch_rolls_back_only_itself(zhang, tuoketuo_party, user, monkeypatch):
    """The third mutation writes a finding and its audit event, then fails: they are undone, the
    others stay applied, the rejection is kept, and the same batch again is answered from the log."""
    from inspector.services.sync import mutations
    from inspector.services.sync.context import reject

    case_id, batch = _case(zhang, tuoketuo_party.id, _pair(user), findings=6)
    doomed = batch[2]["args"]["itemKey"]
    real = mutations.REGISTRY["finding.set.v1"]

    def write_then_fail(ctx, args):
        real.handler(ctx, args)
        if args["item_key"] == doomed:
            db.session.flush()
            raise reject("invalid", "Refused after writing.", "写入后被拒绝。", "itemKey")

    monkeypatch.setitem(mutations.REGISTRY, "finding.set.v1", mutations.Mutation(real.name, real.schema, write_then_fail))
    answer = zhang.push(*batch)
    statuses = [r["status"] for r in answer["results"]]
    assert statuses == ["applied", "applied", "rejected"] + ["applied"] * (len(batch) - 3)
    assert answer["lastMutationID"] == len(batch)
    zhang.pull()
    answered = {f["itemKey"] for f in zhang.of_type("finding").values() if f["inspectionID"] == case_id}
    assert doomed not in answered and len(answered) == len(batch) - 2
    assert zhang.has("rejection", f"{zhang.client_id}:3")
    db.session.rollback()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    logs = db.session.scalar(select(func.count()).select_from(MutationLog))
    assert db.session.scalar(select(func.count()).select_from(Finding).where(Finding.item_key == doomed,
                                                                             Finding.inspection_id == case_id)) == 0
    again = zhang.push(*batch)
    assert again == answer
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert db.session.scalar(select(func.count()).select_from(MutationLog)) == logs
    assert db.session.scalar(select(Device.last_mutation_id).where(Device.client_id == zhang.client_id)) == len(batch)
    from inspector.services import audit
    assert audit.verify_chain().ok


def test_a_late_transaction_never_commits_the_placeholder_version(zhang, tuoketuo_party):
    """Rows written while the version is pending get the transaction's version at the latest at commit,
    and a phone pulls them with it."""
    from inspector.models import Party
    from inspector.models.sync import PENDING, defer_version

    zhang.pull()
    db.session.rollback()
    defer_version(db.session)
    party = db.session.get(Party, tuoketuo_party.id)
    party.name = "托克托县丰收农资经营部（新址）"
    db.session.flush()
    assert party.version == PENDING
    db.session.commit()
    db.session.rollback()
    version = db.session.get(Party, tuoketuo_party.id).version
    assert version != PENDING
    zhang.pull()
    assert zhang.value("party", tuoketuo_party.id)["name"] == "托克托县丰收农资经营部（新址）"
    assert zhang.versions[("party", tuoketuo_party.id)] == version
