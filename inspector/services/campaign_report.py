"""The campaign summary report (工作情况汇总) as a PDF for reporting upward.

A renderer over a finished `Dashboard`: it queries nothing. Geometry and styles are named
here; the CJK font is the one the case files are printed in (inspector/pdf/fonts.py).
"""
from __future__ import annotations

import io
from datetime import datetime

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..i18n import t
from ..pdf.fonts import register_cjk_font
from .dashboard import Counts, Dashboard, Group
from .reports.figures import FIGURES, PENDING

MARGIN = 20 * mm
BODY_WIDTH = A4[0] - 2 * MARGIN
BAR_COLOUR = colors.HexColor("#a3161d")
GRID = colors.HexColor("#8c93a3")
HEAD_FILL = colors.HexColor("#eef0f4")


class CampaignReportRenderer:
    def __init__(self, dashboard: Dashboard, generated_at: datetime, author: str, font_path: str | None = None):
        self.dashboard = dashboard
        self.generated_at = generated_at
        self.author = author
        self.font = register_cjk_font(font_path).name
        self.title_style = ParagraphStyle("title", fontName=self.font, fontSize=18, leading=26, alignment=1)
        self.meta_style = ParagraphStyle("meta", fontName=self.font, fontSize=10.5, leading=16, alignment=1)
        self.head_style = ParagraphStyle("h2", fontName=self.font, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4)
        self.cell_style = ParagraphStyle("cell", fontName=self.font, fontSize=10, leading=13)

    def render(self) -> bytes:
        out = io.BytesIO()
        d = self.dashboard
        title = f"{d.campaign.name if d.campaign else t('all_campaigns')} {t('report_title')}"
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                bottomMargin=MARGIN, title=title, author=self.author)
        story = [Paragraph(title, self.title_style), Spacer(1, 4),
                 Paragraph(f"{t('report_scope')}：{d.scope_agency.name}　{t('report_period')}：{self._period()}",
                           self.meta_style),
                 Paragraph(f"{t('report_generated')}：{self.generated_at.strftime('%Y-%m-%d %H:%M')}　{self.author}",
                           self.meta_style), Spacer(1, 8)]
        story += [Paragraph(t("totals"), self.head_style), self._totals_table(d.totals)]
        for heading, groups, label in ((t("by_category"), d.by_category, lambda g: t("category_" + g.key)),
                                       (t("by_league"), d.by_league, lambda g: g.label),
                                       (t("by_county"), d.by_county, lambda g: g.label)):
            story += [Paragraph(heading, self.head_style), self._group_table(groups, label)]
            if heading == t("by_category"):
                story += [Spacer(1, 4), self._bars([(label(g), g.counts.inspections) for g in groups])]
        if d.figures:
            story += [Paragraph(t("reports_figures"), self.head_style), self._figures_table(d.figures)]
        doc.build(story, onFirstPage=self._footer, onLaterPages=self._footer)
        return out.getvalue()

    def _period(self) -> str:
        f = self.dashboard.filters
        start = f.date_from.isoformat() if f.date_from else (
            self.dashboard.campaign.starts_on.isoformat() if self.dashboard.campaign else "…")
        end = f.date_to.isoformat() if f.date_to else (
            self.dashboard.campaign.ends_on.isoformat() if self.dashboard.campaign else "…")
        return f"{start} — {end}"

    def _cells(self, values: list) -> list:
        return [Paragraph(str(v), self.cell_style) for v in values]

    def _style(self, table: Table) -> Table:
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, GRID), ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        return table

    def _header(self, first: str) -> list:
        return self._cells([first, t("inspections"), t("parties_inspected"), t("failed_items"),
                            t("failed_inspections"), t("samples")])

    @staticmethod
    def _numbers(c: Counts) -> list:
        return [c.inspections, c.parties, c.failed_items, c.failed_inspections, c.samples]

    def _totals_table(self, totals: Counts) -> Table:
        rows = [self._header(""), self._cells([t("total"), *self._numbers(totals)])]
        return self._style(Table(rows, colWidths=[BODY_WIDTH * 0.25] + [BODY_WIDTH * 0.15] * 5))

    def _group_table(self, groups: list[Group], label) -> Table:
        rows = [self._header("")] + [self._cells([label(g), *self._numbers(g.counts)]) for g in groups]
        if len(rows) == 1:
            rows.append(self._cells(["—", "", "", "", "", ""]))
        return self._style(Table(rows, colWidths=[BODY_WIDTH * 0.25] + [BODY_WIDTH * 0.15] * 5, repeatRows=1))

    def _figures_table(self, values: dict) -> Table:
        """The statistics of reporting upward for the same filters (services/reports/figures.py):
        "—" and its note where a figure has no source yet, never a zero."""
        rows = [self._cells([t("reports_figures"), t("reports_value"), t("reports_note")])]
        for key, value in values.items():
            missing = value is None
            rows.append(self._cells([t("figure_" + key), "—" if missing else value,
                                     t("reports_no_source") if missing and FIGURES[key].kind == PENDING else ""]))
        return self._style(Table(rows, colWidths=[BODY_WIDTH * 0.45, BODY_WIDTH * 0.2, BODY_WIDTH * 0.35], repeatRows=1))

    def _bars(self, rows: list[tuple[str, int]]) -> Drawing:
        row_h, label_w = 16, 90
        drawing = Drawing(BODY_WIDTH, row_h * len(rows) + 4)
        top = max([v for _, v in rows] + [1])
        for index, (label, value) in enumerate(rows):
            y = drawing.height - (index + 1) * row_h
            drawing.add(String(label_w - 6, y + 4, label, fontName=self.font, fontSize=9, textAnchor="end"))
            width = (BODY_WIDTH - label_w - 40) * value / top
            drawing.add(Rect(label_w, y + 2, width, row_h - 5, fillColor=BAR_COLOUR, strokeColor=None))
            drawing.add(String(label_w + width + 4, y + 4, str(value), fontName=self.font, fontSize=9))
        return drawing

    def _footer(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(self.font, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, t("page_n", n=doc.page))
        canvas.restoreState()
