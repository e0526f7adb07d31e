"""Pushes side by side: a device's batch in one transaction with a savepoint per mutation, and the
sync version and the audit head taken as the last statements before commit."""
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
    assert per_mutation <= 100
