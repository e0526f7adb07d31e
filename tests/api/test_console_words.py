"""What the console says to a reviewer: clear errors, pages that lead back, counts on arrival,
amendments in words, and exports without noise or silent surprises."""
from __future__ import annotations

import csv
import io
import re
import uuid

from inspector.database import db
from inspector.models import Finding, Inspection

from .. import factories
from ..console_support import csrf_token, decide, open_case, reviewer_session, submitted_case
from ..sync_phone import Phone, fill_and_sign, inspection_args, new_id
from .evidence_helpers import blob_dir, camera_jpeg, sha256, upload  # noqa: F401  (fixture)


def _status(case_id: str) -> str:
    db.session.rollback()
    return db.session.get(Inspection, case_id).status


# ---------------------------------------------------------------- decisions

def test_a_return_without_a_comment_says_a_comment_is_needed_and_keeps_the_text(client):
    case = submitted_case()
    reviewer_session(client)
    r = decide(client, case.id, "return", comment="   ")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and _status(case.id) == "submitted"
    assert "退回案件必须填写意见" in html and "填写有误" not in html
    assert "data-return-error" in html  # beside the return form, whose comment box is marked
    assert re.search(r'<textarea name="comment" rows="3" aria-invalid="true" autofocus>', html)
    # A comment on an item that is not on the checklist is named, and what was typed stays.
    r = decide(client, case.id, "return", comment="请补充照片", items={"ZZ99": "不存在的检查项"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "ZZ99" in html and "请补充照片" in html
    assert decide(client, case.id, "reject").get_data(as_text=True).count("不予通过必须填写理由") >= 1


def test_approve_and_reject_forms_ask_for_confirmation(client):
    case = submitted_case()
    reviewer_session(client)
    html, _token, _version = open_case(client, case.id)
    assert 'id="approve-form" data-confirm="确认通过此案件并分配文号？文号一经分配不可撤回。"' in html
    assert 'id="reject-form" data-confirm="确认对此案件作出不予通过决定？"' in html
    assert "/static/console/confirm.js" in html


# ---------------------------------------------------------------- error pages

def test_wrong_and_forbidden_console_urls_get_console_pages_with_navigation(client):
    baotou = submitted_case("150202", ("donghe.chen", "donghe.sun"))
    reviewer_session(client)
    for path in (f"/console/cases/{baotou.id}", "/console/no-such-page", "/console/cases/x/bundle.zip"):
        r = client.get(path)
        html = r.get_data(as_text=True)
        assert r.status_code == 404, path
        assert "页面不存在" in html and "不在您的管辖范围内" in html and "Not Found" not in html, path
        assert 'href="/console/queue"' in html and 'href="/console/"' in html and "<nav>" in html, path
    client.post("/console/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    html = client.get("/console/no-such-page").get_data(as_text=True)
    assert "Page not found" in html and "outside your jurisdiction" in html

    client.post("/console/logout", data={"csrf_token": csrf_token(client)})
    reviewer_session(client, "tuoketuo.zhang")  # an inspector in the reviewers' console
    r = client.get("/console/queue")
    assert r.status_code == 403 and "Forbidden" not in r.get_data(as_text=True)
    assert "Not allowed" in r.get_data(as_text=True) or "无权访问" in r.get_data(as_text=True)


def test_api_errors_stay_json(client):
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


# ---------------------------------------------------------------- landing page

def test_the_landing_page_counts_what_waits_in_the_jurisdiction(client):
    submitted_case()
    submitted_case(party_name="托县第二家")
    returned = submitted_case(party_name="托县退回店")
    returned.status = "returned"
    submitted_case("150202", ("donghe.chen", "donghe.sun"))  # 包头: not 呼和浩特's
    db.session.commit()
    reviewer_session(client)
    html = client.get("/console/").get_data(as_text=True)
    counts = dict(re.findall(r'data-todo-status="(\w+)"><a href="[^"]+"><span class="number">(\d+)</span>', html))
    assert counts == {"submitted": "2", "returned": "1"}
    assert "等待审核决定的案件" in html and 'href="/console/queue?status=returned"' in html


# ---------------------------------------------------------------- exports

def test_csv_numbers_are_written_as_recorded(client):
    case = submitted_case(lat=40.27 + 3 * 0.01, lon=111.18 + 3 * 0.01, gps_accuracy_m=0.1 + 8.4)
    db.session.add(Finding(id=str(uuid.uuid4()), inspection_id=case.id, item_key="F05", value=0.1 + 0.2))
    db.session.commit()
    assert repr(case.lat) == "40.300000000000004"  # the noise a computed float carries
    reviewer_session(client)
    text = client.get("/console/export/inspections.csv", buffered=True).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text[1:])))
    header, row = rows[0], rows[1]
    assert (row[header.index("纬度")], row[header.index("经度")], row[header.index("定位精度（米）")]) == (
        "40.3", "111.21", "8.5")
    findings = client.get("/console/export/findings.csv", buffered=True).get_data(as_text=True)
    assert ",0.3," in findings and "0.30000000000000004" not in findings


def test_an_export_filter_outside_the_jurisdiction_is_refused_not_ignored(client):
    submitted_case(party_name="托县导出店")
    reviewer_session(client)
    baotou = factories.agency("150202").id
    r = client.get(f"/console/export/inspections.csv?agency={baotou}", buffered=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "托县导出店" not in html
    assert "未导出" in html and "机构" in html and "data-error-message" in html
    r = client.get("/console/export/bundle.zip?from=2026-13-40", buffered=True)
    assert r.status_code == 400 and "开始日期" in r.get_data(as_text=True)


# ---------------------------------------------------------------- amendments in words

def test_an_amendment_reads_in_words_with_its_photos(client, app, login_as, user, blob_dir):
    """The phone amends a returned case: writes the narrative, adds a photo and a sample (and sends
    a start time, which an amendment cannot change: the on-site times stay as set at the scene). The
    reviewer reads field names, old → new values and sees the new photo; no field paths, no Python
    values."""
    shop = factories.party("150122", "托克托县丰收农资经营部")
    phone = Phone(login_as("tuoketuo.zhang"))
    case_id = new_id()
    assert phone.send("inspection.create.v1", **inspection_args(
        shop.id, [phone.user_id, user("tuoketuo.liu").id], inspection_id=case_id))["status"] == "applied"
    phone.push(*fill_and_sign(phone, case_id))
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"
    reviewer = app.test_client()
    reviewer_session(reviewer)
    assert decide(reviewer, case_id, "return", comment="请补拍货架照片").status_code == 302

    assert phone.send("inspection.amend.v1", id=case_id, reason="补拍照片")["status"] == "applied"
    phone.pull()
    photo = camera_jpeg((200, 150), seed=7)
    made = phone.push(
        phone.mutation("inspection.update.v1", id=case_id, baseVersion=phone.versions[("inspection", case_id)],
                       fields={"startedAt": "2026-11-30T10:05:00+08:00", "narrative": "货架上陈列复合肥料20袋。"}),
        phone.mutation("photo.add.v1", id=new_id(), inspectionID=case_id, sha256=sha256(photo), size=len(photo),
                       mediaType="image/jpeg", caption="货架"),
        phone.mutation("sample.add.v1", id=new_id(), inspectionID=case_id, name="复合肥料", quantity="2 kg",
                       baseQuantity="20 袋", sealNumbers=["FY1"]))
    assert {r["status"] for r in made["results"]} == {"applied"}, made
    upload(phone.api, photo)
    assert phone.send("inspection.submit.v1", id=case_id)["status"] == "applied"

    html, _token, _version = open_case(reviewer, case_id)
    section = re.search(r"<section class=\"card\" data-revisions>.*?</section>", html, re.S).group(0)
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr data-change>(.*?)</tr>", section, re.S)]
    assert not any(row.startswith("检查开始时间") for row in rows), rows
    assert "现场情况 （空） → 货架上陈列复合肥料20袋。" in rows
    assert any(row.startswith("照片（新增） （空） → 货架") for row in rows), rows
    assert any(row.startswith("抽样 复合肥料（新增）") and "2 kg" in row for row in rows), rows
    assert f'src="/api/v1/blobs/{sha256(photo)}/thumb"' in section
    for raw in ("None", "{'", "findings.", "photos.", "inspection.", "startedAtDevice"):
        assert raw not in section, raw


def test_an_expired_console_form_gets_a_console_page(client):
    reviewer_session(client)
    case = submitted_case()
    r = decide(client, case.id, "approve", token="")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and _status(case.id) == "submitted"
    assert "表单已过期" in html and "data-error-message" in html and 'href="/console/queue"' in html


def test_every_kind_of_change_reads_in_words(app):
    """Changes of every part of a record as the diff keeps them, read as the case page shows them."""
    from inspector.services.amendments import change_lines

    case = submitted_case()
    zhang, liu, chen = (factories.user(n) for n in ("tuoketuo.zhang", "tuoketuo.liu", "donghe.chen"))
    photo, sig = "c" * 64, "d" * 64
    diff = [
        {"path": "inspection.lat", "old": 40.300000000000004, "new": 40.31},
        {"path": "inspection.inspectors", "old": [{"userID": zhang.id, "displayName": "张执法"}],
         "new": [{"userID": zhang.id, "displayName": "张执法"}, {"userID": liu.id, "displayName": "刘执法"}]},
        {"path": "inspection.partyID", "old": None, "new": case.party_id},
        {"path": "findings.G01.result", "old": None, "new": "na"},
        {"path": "photos.p1.caption", "old": "货架", "new": "货架（近景）"},
        {"path": "photos.p1.sha256", "old": "a" * 64, "new": photo},
        {"path": "signatures.s1", "old": None, "new": {"role": "inspector", "status": "signed", "signerName": "陈执法",
                                                       "userID": chen.id, "imageSha256": sig}},
        {"path": "signatures.s2.status", "old": "signed", "new": "refused"},
        {"path": "samples.x1.sealNumbers", "old": ["FY1"], "new": ["FY1", "FY2"]},
        {"path": "inspection.somethingNew", "old": {"a": 1}, "new": True},
    ]
    lines = [(c.what, c.before, c.after) for c in change_lines(case, diff)]
    assert lines[0] == ("纬度", "40.3", "40.31")
    assert lines[1] == ("检查人员", "张执法", "张执法、刘执法")
    assert lines[2] == ("当事人", "（空）", case.party.name)
    assert lines[3][0].startswith("检查项 G01 ") and lines[3][1:] == ("（空）", "不适用")
    assert lines[4] == ("照片 · 说明", "货架", "货架（近景）")
    assert lines[5] == ("照片 · 原件", f"SHA-256 {'a' * 12}…", f"SHA-256 {photo[:12]}…")
    assert lines[6] == ("签名（检查人员）（新增）", "（空）", "陈执法；已签名")
    assert lines[7] == ("签名 · 签名状态", "已签名", "拒绝签字")
    assert lines[8] == ("抽样 · 封条编号", "FY1", "FY1、FY2")
    assert lines[9] == ("somethingNew", "a：1", "是")
    changes = change_lines(case, diff)
    assert changes[5].after_image.sha256 == photo and changes[6].after_image.kind == "signature"


def test_a_summary_report_for_another_league_is_refused_not_widened(client):
    submitted_case(party_name="托县汇总店")
    reviewer_session(client)
    r = client.get(f"/console/dashboard/report.pdf?agency={factories.agency('150202').id}")
    assert r.status_code == 400 and not r.data.startswith(b"%PDF")
    assert "未导出" in r.get_data(as_text=True) and "机构" in r.get_data(as_text=True)
    assert client.get("/console/dashboard/report.pdf?campaign=999999").status_code == 400
    assert client.get("/console/dashboard/report.pdf").data.startswith(b"%PDF")  # no filter: the jurisdiction
