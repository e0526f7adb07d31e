"""Bar charts as inline SVG, drawn on the server: no script, prints as it shows."""
from __future__ import annotations

from markupsafe import Markup, escape

ROW_HEIGHT = 26
BAR_HEIGHT = 16
LABEL_WIDTH = 150
VALUE_WIDTH = 60
WIDTH = 560
COLOURS = ("#a3161d", "#c0701f", "#2f6f9f")


def bar_chart(title: str, rows: list[tuple[str, list[int]]], series: list[str]) -> Markup:
    """Horizontal bars, one row per label and one bar per series (e.g. inspections, failed items).

    Bars of one chart share a scale, so they can be compared across rows and series.
    """
    n_series = max(1, len(series))
    group_height = ROW_HEIGHT + (n_series - 1) * (BAR_HEIGHT + 2)
    legend_height = 22
    height = legend_height + max(1, len(rows)) * group_height + 8
    plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = max([v for _, values in rows for v in values] + [1])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    x = LABEL_WIDTH
    for index, name in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="14" font-size="12">{escape(name)}</text>')
        x += 24 + 13 * len(name) + 20
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{legend_height + 16}" font-size="13" fill="#5b6475">—</text>')
    for row_index, (label, values) in enumerate(rows):
        y0 = legend_height + row_index * group_height
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y0 + 13}" font-size="13" text-anchor="end">{escape(label)}</text>')
        for index, value in enumerate(values):
            y = y0 + index * (BAR_HEIGHT + 2)
            width = 0 if value <= 0 else max(2, round(plot_width * value / top))
            colour = COLOURS[index % len(COLOURS)]
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{colour}">'
                         f'<title>{escape(label)} · {escape(series[index] if index < len(series) else "")}: {value}</title></rect>'
                         f'<text x="{LABEL_WIDTH + width + 4}" y="{y + 12}" font-size="12">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
