"""A report upward (方案, 总结, 专报) printed from its frozen snapshot, in the case files' layout:
the notices' page (GB/T 9704 geometry, CJK font, agency and title at the head, the report number
under a rule, 第 N 页 共 M 页 at the foot), a table of the figures ("—" with its note where a
figure has no source), the narrative, the typical cases, the counties rolled up and those missing,
and the snapshot's SHA-256 with the address that checks it.

A renderer over the snapshot alone: it queries nothing, so the same snapshot prints the same text.
"""
from __future__ import annotations

import io
from datetime import date
from typing import Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import styles as S
from .notices import Notice, NoticeRenderer
from .wording import cn_date, markup

GROUP_TITLES = {"enforcement": "执法检查", "sampling": "抽样检验", "cases": "案件查办", "filings": "投诉举报",
                "exposure": "3·15曝光", "publicity": "宣传服务"}
SECTION_TITLES = {"exposed": "曝光事项", "actions": "当日处置情况", "results": "查处结果"}
UNITS = {"yuan": "元"}


def figure_text(row: dict[str, Any]) -> str:
    value = row.get("value")
    if value is None:
        return "—"
    return f"{value}{UNITS.get(row.get('unit') or '', '')}"


class ReportRenderer(NoticeRenderer):
    def __init__(self, snapshot: dict[str, Any], sha256: str, verify_url: str, font_path: str | None = None):
        s = snapshot
        title = f"{s['campaign']['name']}{s['title']}"
        super().__init__(Notice(s["agency"]["name"], s["title"], s["reportNo"], s.get("recipient") or "",
                                (), date.fromisoformat(s["submittedAt"][:10])), font_path)
        self.snapshot, self.sha256, self.verify_url, self.full_title = s, sha256, verify_url, title
        self.right = ParagraphStyle("right", parent=self.ss["body"], alignment=TA_RIGHT)

    def render(self) -> bytes:
        out = io.BytesIO()
        s = self.snapshot
        doc = SimpleDocTemplate(out, pagesize=(S.PAGE_WIDTH, S.PAGE_HEIGHT), leftMargin=S.MARGIN_LEFT,
                                rightMargin=S.MARGIN_RIGHT, topMargin=S.MARGIN_TOP,
                                bottomMargin=S.FOOTER_BOTTOM + S.QR_SIZE, title=f"{self.full_title} {s['reportNo']}",
                                author=s["agency"]["name"], creator="inspector.pdf", initialFontName=self.font,
                                invariant=True)
        body, head = self.ss["body"], self.ss["heading"]
        story = [Paragraph(markup(self.full_title), self.ss["cover_title"])]
        if s.get("recipient"):
            story.append(Paragraph(markup(s["recipient"]) + "：", body))
        story.append(Paragraph(f"报送单位：{markup(s['agency']['name'])}　统计期间：{s['periodFrom']} 至 {s['periodTo']}"
                               + (f"　报送截止日：{s['dueDate']}" if s.get("dueDate") else ""), body))
        for name, text in (s.get("sections") or {}).items():
            story += [Paragraph(SECTION_TITLES.get(name, name), head), Paragraph(markup(text or "—"), self.ss["narrative"])]
        if s.get("figures"):
            story += [Paragraph("一、主要数据", head), self._figures(s["figures"])]
        story.append(Paragraph("二、工作情况" if s.get("figures") else "工作方案", head))
        for text in (s.get("narrative") or "—").split("\n"):
            if text.strip():
                story.append(Paragraph(markup(text.strip()), self.ss["narrative"]))
        if s.get("typicalCases"):
            story.append(Paragraph("三、典型案例", head))
            for n, case in enumerate(s["typicalCases"], start=1):
                line = f"{n}. {case['agency']} {case['party']}（{case.get('caseNumber') or '未编号'}，{case['date']}）"
                story.append(Paragraph(markup(line), body))
                if case.get("summary"):
                    story.append(Paragraph(markup(case["summary"]), self.ss["narrative"]))
        if s.get("counties") or s.get("missing"):
            story.append(Paragraph("附：旗县（市、区）上报情况", head))
            for c in s.get("counties", []):
                period = f"（{c['periodFrom']} 至 {c['periodTo']}）" if c.get("periodFrom") else ""
                story.append(Paragraph(markup(f"{c['name']}：已上报 {c.get('reportNo') or ''}{period}"), body))
            if s.get("missing"):
                story.append(Paragraph(markup("未上报：" + "、".join(s["missing"])), body))
        story += [Spacer(1, 24), Paragraph(markup(s["agency"]["name"]), self.right),
                  Paragraph(cn_date(date.fromisoformat(s["submittedAt"][:10])), self.right), Spacer(1, 14),
                  Paragraph(markup(f"报送人：{s.get('submittedBy') or ''}　报送时间：{s['submittedAt']}"), self.ss["cell_small"]),
                  Paragraph(f"内容校验码（SHA-256）：{self.sha256}", self.ss["cell_small_latin"]),
                  Paragraph(markup(f"核验地址：{self.verify_url}"), self.ss["cell_small_latin"])]
        doc.build(story, canvasmaker=self._canvas_class())
        return out.getvalue()

    def _figures(self, rows: list[dict[str, Any]]) -> Table:
        cell, head = self.ss["cell"], self.ss["cell_head"]
        data = [[Paragraph("类别", head), Paragraph("项目", head), Paragraph("数值", head), Paragraph("说明", head)]]
        for row in rows:
            note = {"entered": "填报", "rollup": "汇总"}.get(row.get("source"), "")
            note = row.get("note") or note
            data.append([Paragraph(GROUP_TITLES.get(row["group"], row["group"]), cell),
                         Paragraph(markup(row["label"]), cell), Paragraph(figure_text(row), cell),
                         Paragraph(markup(note), cell)])
        table = Table(data, colWidths=[S.TEXT_WIDTH * w for w in (0.16, 0.38, 0.16, 0.30)], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, S.TABLE_GRID),
                                   ("BACKGROUND", (0, 0), (-1, 0), S.TABLE_HEAD_FILL),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        return table
