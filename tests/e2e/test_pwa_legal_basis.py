"""Offline, the inspector taps 依据 on a checklist item and reads the words of the cited clauses;
citations not yet checked against an official text say 待核. Only the newest version of a
checklist is offered for a new inspection."""
from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT
from .pwa_helpers import at_field, go_home, login, start_inspection, wait_controlled, watch_errors


def publish_revision(server, tmp_path) -> None:
    """An admin publishes a new version of the pesticide checklist (P05's label changed)."""
    def flask(*args):
        return subprocess.run([sys.executable, "-m", "flask", "--app", "inspector", *args], env=server.env(),
                              cwd=ROOT, check=True, capture_output=True, text=True).stdout

    body = json.loads(flask("export-template", "pesticide"))
    item = next(i for s in body["sections"] for i in s["items"] if i["key"] == "P05")
    item["label"] += "（修订版）"
    path = tmp_path / "pesticide.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    assert "(published)" in flask("import-template", str(path), "--publish")


def test_tapping_legal_basis_shows_the_clause_offline(live_server, phone, screenshots, tmp_path):
    publish_revision(live_server, tmp_path)
    at_field(phone, live_server.url)
    page = phone.new_page()
    errors = watch_errors(page)
    login(page, live_server.url)
    wait_controlled(page)
    phone.set_offline(True)

    page.click("[data-testid=new-inspection]")
    page.wait_for_selector("[data-testid=template-pesticide]")
    assert page.locator("[data-testid=template-pesticide]").count() == 1  # one button per checklist, not per version
    go_home(page)
    start_inspection(page, template="pesticide")
    assert "（修订版）" in page.inner_text("#item-P05")  # the newest version was the one offered

    basis = page.locator("[data-testid=basis-P05]")
    text = page.locator("[data-testid=basis-text-P05]")
    assert "《农药管理条例》第二十七条第一款" in basis.inner_text()
    assert not text.is_visible()
    basis.locator("summary").click()
    text.wait_for(state="visible")
    assert text.inner_text().startswith("第二十七条第一款 农药经营者应当建立销售台账，如实记录销售农药的名称")
    assert "2022-03-29" in basis.inner_text()
    page.screenshot(path=str(screenshots / "pwa-legal-basis.png"))

    # Two laws: each clause says which law it is from.
    page.locator("[data-testid=basis-P16] summary").click()
    both = page.inner_text("[data-testid=basis-text-P16]")
    assert "《中华人民共和国产品质量法》第三十六条 销售者销售的产品的标识应当符合本法第二十七条的规定。" in both
    assert "《农药管理条例》第二十八条第一款 农药经营者不得加工、分装农药" in both

    # A rule whose text was not at hand: marked 待核, no clause to show.
    assert page.inner_text("[data-testid=basis-pending-P09]") == "待核"
    assert page.locator("[data-testid=basis-P09]").count() == 0
    assert errors == []
