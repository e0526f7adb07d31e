"""The review queue: a league reviewer filters, searches and pages through their cases."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from inspector.database import db
from inspector.services import queue as queue_service

from .. import factories
from ..console_support import reviewer_session, submitted_case

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def _party_names(html: str) -> list[str]:
    return re.findall(r'<a href="/console/cases/[^"]+">([^<]+)</a>', html)


def _queue(client, **args) -> str:
    r = client.get("/console/queue", query_string=args)
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_reviewer_sees_only_their_leagues_submitted_cases(client):
    submitted_case(party_name="托克托县丰收农资经营部")
    submitted_case("150102", ("xincheng.zhou", "xincheng.wu"), party_name="新城区田园农膜商行")
    submitted_case("150202", ("donghe.chen", "donghe.sun"), party_name="东河区惠农化肥销售中心")
    reviewer_session(client)
    names = _party_names(_queue(client))
    assert set(names) == {"托克托县丰收农资经营部", "新城区田园农膜商行"}


def test_filters_compose(client):
    a = submitted_case(party_name="托县甲化肥店", findings={"G01": "fail"}, submitted_at=NOW)
    submitted_case(party_name="托县乙化肥店", findings={"G01": "pass"}, submitted_at=NOW - timedelta(days=3))
    submitted_case(party_name="托县丙种子站", key="seed", findings={"G01": "fail"}, submitted_at=NOW)
    submitted_case("150102", ("xincheng.zhou", "xincheng.wu"), party_name="新城丁化肥店",
                   findings={"G02": "fail"}, submitted_at=NOW)
    returned = submitted_case(party_name="托县戊化肥店", submitted_at=NOW)
    returned.status = "returned"
    db.session.commit()
    reviewer_session(client)
    tuoketuo = factories.agency("150122").id

    assert set(_party_names(_queue(client, category="fertilizer"))) == {"托县甲化肥店", "托县乙化肥店", "新城丁化肥店"}
    assert set(_party_names(_queue(client, category="fertilizer", agency=tuoketuo))) == {"托县甲化肥店", "托县乙化肥店"}
    assert _party_names(_queue(client, category="fertilizer", agency=tuoketuo, failed="1")) == ["托县甲化肥店"]
    day = "2026-11-20"  # NOW is 10:00 China time that day
    assert set(_party_names(_queue(client, **{"from": day, "to": day}))) == {"托县甲化肥店", "托县丙种子站", "新城丁化肥店"}
    assert _party_names(_queue(client, status="returned")) == ["托县戊化肥店"]
    assert "托县戊化肥店" in _party_names(_queue(client, status="all"))
    assert a.id in _queue(client, q="甲化肥")


def test_search_by_credit_code_and_case_number(client):
    case = submitted_case(party_name="托克托县绿野种业有限公司")
    case.status, case.case_number = "approved", "呼托市监检〔2026〕41号"
    db.session.commit()
    other = submitted_case(party_name="托克托县另一家店")
    reviewer_session(client)
    assert _party_names(_queue(client, status="all", q=case.party.credit_code)) == ["托克托县绿野种业有限公司"]
    assert _party_names(_queue(client, status="all", q=case.party.credit_code.lower())) == ["托克托县绿野种业有限公司"]
    assert _party_names(_queue(client, status="all", q="〔2026〕41号")) == ["托克托县绿野种业有限公司"]
    assert other.party.name not in _party_names(_queue(client, status="all", q="41号"))


def test_keyset_pages_visit_every_case_once_newest_first(app, user):
    cases = [submitted_case(submitted_at=NOW - timedelta(hours=i // 2)) for i in range(9)]  # pairs share a time
    reviewer = user("hhht.reviewer")
    filters = queue_service.QueueFilters()
    seen, cursor = [], None
    while True:
        page = queue_service.queue_page(reviewer, filters, cursor, limit=4)
        seen += [row.id for row in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    expected = sorted(cases, key=lambda c: (c.submitted_at, c.id), reverse=True)
    assert seen == [c.id for c in expected]


def test_next_page_link_continues_the_queue(client, monkeypatch):
    monkeypatch.setattr(queue_service, "PAGE_SIZE", 2)
    for i in range(3):
        submitted_case(party_name=f"托县分页店{i}", submitted_at=NOW - timedelta(hours=i))
    reviewer_session(client)
    first = _queue(client)
    assert _party_names(first) == ["托县分页店0", "托县分页店1"]
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(next_link).get_data(as_text=True)
    assert _party_names(second) == ["托县分页店2"]
    assert 'rel="next"' not in second


def test_tab_counts_stay_inside_the_jurisdiction(client):
    for _ in range(2):
        submitted_case()
    for _ in range(3):
        submitted_case("150202", ("donghe.chen", "donghe.sun"))
    reviewer_session(client)
    html = _queue(client)
    count = re.search(r'data-status="submitted">\s*\S+ <span class="count">(\d+)</span>', html).group(1)
    assert count == "2"
    reviewer_session(client, "hq.reviewer")
    html = _queue(client)
    assert re.search(r'data-status="submitted">\s*\S+ <span class="count">(\d+)</span>', html).group(1) == "5"


def test_bad_filter_values_are_named_not_fatal(client):
    reviewer_session(client)
    baotou = factories.agency("150202").id
    r = client.get("/console/queue", query_string={"status": "nonsense", "from": "2026-13-45", "agency": baotou,
                                                   "category": "rockets", "after": "%%%"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "已忽略" in html and "agency" in html and "from" in html


def test_inspectors_have_no_queue(client):
    reviewer_session(client, "tuoketuo.zhang")
    assert client.get("/console/queue").status_code == 403


def test_tampered_filters_are_named_as_ignored_not_an_error(client):
    # A reviewer edits the address by hand: an agency id no database holds, a superscript digit,
    # dates at the ends of the calendar and a NUL in the search box.
    submitted_case()
    reviewer_session(client)
    for query in ("agency=99999999999999999999", "agency=%C2%B2", "to=9999-12-31", "from=0001-01-01"):
        for path in ("/console/queue", "/console/dashboard"):
            r = client.get(f"{path}?{query}")
            assert r.status_code == 200, (path, query, r.status_code)
    assert client.get("/console/dashboard?campaign=99999999999999999999").status_code == 200
    assert client.get("/console/queue?q=a%00b").status_code == 400
    assert client.get("/console/cases/a%00b").status_code == 400
