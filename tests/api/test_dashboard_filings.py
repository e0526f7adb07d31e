"""The dashboard counts complaints and reports by channel, status and product category, and the
working days each kind took to its first decision, within the reader's jurisdiction."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from inspector import clock
from inspector.database import db
from inspector.models import Filing
from inspector.services.complaints import register_filing, transition

from .. import factories
from ..console_support import reviewer_session


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T02:00:00+00:00")  # 10:00 Beijing


@pytest.fixture
def filings(app):
    registrar, officer = factories.user("tuoketuo.registrar"), factories.user("tuoketuo.officer")

    def complaint(received: str, decided: str | None):
        clock.set_now(_at(received))
        filing = register_filing(registrar, {
            "kind": "complaint", "channel": "12315_phone", "received_at": _at(received), "respondent_name": "丰收农资",
            "product_category": "fertilizer", "facts": "化肥结块", "person_name": "王农户", "person_phone": "13800000001"})
        if decided:
            clock.set_now(_at(decided))
            transition(db.session.get(Filing, filing.id), "accept", officer, notice_method="phone")

    complaint("2026-09-30", "2026-10-09")  # 10/8, 10/9: 2 working days
    complaint("2026-10-09", "2026-10-15")  # 10/10 (working Saturday), 10/12–10/15: 5 working days
    clock.set_now(_at("2026-10-12"))
    register_filing(registrar, {"kind": "report", "channel": "12315_platform", "received_at": _at("2026-10-12"),
                                "respondent_name": "某农药店", "product_category": "pesticide", "facts": "假农药",
                                "anonymous": True})
    clock.set_now(_at("2026-10-16"))
    yield
    clock.set_now(None)


def _table(html: str, name: str) -> dict[str, dict[str, str]]:
    body = re.search(rf'<table class="grid compact" data-{name}>(.*?)</table>', html, re.S).group(1)
    rows = {}
    for key, cells in re.findall(r'<tr data-(?:group|kind)="([^"]+)">(.*?)</tr>', body, re.S):
        rows[key] = dict(re.findall(r'<td data-(?:kind|field)="(\w+)">([^<]*)</td>', cells))
    return rows


def test_the_league_sees_complaints_and_reports_by_channel_status_category_and_time_to_decision(client, filings):
    reviewer_session(client, "hhht.reviewer")
    html = client.get("/console/dashboard?campaign=").get_data(as_text=True)
    assert "共 3 件" in html
    channel = _table(html, 'filings-by="channel"')
    assert (channel["12315_phone"]["complaint"], channel["12315_platform"]["report"]) == ("2", "1")
    status = _table(html, 'filings-by="status"')
    assert (status["accepted"]["complaint"], status["verifying"]["report"]) == ("2", "1")
    category = _table(html, 'filings-by="category"')
    assert (category["fertilizer"]["total"], category["pesticide"]["total"]) == ("2", "1")
    times = _table(html, "decision-times")
    assert times["complaint"] == {"decided": "2", "undecided": "0", "average": "3.5", "median": "3.5", "longest": "5"}
    assert (times["report"]["decided"], times["report"]["undecided"], times["report"]["average"]) == ("0", "1", "—")
    assert "12315电话" in html and "化肥" in html


def test_another_league_counts_none_of_them(client, filings):
    reviewer_session(client, "baotou.reviewer")
    html = client.get("/console/dashboard?campaign=").get_data(as_text=True)
    assert "共 0 件" in html


def test_a_date_range_counts_by_the_day_received(client, filings):
    reviewer_session(client, "hhht.reviewer")
    html = client.get("/console/dashboard?campaign=&from=2026-10-09&to=2026-10-31").get_data(as_text=True)
    assert "共 2 件" in html
