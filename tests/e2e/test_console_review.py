"""A league reviewer works through the console in Chromium while the phone talks sync to the
same real server: filter, open, return with an item comment, the phone pulls the return,
amends and resubmits, the reviewer approves and the case number appears on both sides."""
from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

from inspector.services.case_numbers import local_year

from .conftest import DEMO_PASSWORD

PARTY = "托克托县丰收农资经营部"


class PhoneApi:
    """The phone's side of the protocol, with the standard library only."""

    def __init__(self, base: str, username: str = "tuoketuo.zhang"):
        self.base = base
        self.client_id = str(uuid.uuid4())
        login = self.call("/api/v1/auth/login", {"username": username, "password": DEMO_PASSWORD,
                                                 "clientID": self.client_id}, auth=False)
        self.token, self.user_id = login["token"], login["user"]["id"]
        self.next_mutation, self.cursor, self.rows = 1, None, {}

    def call(self, path: str, body: Any = None, auth: bool = True) -> Any:
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode() if body is not None else None,
                                         method="POST" if body is not None else "GET")
        request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def send(self, name: str, **args: Any) -> dict:
        mutation = {"id": self.next_mutation, "name": name, "args": args, "clientTime": "2026-11-30T09:00:00+08:00"}
        self.next_mutation += 1
        result = self.call("/api/v1/sync/push", {"clientID": self.client_id, "schemaVersion": 1,
                                                 "mutations": [mutation]})["results"][0]
        assert result["status"] == "applied", result
        return result

    def pull(self) -> None:
        while True:
            page = self.call("/api/v1/sync/pull", {"clientID": self.client_id, "schemaVersion": 1,
                                                   "cursor": self.cursor, "limit": 500})
            if page["reset"]:
                self.rows.clear()
            for change in page["patch"]:
                key = (change["type"], change["id"])
                if change["op"] == "put":
                    self.rows[key] = {**change["value"], "_version": change["version"]}
                else:
                    self.rows.pop(key, None)
            self.cursor = page["cursor"]
            if not page["hasMore"]:
                return

    def of_type(self, kind: str) -> list[dict]:
        return [value for (k, _id), value in self.rows.items() if k == kind]


def _submit_case(phone: PhoneApi) -> str:
    """The phone records a fertilizer inspection with one failed item and submits it."""
    phone.pull()
    party = next(p for p in phone.of_type("party") if p["name"] == PARTY)
    template = next(t for t in phone.of_type("template") if t["key"] == "fertilizer")
    colleague = next(c for c in phone.of_type("colleague") if c["displayName"] == "刘执法")
    case_id = str(uuid.uuid4())
    phone.send("inspection.create.v1", id=case_id, templateID=template["id"], partyID=party["id"],
               inspectorIDs=[phone.user_id, colleague["id"]], place="店内", lat=40.2712, lon=111.1834,
               gpsAccuracyM=9, startedAt="2026-11-30T09:14:03+08:00")
    for section in template["sections"]:
        for item in section["items"]:
            kind = item["kind"]
            answer = ({"result": "fail" if item["key"] == "G02" else "pass"} if kind == "pass_fail_na" else
                      {"value": item.get("min") or 1} if kind == "number" else
                      {"value": "未抽样" if "未抽样" in item["choices"] else item["choices"][0]} if kind == "choice" else
                      {"value": "2026-10-01"} if kind == "date" else {"value": "见现场照片"})
            phone.send("finding.set.v1", id=str(uuid.uuid4()), inspectionID=case_id, itemKey=item["key"], **answer)
    phone.send("inspection.update.v1", id=case_id, baseVersion=0, fields={
        "certificatesAnswer": "看清楚了", "recusalAnswer": "不申请回避", "closingAnswer": "有异议"})
    phone.send("signature.refuse.v1", id=str(uuid.uuid4()), inspectionID=case_id, reason="当事人拒绝签字",
               witnessName="李四")
    phone.send("inspection.submit.v1", id=case_id)
    return case_id


def test_reviewer_returns_then_approves_and_the_phone_sees_both(live_server, desktop, screenshots):
    phone = PhoneApi(live_server.url)
    case_id = _submit_case(phone)

    page = desktop.new_page()
    page.goto(live_server.url + "/console/login")
    page.fill("input[name=username]", "hhht.reviewer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    page.click("nav >> text=审核队列")
    page.select_option("select[name=category]", "fertilizer")
    page.check("input[name=failed]")
    page.fill("input[name=q]", "丰收")
    page.click("#filters button[type=submit]")
    row = page.locator(f"tr[data-case='{case_id}']")
    row.wait_for()
    page.screenshot(path=str(screenshots / "console-queue.png"), full_page=True)
    assert "托克托县" in row.inner_text()

    row.locator("a").click()
    page.wait_for_url(f"**/console/cases/{case_id}")
    assert page.locator("tr.failed").first.get_attribute("data-item") == "G02"
    page.fill("textarea[name='item:G02']", "请拍摄产品合格证明并重新填写。")
    page.fill("#return-form textarea[name=comment]", "请补充合格证明。")
    page.screenshot(path=str(screenshots / "console-case.png"), full_page=True)
    page.click("button[data-action=return]")
    page.locator(".flash.ok").wait_for()
    assert page.locator("[data-status]").first.get_attribute("data-status") == "returned"

    phone.pull()
    [case] = [c for c in phone.of_type("inspection") if c["id"] == case_id]
    assert case["status"] == "returned"
    [decision] = [d for d in phone.of_type("decision") if d["inspectionID"] == case_id]
    assert decision["itemComments"] == {"G02": "请拍摄产品合格证明并重新填写。"}

    phone.send("inspection.amend.v1", id=case_id, reason="补拍合格证明")
    phone.pull()
    version = next(c for c in phone.of_type("inspection") if c["id"] == case_id)["_version"]
    phone.send("finding.set.v1", id=str(uuid.uuid4()), inspectionID=case_id, itemKey="G02", result="pass",
               note="已补拍合格证明", baseVersion=version)
    phone.send("inspection.submit.v1", id=case_id)

    page.reload()
    assert page.locator("[data-status]").first.get_attribute("data-status") == "submitted"
    revisions = page.locator("[data-revisions]")
    assert "检查项 G02" in revisions.inner_text() and "不符合" in revisions.inner_text()
    assert "findings.G02" not in revisions.inner_text()
    diff_box, side_box = revisions.locator("table").bounding_box(), page.locator(".case-side").bounding_box()
    assert diff_box["x"] + diff_box["width"] <= side_box["x"]  # the diff stays clear of the decision panel

    # 通过并分配文号 asks first; saying no changes nothing.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button[data-action=approve]")
    assert asked == ["确认通过此案件并分配文号？文号一经分配不可撤回。"]
    assert page.locator("[data-status]").first.get_attribute("data-status") == "submitted"
    assert page.locator("[data-case-number]").count() == 0
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[data-action=approve]")
    number = f"呼托市监检〔{local_year()}〕1号"
    page.locator("[data-case-number]").wait_for()
    assert page.locator("[data-case-number]").inner_text() == number
    page.screenshot(path=str(screenshots / "console-case-approved.png"), full_page=True)

    phone.pull()
    [case] = [c for c in phone.of_type("inspection") if c["id"] == case_id]
    assert case["status"] == "approved" and case["caseNumber"] == number


def test_export_shows_progress_and_dashboard_draws_charts(live_server, desktop, screenshots):
    page = desktop.new_page()
    page.goto(live_server.url + "/console/login")
    page.fill("input[name=username]", "hq.reviewer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url + "/console/queue?status=all")
    with page.expect_download() as download:
        page.click("a[data-export][href*='inspections.csv']")
    assert download.value.suggested_filename.startswith("inspections-")
    progress = page.locator("[data-export-progress]")
    assert progress.get_attribute("data-state") == "done" or "已完成" in progress.inner_text()
    assert "共 5 件案件" in progress.inner_text()  # the demo's submitted, returned and approved cases
    page.screenshot(path=str(screenshots / "console-queue-export.png"), full_page=True)

    page.goto(live_server.url + "/console/")
    assert page.locator("[data-todo-status=submitted] .number").inner_text() == "3"  # the demo's three
    page.screenshot(path=str(screenshots / "console-home.png"), full_page=True)
    page.goto(live_server.url + "/console/cases/no-such-case")
    assert page.locator("h1").inner_text() == "页面不存在" and page.locator("nav >> text=审核队列").count() == 1
    page.screenshot(path=str(screenshots / "console-not-found.png"), full_page=True)

    page.goto(live_server.url + "/console/dashboard")
    assert page.locator("svg.chart").count() == 3
    assert page.locator("[data-total=inspections] .number").inner_text() == "5"
    page.screenshot(path=str(screenshots / "console-dashboard.png"), full_page=True)


def test_admin_pages_render(live_server, desktop, screenshots):
    page = desktop.new_page()
    page.goto(live_server.url + "/console/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    for path, name in (("/console/admin/users", "users"), ("/console/devices", "devices"),
                       ("/console/admin/agencies?edit=0", "agencies"), ("/console/admin/templates", "templates")):
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        page.screenshot(path=str(screenshots / f"console-admin-{name}.png"), full_page=True)
    page.goto(live_server.url + "/console/admin/templates")
    page.locator("a", has_text="预览").first.click()
    page.screenshot(path=str(screenshots / "console-admin-template.png"), full_page=True)


BREAK_A_PHOTO = """
import hashlib, os, uuid
from inspector import create_app
from inspector.database import db
from inspector.models import Blob, BlobHolder, Inspection, Photo, User
from inspector.storage import get_store

app = create_app()
with app.app_context():
    # The demo's oldest submitted case (last in the bundle) gets a photo whose stored file fails to
    # read, as a failing disk would: the bundle breaks after the newer cases have been sent.
    case = db.session.get(Inspection, str(uuid.uuid5(uuid.NAMESPACE_URL, "demo-inspection:0")))
    data = b"\\xff\\xd8\\xff\\xe0 a photo on a failing disk " * 200
    sha = hashlib.sha256(data).hexdigest()
    store = get_store()
    staged = store.staging_dir / "broken"
    staged.write_bytes(data)
    store.put_file(sha, staged)
    db.session.add(Blob(sha256=sha, size=len(data), media_type="image/jpeg"))
    db.session.flush()
    db.session.add(BlobHolder(sha256=sha, user_id=case.created_by_id))
    db.session.add(Photo(id=str(uuid.uuid4()), inspection_id=case.id, sha256=sha, size=len(data),
                         media_type="image/jpeg", caption="货架", taken_by_id=case.created_by_id))
    db.session.commit()
    path = store.path_for(sha)
    path.unlink()
    os.symlink("/proc/self/mem", path)  # a regular file whose first read is an I/O error
"""


def _console_login(page, base: str, username: str) -> None:
    page.goto(base + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")


def test_a_bundle_that_breaks_midway_is_reported_not_saved(live_server, desktop, screenshots):
    """The queue's case bundle fails on the last case after the others were sent: the page says in
    Chinese that the export broke off and saves nothing; the per-case bundle of a sound case works."""
    import subprocess
    import sys

    from .conftest import ROOT

    subprocess.run([sys.executable, "-c", BREAK_A_PHOTO], env=live_server.env(), cwd=ROOT, check=True,
                   capture_output=True)
    page = desktop.new_page()
    _console_login(page, live_server.url, "hq.reviewer")
    page.goto(live_server.url + "/console/queue?status=all")
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.click("a[data-export][href*='bundle.zip']")
    progress = page.locator("[data-export-progress]")
    page.wait_for_function("document.querySelector('[data-export-progress]').dataset.state !== 'running'")
    page.screenshot(path=str(screenshots / "console-export-broken.png"), full_page=True)
    assert progress.get_attribute("data-state") == "failed"
    assert "导出中断" in progress.inner_text() and "文件不完整" in progress.inner_text()
    assert "TypeError" not in progress.inner_text()
    assert downloads == []

    sound = str(uuid.uuid5(uuid.NAMESPACE_URL, "demo-inspection:4"))
    page.goto(f"{live_server.url}/console/cases/{sound}")
    with page.expect_download() as download:
        page.click("a[data-export][href$='bundle.zip']")
    assert download.value.suggested_filename == f"case-{sound}.zip"
    assert page.locator("[data-export-progress]").get_attribute("data-state") == "done"
