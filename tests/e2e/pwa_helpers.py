"""Helpers for the phone-app tests: generated photos, the app's screens, the server's API."""
from __future__ import annotations

import hashlib
import io
import json
import random
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image

from .conftest import DEMO_PASSWORD, ROOT

INSPECTOR = "tuoketuo.zhang"
COLLEAGUE_NAME = "刘执法"
PARTY_NAME = "托克托县丰收农资经营部"
FIELD_GPS = {"latitude": 40.2712, "longitude": 111.1834, "accuracy": 12}


# ---------------------------------------------------------------- photos

def camera_now() -> str:
    """A camera's DateTimeOriginal for a photo taken now in Inner Mongolia (China time)."""
    return datetime.now(timezone(timedelta(hours=8))).strftime("%Y:%m:%d %H:%M:%S")


def make_jpeg(path: Path, size: tuple[int, int] = (1200, 900), taken: str | None = None,
              gps: tuple[float, float] | None = (40.2712, 111.1834), seed: int = 1, noise: bool = False,
              offset: str | None = "+08:00") -> str:
    """A JPEG with EXIF DateTimeOriginal (default: now, as at the inspection) and GPS, as a phone
    camera writes it; returns its SHA-256."""
    taken = taken or camera_now()
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200)))
    if noise:  # incompressible pixels make a large file (a "big phone photo")
        image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    exif = Image.Exif()
    exif[0x0110] = "E2E Camera"
    exif.get_ifd(0x8769).update({0x9003: taken, **({0x9011: offset} if offset else {})})
    if gps:
        def dms(value: float) -> tuple[float, float, float]:
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60, 4)
            return (float(d), float(m), s)
        exif.get_ifd(0x8825).update({1: "N", 2: dms(gps[0]), 3: "E", 4: dms(gps[1])})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92 if not noise else 97, exif=exif)
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


# ---------------------------------------------------------------- the server's API (stdlib only)

class Api:
    """The server's JSON API with a token of its own (a separate device login)."""

    def __init__(self, base_url: str, username: str = INSPECTOR, password: str = DEMO_PASSWORD):
        self.base = base_url
        self.token = self.request("POST", "/api/v1/auth/login", {"username": username, "password": password,
                                                                  "deviceLabel": "e2e checker"}, auth=False)["token"]

    def request(self, method: str, path: str, body: Any = None, auth: bool = True, raw: bool = False):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=30) as response:
            payload = response.read()
        return payload if raw else json.loads(payload or b"null")

    def get(self, path: str):
        return self.request("GET", path)

    def blob(self, sha256: str) -> bytes:
        return self.request("GET", f"/api/v1/blobs/{sha256}", raw=True)

    def inspections(self) -> list[dict[str, Any]]:
        return self.get("/api/v1/inspections?limit=200")["inspections"]


# ---------------------------------------------------------------- the app

def at_field(phone, url: str) -> None:
    """The phone may read its position, and stands at the inspected shop (FIELD_GPS)."""
    phone.grant_permissions(["geolocation"], origin=url)
    phone.set_geolocation(FIELD_GPS)


def watch_errors(page) -> list[str]:
    """Uncaught page errors collected for a final assertion."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def open_app(page, url: str) -> None:
    page.goto(url + "/app/")
    page.wait_for_function("document.documentElement.dataset.ready === 'true'")


def login(page, url: str, username: str = INSPECTOR) -> None:
    open_app(page, url)
    page.wait_for_selector("[data-testid=login-form]")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("[data-testid=sync-panel]")
    wait_synced(page)


def wait_controlled(page) -> None:
    """The service worker has installed and controls the page (so the app opens offline)."""
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30000)


def wait_synced(page, timeout: float = 60) -> None:
    """Home shows nothing waiting, after at least one successful sync."""
    page.wait_for_function(
        """() => { const w = document.querySelector('[data-testid=waiting]');
                   const s = document.querySelector('[data-testid=last-sync]');
                   return w && s && w.textContent.includes('全部已同步') && s.textContent.includes('上次成功同步'); }""",
        timeout=timeout * 1000)


def go_home(page) -> None:
    page.evaluate("location.hash = '#/home'")
    page.wait_for_selector("[data-testid=sync-panel]")


def confirm_record(page, how: str = "seen") -> None:
    """The record shown before signing: page through to its end, then 以上笔录我已看过 ("seen") or
    已向其宣读 ("read-aloud")."""
    page.wait_for_selector("[data-testid=preview-document]")
    while page.locator("[data-testid=preview-next]").is_enabled():
        page.click("[data-testid=preview-next]")
    page.click(f"[data-testid=preview-{how}]")
    page.wait_for_selector("[data-testid=preview-document]", state="detached")


def draw_signature(page) -> None:
    """Confirm the record shown first (when it is), draw a stroke on the signature pad and confirm it."""
    page.wait_for_selector("[data-testid=preview-document], [data-testid=signature-pad]")
    if page.locator("[data-testid=preview-document]").count():
        confirm_record(page)
    name = page.locator("[data-testid=signer-name]")
    if name.count() and not name.input_value():
        name.fill("李见证")  # the witness writes their name
    pad = page.locator("[data-testid=signature-pad]")
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 150)
    page.mouse.down()
    for i in range(12):
        page.mouse.move(box["x"] + 40 + i * 22, box["y"] + 60 + (i % 3) * 40, steps=2)
    page.mouse.up()
    page.click("[data-testid=signature-ok]")
    page.wait_for_selector("[data-testid=signature-pad]", state="detached")


def sign_sheet(page, title: str, name: str | None = None) -> None:
    """Draw a stroke on the open signature sheet of a 责令改正通知书 (titled `title`) and confirm it;
    `name`: the signer's name the sheet must show filled in."""
    sheet = page.locator("[data-testid=rect-sign-sheet]", has_text=title)
    sheet.wait_for()
    if name is not None:
        assert sheet.locator("[data-testid=signer-name]").input_value() == name
    box = sheet.locator("[data-testid=signature-pad]").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 150)
    page.mouse.down()
    for i in range(12):
        page.mouse.move(box["x"] + 40 + i * 22, box["y"] + 60 + (i % 3) * 40, steps=2)
    page.mouse.up()
    handle = sheet.element_handle()
    sheet.locator("[data-testid=signature-ok]").click()
    handle.wait_for_element_state("hidden")


def sign_order(page, party: str = "王建国", inspectors: tuple[str, ...] = ("张执法", "刘执法")) -> None:
    """After 签发并保存: the party reads the whole order (以上通知书我已看过) and signs, then each inspector."""
    confirm_record(page)
    sign_sheet(page, "当事人签字", name=party)
    for inspector in inspectors:
        sign_sheet(page, f"执法人员签名：{inspector}")


def outbox_size(page) -> int:
    return page.evaluate("""() => new Promise((resolve) => { const r = indexedDB.open('inspector');
        r.onsuccess = () => { const c = r.result.transaction('outbox').objectStore('outbox').count();
        c.onsuccess = () => { resolve(c.result); r.result.close(); }; }; })""")


def current_draft_id(page) -> str:
    return page.evaluate("location.hash.split('/')[2]")


def until(predicate, timeout: float = 30, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


__all__ = ["Api", "at_field", "make_jpeg", "login", "open_app", "wait_synced", "wait_controlled", "draw_signature", "go_home",
           "outbox_size", "sign_order", "sign_sheet", "wait_saved", "current_draft_id", "until", "watch_errors", "urllib", "FIELD_GPS", "answer_party"]


# ---------------------------------------------------------------- an inspection, screen by screen

PHOTO_ITEMS = ("G01", "G02", "G03", "G07")  # the general checklist's photo-required items


def start_inspection(page, party_query: str = "丰收", template: str = "general") -> str:
    """New inspection: checklist, party found offline, co-inspector, GPS; returns the record id."""
    page.click("[data-testid=new-inspection]")
    page.click(f"[data-testid=template-{template}]")
    page.fill("[data-testid=party-search]", party_query)
    page.click("[data-testid=party-result] >> nth=0")
    page.click("[data-testid=colleague]:has-text('刘执法')")
    page.click("[data-testid=take-gps]")
    page.wait_for_function("document.querySelector('[data-testid=gps-text]').textContent.includes('±')")
    page.click("[data-testid=start-inspection]")
    page.wait_for_selector("[data-testid=G01-pass]")
    return current_draft_id(page)


def answer_checklist(page, photos: dict[str, Path], sampled: bool = False) -> None:
    """G13 answered 已抽样 only when the test records a sample (add_sample): the phone asks for one."""
    page.click("[data-testid=G03-fail]")
    page.fill("textarea[data-item=G03]", "标签缺少生产厂厂址")
    page.click("[data-testid=section-pass]")
    page.click(f"button[data-action=choice][data-item=G13][data-value={'已抽样' if sampled else '未抽样'}]")
    page.fill("[data-testid=value-G12]", "无")
    for key, path in photos.items():
        page.set_input_files(f"[data-testid=photo-{key}]", str(path))
        page.wait_for_selector(f"#item-{key} .thumbs img", timeout=20000)


def answer_checklist_with_photos(page, folder: Path, seed: int) -> None:
    """The checklist answered as answer_checklist does, each photo item with a camera photo made now."""
    for n, key in enumerate(PHOTO_ITEMS):
        make_jpeg(folder / f"{key}.jpg", seed=seed + n)
    answer_checklist(page, {key: folder / f"{key}.jpg" for key in PHOTO_ITEMS})


def goto_step(page, step: str) -> None:
    page.click(f"[data-testid=step-{step}]")
    page.wait_for_selector(f"[data-testid=step-{step}][aria-current=step]")


def add_sample(page) -> None:
    goto_step(page, "samples")
    page.click("[data-testid=add-sample]")
    values = {"name": "复合肥料", "brand": "丰禾", "spec": "50 kg/袋", "batchNo": "20260915", "productionDate": "2026-09-15",
              "maker": "内蒙古某化肥有限公司", "standard": "GB/T 15063-2020", "quantity": "2 kg", "baseQuantity": "120 袋",
              "backupQuantity": "1 kg", "sealNumbers": "FY20260001, FY20260002", "sampleNo": "CY-150122-2026-0042",
              "labName": "内蒙古自治区产品质量检验研究院", "pricePaid": "86.50", "backupSealNumbers": "FY20260003",
              "backupStorage": "托克托县市场监督管理局样品室", "backupCondition": "常温、干燥"}
    for field, value in values.items():
        page.fill(f"[data-testid=sample-{field}]", value)


def add_evidence_photo(page, path: Path, caption: str) -> None:
    goto_step(page, "photos")
    before = page.locator("[data-testid=photo]").count()
    page.set_input_files("[data-testid=evidence-photo]", str(path))
    page.wait_for_function(f"document.querySelectorAll('[data-testid=photo]').length > {before}", timeout=20000)
    page.locator("[data-testid=caption]").last.fill(caption)


def write_record(page, narrative: str, closing: str | None = "以上记录属实") -> None:
    """The written record with the party's answers as the party gives them (closing=None: not yet)."""
    goto_step(page, "record")
    answer_party(page, "certificatesAnswer", "看清楚了")
    answer_party(page, "recusalAnswer", "不申请回避")
    page.fill("[data-testid=narrative]", narrative)
    page.fill("[data-testid=partyStatement]", "我店商品均从正规渠道进货。")
    if closing:
        answer_party(page, "closingAnswer", closing)


def answer_party(page, question: str, answer: str) -> None:
    """Tap the party's answer to one of the fixed questions (certificatesAnswer, recusalAnswer, closingAnswer)."""
    page.click(f"[data-answer={question}] button[data-value='{answer}']")
    page.wait_for_selector(f"[data-answer={question}] button[data-value='{answer}'][aria-pressed=true]")


def sign_all(page) -> None:
    goto_step(page, "sign")
    for n in range(page.locator("[data-testid=sign-button]").count()):
        page.locator("[data-testid=sign-button]").nth(n).click()
        draw_signature(page)
        page.wait_for_function(f"document.querySelectorAll('.sig-img').length >= {n + 1}")


def submit(page) -> None:
    goto_step(page, "review")
    page.wait_for_selector("[data-testid=nothing-missing]")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=sync-panel]")


def submit_case_with_sample(phone, url: str, folder: Path, seed: int, narrative: str):
    """The inspector records a case with a sealed sample, signs, submits and syncs; (page, errors)."""
    at_field(phone, url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, url)
    wait_controlled(page)
    start_inspection(page)
    answer_checklist_with_photos(page, folder, seed=seed)
    add_sample(page)
    write_record(page, narrative)
    sign_all(page)
    submit(page)
    wait_synced(page, timeout=90)
    return page, errors


def wait_saved(page) -> None:
    """The open record's last edit is stored on the phone (the indicator left "保存中…")."""
    page.wait_for_function("document.querySelector('[data-testid=saved]').textContent.includes('已保存')")


RETURN_CASE = """
from sqlalchemy import select
from inspector import create_app
from inspector.database import db
from inspector.models import Inspection, User
from inspector.services.review import Decision, decide
app = create_app()
with app.app_context():
    reviewer = db.session.scalars(select(User).where(User.username == "hhht.reviewer")).one()
    case = db.session.get(Inspection, {record_id!r})
    decide(reviewer, case.id, Decision("return", case.version, comment="请补充合格证明照片。",
                                       item_comments={{"G02": "合格证明照片不清晰，请重拍。"}}))
"""


def return_case(server, record_id: str) -> None:
    """The reviewer in 呼和浩特 returns the record: 请补充合格证明照片 (and a comment on G02)."""
    subprocess.run([sys.executable, "-c", textwrap.dedent(RETURN_CASE.format(record_id=record_id))],
                   env=server.env(), cwd=ROOT, check=True, capture_output=True)


@contextmanager
def second_phone_with_import(browser, url: str, export_file: Path) -> Iterator[Any]:
    """Another phone that logs in, imports export_file and syncs; yields its page."""
    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                has_touch=True)
    try:
        page = other.new_page()
        errors = watch_errors(page)
        login(page, url)
        page.click("[data-testid=open-settings]")
        page.set_input_files("[data-testid=import-file]", str(export_file))
        page.wait_for_function(
            "document.querySelector('[data-testid=settings-message]').textContent.includes('已导入')")
        go_home(page)
        page.click("[data-testid=sync-now]")
        wait_synced(page)
        yield page
        assert errors == []
    finally:
        other.close()
