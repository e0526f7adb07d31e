"""Reviewers approving at the same moment, each on their own database connection."""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from inspector.database import db
from inspector.errors import ApiError
from inspector.models import ReviewDecision, User
from inspector.services import review
from inspector.services.case_numbers import local_year

from ..console_support import submitted_case

N_CASES = 12


def _run_at_once(app, jobs):
    """Run each job in its own thread with its own app context (so its own session and connection),
    all released together; returns each job's result or the ApiError it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[index] = job()
            except ApiError as err:
                results[index] = err
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _approve(username: str, case_id: str, version: int):
    def job():
        reviewer = db.session.scalars(select(User).where(User.username == username)).one()
        return review.decide(reviewer, case_id, review.Decision("approve", version)).case_number
    return job


def test_concurrent_approvals_number_cases_without_gaps_or_duplicates(app):
    cases = [submitted_case() for _ in range(N_CASES)]
    jobs = [_approve("hhht.reviewer" if i % 2 else "hq.reviewer", c.id, c.version) for i, c in enumerate(cases)]
    numbers = _run_at_once(app, jobs)
    assert all(isinstance(n, str) for n in numbers), numbers
    pattern = re.compile(rf"^呼托市监检〔{local_year()}〕(\d+)号$")
    sequence = sorted(int(pattern.match(n).group(1)) for n in numbers)
    assert sequence == list(range(1, N_CASES + 1))
    db.session.rollback()
    stored = db.session.scalars(select(ReviewDecision.case_number).where(ReviewDecision.decision == "approve")).all()
    assert sorted(stored) == sorted(numbers)


def test_two_reviewers_deciding_one_case_at_once_only_one_wins(app):
    case = submitted_case()
    results = _run_at_once(app, [_approve("hhht.reviewer", case.id, case.version),
                                 _approve("hq.reviewer", case.id, case.version)])
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, ApiError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "case_changed"
    db.session.rollback()
    assert len(db.session.scalars(select(ReviewDecision).where(ReviewDecision.inspection_id == case.id)).all()) == 1


@pytest.mark.parametrize("failing_at", ["audit"])
def test_a_failed_approval_gives_its_number_back(app, monkeypatch, failing_at):
    """Numbers are never skipped: an approval that fails after reserving a number rolls it back."""
    first, second = submitted_case(), submitted_case()
    reviewer = db.session.scalars(select(User).where(User.username == "hhht.reviewer")).one()

    def broken_record(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(review.audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        review.decide(reviewer, first.id, review.Decision("approve", first.version))
    db.session.rollback()
    monkeypatch.undo()
    decision = review.decide(reviewer, second.id, review.Decision("approve", second.version))
    assert decision.case_number == f"呼托市监检〔{local_year()}〕1号"


def test_an_event_recorded_first_takes_the_sync_version_before_the_audit_head(app):
    """Every writer locks the sync version before the audit chain's head, as a push does at its end:
    a console action that records its event before its first versioned write, taking them the
    other way round, could deadlock with a push (and one of the two would fail)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from inspector.services import audit

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: no two transactions hold locks at once")
    audit.record("case.viewed", "inspection", "c-1", reason="lock order")
    try:
        with db.engine.connect() as other:
            with pytest.raises(OperationalError, match="could not obtain lock"):
                other.execute(text("SELECT version FROM sync_state WHERE id = 1 FOR UPDATE NOWAIT"))
    finally:
        db.session.rollback()
