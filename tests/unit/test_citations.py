"""Checklist citations against statute texts: the parser, each status, and the shipped checklists."""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from inspector import create_app, refdata
from inspector.services import citations
from inspector.services.citations import Pinpoint, chinese_number, chinese_numeral, parse_basis

REPO_ROOT = Path(__file__).resolve().parents[2]
# The statute texts sit next to the repository in the team's checkout; STATUTES_DIR points elsewhere.
STATUTES = Path(os.environ.get("STATUTES_DIR") or REPO_ROOT.parent / "shared" / "reference" / "statutes")

TOY_LAW = """# 中华人民共和国样例法

2020年1月1日 通过

<!-- INFO END -->

## 第一章 总则

第一条 为了检验引用，制定本法。

第二条 销售者销售的产品应当符合下列要求：

（一）有产品质量检验合格证明；

（二）有中文标明的产品名称。

裸装产品可以不附加标识。

## 第二章 附则

第十一条 本法自公布之日起施行。
"""


@pytest.fixture
def toy_folder(tmp_path):
    (tmp_path / "样例法(2020-01-01).md").write_text(TOY_LAW, encoding="utf-8")
    (tmp_path / "README.md").write_text("not a statute", encoding="utf-8")
    return tmp_path


def toy_template(legal_basis: str, **basis) -> dict:
    item = {"key": "A01", "label": "合格证明", "kind": "pass_fail_na", "required": True, "photo_required": False,
            "legal_basis": legal_basis, "authority": "SAMR", **basis}
    return {"key": "toy", "version": 1, "category": "general", "title": "样例", "sections": [
        {"key": "s", "title": "节", "items": [item]}]}


def statuses(body, folder) -> list[str]:
    return [r.status for r in citations.check_template(body, citations.load_statutes(folder))]


def test_numerals_both_ways():
    for number in (1, 9, 10, 11, 20, 27, 57, 100, 105, 110, 119, 1000):
        assert chinese_number(chinese_numeral(number)) == number
    assert chinese_numeral(27) == "二十七" and chinese_numeral(105) == "一百零五" and chinese_number("十") == 10


def test_parse_basis_reads_titles_articles_paragraphs_items():
    cited = parse_basis("《中华人民共和国产品质量法》第三十六条、第二十七条第一款第（一）项；"
                        "GB 18382《肥料标识 内容和要求》；农业部公告第2579号；"
                        "《农作物种子标签和使用说明管理办法》（农业部令2016年第6号）第七条；"
                        "《中华人民共和国种子法》第四十条第三款、第四款")
    assert [c.title for c in cited] == ["中华人民共和国产品质量法", "肥料标识 内容和要求", "农业部公告第2579号",
                                        "农作物种子标签和使用说明管理办法", "中华人民共和国种子法"]
    assert cited[0].pinpoints == (Pinpoint(36), Pinpoint(27, 1, 1))
    assert cited[1].pinpoints == () and cited[2].pinpoints == ()
    assert cited[3].pinpoints == (Pinpoint(7),)
    assert cited[4].pinpoints == (Pinpoint(40, 3), Pinpoint(40, 4))
    assert Pinpoint(27, 1, 1).label == "第二十七条第一款第（一）项"


def test_clause_words_come_from_the_paragraph_and_item(toy_folder):
    law = citations.load_statutes(toy_folder)["样例法"]
    assert law.version == "2020-01-01" and law.title == "中华人民共和国样例法"
    assert law.clause(Pinpoint(2, 1, 2)) == ("销售者销售的产品应当符合下列要求：\n（二）有中文标明的产品名称。", None)
    assert law.clause(Pinpoint(2, None, 1))[0].endswith("（一）有产品质量检验合格证明；")
    assert law.clause(Pinpoint(2, 2)) == ("裸装产品可以不附加标识。", None)
    assert law.clause(Pinpoint(11)) == ("本法自公布之日起施行。", None)  # a chapter heading ends article 2


@pytest.mark.parametrize("legal_basis, status", [
    ("《中华人民共和国样例法》第三条", citations.ARTICLE_MISSING),
    ("《样例法》", citations.ARTICLE_MISSING),
    ("《中华人民共和国样例法》第二条第三款", citations.PARAGRAPH_MISSING),
    ("《中华人民共和国样例法》第二条第一款第（三）项", citations.PARAGRAPH_MISSING),
    ("《中华人民共和国样例法》第二条第二款第（一）项", citations.PARAGRAPH_MISSING),
    ("《别的办法》第二条", citations.NOT_AVAILABLE),
])
def test_each_wrong_citation_gets_its_status(toy_folder, legal_basis, status):
    assert statuses(toy_template(legal_basis), toy_folder) == [status]


def test_quoted_words_and_version_must_match_the_text(toy_folder):
    statutes = citations.load_statutes(toy_folder)
    body = citations.fill_basis(toy_template("《中华人民共和国样例法》第二条第一款第（一）项；《别的办法》"), statutes)
    item = body["sections"][0]["items"][0]
    assert item["basis_text"] == "第二条第一款第（一）项 销售者销售的产品应当符合下列要求：\n（一）有产品质量检验合格证明；"
    assert item["basis_version"] == "2020-01-01" and item["basis_pending"] == ["《别的办法》"]
    assert refdata.validate_template(body) == []
    assert statuses(body, toy_folder) == [citations.VERIFIED, citations.NOT_AVAILABLE]

    changed = copy.deepcopy(body)
    changed["sections"][0]["items"][0]["basis_text"] = item["basis_text"].replace("合格证明", "合格证")
    assert statuses(changed, toy_folder)[0] == citations.TEXT_DIFFERS
    older = copy.deepcopy(body)
    older["sections"][0]["items"][0]["basis_version"] = "2015-04-24"
    assert statuses(older, toy_folder)[0] == citations.TEXT_DIFFERS
    missing = toy_template("《中华人民共和国样例法》第二条第一款第（一）项")
    assert statuses(missing, toy_folder) == [citations.TEXT_DIFFERS]


def cli(*args):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    return app.test_cli_runner().invoke(args=list(args))


def test_check_citations_exits_non_zero_on_a_wrong_citation(toy_folder, tmp_path):
    good = tmp_path / "good.json"
    body = citations.fill_basis(toy_template("《中华人民共和国样例法》第二条第二款；GB 18382《肥料标识》"),
                                citations.load_statutes(toy_folder))
    good.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    result = cli("check-citations", "--statutes", str(toy_folder), "--template", str(good))
    assert result.exit_code == 0, result.output
    assert "toy v1 A01: 《中华人民共和国样例法》第二条第二款 — verified (2020-01-01)" in result.output
    assert "GB 18382《肥料标识》 — text not available (marked 待核)" in result.output
    assert "2 citations: 1 verified, 0 article missing" in result.output and "0 problems." in result.output

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(toy_template("《中华人民共和国样例法》第九条"), ensure_ascii=False), encoding="utf-8")
    result = cli("check-citations", "--statutes", str(toy_folder), "--template", str(bad))
    assert result.exit_code == 1
    assert "第九条 — article missing (not in the 2020-01-01 text)" in result.output
    assert "1 citation problems." in result.output


@pytest.mark.skipif(not STATUTES.is_dir(), reason=f"no statute texts at {STATUTES} (set STATUTES_DIR to check)")
def test_shipped_checklists_cite_the_statute_texts_correctly():
    result = cli("check-citations", "--statutes", str(STATUTES))
    assert result.exit_code == 0, result.output
    assert "0 problems." in result.output
    lines = result.output.splitlines()
    verified = [line for line in lines if " — verified (" in line]
    assert len(verified) >= 85
    # Every citation to a text in the folder is verified; only the others remain, each marked 待核.
    statutes = citations.load_statutes(STATUTES)
    for body in refdata.load_templates():
        for check in citations.check_template(body, statutes):
            assert check.status in (citations.VERIFIED, citations.NOT_AVAILABLE), check.line()
            if check.status == citations.NOT_AVAILABLE:
                assert check.detail == "marked 待核", check.line()


def test_import_template_with_statutes_quotes_the_clauses(app, toy_folder, tmp_path):
    from sqlalchemy import select

    from inspector.database import db
    from inspector.models import ChecklistTemplate

    path = tmp_path / "toy.json"
    path.write_text(json.dumps(toy_template("《中华人民共和国样例法》第二条第二款"), ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-template", str(path), "--statutes", str(toy_folder)])
    assert result.exit_code == 0, result.output
    stored = db.session.scalars(select(ChecklistTemplate).where(ChecklistTemplate.key == "toy")).one()
    assert stored.item("A01")["basis_text"] == "第二条第二款 裸装产品可以不附加标识。"
    assert stored.item("A01")["basis_version"] == "2020-01-01"


def test_import_template_with_statutes_refuses_a_wrong_citation(app, toy_folder, tmp_path):
    from sqlalchemy import func, select

    from inspector.database import db
    from inspector.models import ChecklistTemplate

    path = tmp_path / "toy.json"
    path.write_text(json.dumps(toy_template("《中华人民共和国样例法》第二条第一款第（五）项"), ensure_ascii=False),
                    encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-template", str(path), "--statutes", str(toy_folder)])
    assert result.exit_code != 0
    assert "第（五）项 — paragraph or item missing (not in the 2020-01-01 text)" in result.output
    count = select(func.count()).select_from(ChecklistTemplate).where(ChecklistTemplate.key == "toy")
    assert db.session.scalar(count) == 0
    # Without a statutes folder the same file imports (the check needs the texts).
    assert app.test_cli_runner().invoke(args=["import-template", str(path)]).exit_code == 0


def test_a_folder_without_statute_files_is_refused(tmp_path):
    (tmp_path / "README.md").write_text("nothing here", encoding="utf-8")
    result = cli("check-citations", "--statutes", str(tmp_path))
    assert result.exit_code == 1 and "holds no statute file named like 产品质量法(2018-12-29).md" in result.output
