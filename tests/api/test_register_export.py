"""Exports of the register: every deadline with its state, scoped like the register, and the reporter
exported only to those handling the report."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timezone

import pytest

from inspector import clock
from inspector.services.complaints import register_filing

from .. import factories
from ..console_support import reviewer_session

RECEIVED = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)  # 10:00 Beijing, the day before 国庆


@pytest.fixture
def register(app):
    clock.set_now(datetime(2026, 10, 16, 1, 0, tzinfo=timezone.utc))  # Fri 10/16: CR-A1's 10/15 has passed
    registrar = factories.user("tuoketuo.registrar")
    common = {"channel": "12315_phone", "received_at": RECEIVED, "respondent_name": "托克托县丰收农资经营部",
              "product_category": "fertilizer"}
    register_filing(registrar, {**common, "kind": "complaint", "facts": "复合肥结块", "requests": "退货",
                                "person_name": "王投诉", "person_phone": "13800000001"})
    register_filing(registrar, {**common, "kind": "report", "facts": "李举报说店里卖假化肥，电话13912345678",
                                "person_name": "李举报", "person_phone": "13912345678"})
    yield
    clock.set_now(None)


def _csv(client, name: str) -> list[dict[str, str]]:
    response = client.get(f"/console/filings/export/{name}.csv", buffered=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_register_exports_every_deadline_with_its_state(client, register):
    reviewer_session(client, "tuoketuo.head")
    rows = {r["类型"]: r for r in _csv(client, "filings")}
    assert set(rows) == {"投诉", "举报"}
    assert rows["投诉"]["到期日"] == "2026-10-15" and rows["投诉"]["期限状态"] == "已逾期"  # CR-A1
    deadlines = _csv(client, "deadlines")
    accept = next(d for d in deadlines if d["规则编号"] == "CR-S1")
    assert (accept["起算日"], accept["期间"], accept["到期日"], accept["期限状态"]) == (
        "2026-09-30", "7个工作日", "2026-10-15", "已逾期")
    verify = next(d for d in deadlines if d["规则编号"] == "CR-R1")
    assert verify["期限"] == "核查并决定是否立案" and verify["期限状态"] in ("未到期", "已逾期", "今日到期")


def test_the_head_of_the_handling_bureau_exports_the_reporter(client, register):
    reviewer_session(client, "tuoketuo.head")
    report = next(r for r in _csv(client, "filings") if r["类型"] == "举报")
    assert (report["投诉人/举报人"], report["联系电话"]) == ("李举报", "13912345678")


@pytest.mark.parametrize("username", ["tuoketuo.officer", "hhht.reviewer", "hhht.officer"])
def test_below_the_handling_level_the_reporter_is_withheld_everywhere_in_the_export(client, register, username):
    reviewer_session(client, username)
    rows = {r["类型"]: r for r in _csv(client, "filings")}
    assert (rows["举报"]["投诉人/举报人"], rows["举报"]["联系电话"]) == ("（保密）", "（保密）")
    assert rows["举报"]["事实经过"] == "＊＊说店里卖假化肥，电话＊＊"
    assert rows["投诉"]["投诉人/举报人"] == "王投诉"  # a complainant is a party to the mediation
    book = client.get("/console/filings/export/register.xlsx", buffered=True)
    assert book.status_code == 200
    with zipfile.ZipFile(io.BytesIO(book.get_data())) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "托克托县丰收农资经营部" in xml and "CR-R1" in xml
    assert "李举报" not in xml and "13912345678" not in xml


def test_another_league_exports_nothing_of_tuoketuo(client, register):
    reviewer_session(client, "baotou.reviewer")
    assert _csv(client, "filings") == [] and _csv(client, "deadlines") == []


def test_an_inspector_cannot_export_the_register(client, register):
    reviewer_session(client, "tuoketuo.zhang")
    assert client.get("/console/filings/export/filings.csv").status_code == 403
    reviewer_session(client, "tuoketuo.head")
    assert client.get("/console/filings/export/other.csv").status_code == 404
