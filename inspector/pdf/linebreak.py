"""Chinese line breaking for ReportLab paragraphs (wordWrap="CJK"): 禁则, codes kept whole, no overhang.

ReportLab's own CJK wrap breaks after any character and knows only part of the rules: it lets
one closing mark hang past the right margin (so text overruns the GB/T 9704 margin), its list of
marks that cannot start a line lacks the full-width ，；：？！》” and it never looks at marks
that cannot end a line (（《「『“). It also splits codes: "GB/T 15063-2020" or the seal number
"FY-150122-2026-000123" broke at the line's edge. The rules here (GB/T 15834 and common 禁则):

- no line starts with a closing mark (。，、；：？！）》」』” …) and none ends with an opening
  mark (（《「『“ …): the break moves back until both hold;
- a run of Latin letters, digits and code punctuation (/-._:+#%) is not broken, nor the space
  of a standard's code ("GB/T 15063"), nor a date (2026年3月5日); Latin words break at other spaces;
- nothing hangs past the width: a line is never wider than the frame;
- only when no such break exists on the line (a run longer than the line) is it broken anyway.

`install()` puts the rule into ReportLab's Paragraph for every CJK-wrapped paragraph of the process.
"""
from __future__ import annotations

import re

from reportlab.platypus import paragraph as _rl
from reportlab.rl_config import _FUZZ

NO_LINE_START = frozenset("。，、；：？！）》」』”’〕】〉〗｝］．，,.;:?!)]}%‰℃…·—～ー々")
NO_LINE_END = frozenset("（《「『“‘〔【〈〖｛［([{")
# Characters that join into one unbreakable code or number.
_CODE = re.compile(r"[0-9A-Za-z/\-._:+#%·\u00b0\u2080-\u2089\u00b2\u00b3]")
# A date or time written with numbers (2026年3月5日9时5分): not broken inside.
_DATE_UNITS = frozenset("年月日时分秒")
# "GB/T", "NY/T", "HG", "GB" … before the space of a standard's number.
_STANDARD_PREFIX = re.compile(r"(?:^|[^0-9A-Za-z])[A-Z]{1,4}(?:/[A-Z]{1,2})?$")


def _is_code(ch: str) -> bool:
    return len(ch) == 1 and _CODE.match(ch) is not None


def _joined_space(text: list[str], at: int) -> bool:
    """True when the space at `at` belongs to a standard's code (GB/T 15063) and must not break."""
    if at + 1 >= len(text) or not text[at + 1].isdigit():
        return False
    before = "".join(text[max(0, at - 8):at])
    return _STANDARD_PREFIX.search(before) is not None


def may_break(text: list[str], at: int, *, keep_codes: bool = True) -> bool:
    """Whether a line may end before text[at] (after text[at - 1])."""
    before, after = text[at - 1], text[at]
    if len(after) == 1 and after in NO_LINE_START:
        return False
    if len(before) == 1 and before in NO_LINE_END:
        return False
    if not keep_codes:
        return True
    if (before.isdigit() and after in _DATE_UNITS) or (before in _DATE_UNITS and after.isdigit()):
        return False  # 2026年3月5日9时5分 stays whole
    if after == " ":
        return not _joined_space(text, at)
    if before == " ":
        return not _joined_space(text, at - 1)
    return not (_is_code(before) and _is_code(after))


def break_position(text: list[str], start: int, overflow: int) -> int:
    """Where to end the line that runs from `start` when text[overflow] no longer fits."""
    for keep_codes in (True, False):
        for at in range(overflow, start, -1):
            if may_break(text, at, keep_codes=keep_codes):
                return at
    return max(overflow, start + 1)


def _width(u, max_width: float) -> float:
    w = u.width
    if hasattr(w, "normalizedValue"):
        w._normalizer = max_width
        w = w.normalizedValue(max_width)
    return w


def split_lines(chars: list[str], widths: list[float], max_widths: list[float],
                hard_breaks: frozenset[int] = frozenset()) -> list[tuple[int, int, float, float, bool]]:
    """Lines as (start, end, width used, line's max width, ends at a hard break) over `chars`.

    `hard_breaks`: indexes of items that end their line (a <br/>), kept on the line they end.
    """
    lines: list[tuple[int, int, float, float, bool]] = []
    start = i = 0
    used = 0.0

    def max_width() -> float:
        return max_widths[len(lines)] if len(lines) < len(max_widths) else max_widths[-1]

    limit = max_width()
    n = len(chars)
    while i < n:
        used += widths[i]
        i += 1
        if i - 1 in hard_breaks:
            lines.append((start, i, used, limit, True))
            start, used = i, 0.0
            limit = max_width()
            continue
        if used > limit + _FUZZ and i - 1 > start:
            end = break_position(chars, start, i - 1)
            last = end
            while last - 1 > start and chars[last - 1] == " ":
                last -= 1  # a space at the break is neither printed nor counted
            lines.append((start, last, sum(widths[start:last]), limit, False))
            while end < n and chars[end] == " ":
                end += 1
            start = i = end
            used = 0.0
            limit = max_width()
    if start < n:
        lines.append((start, n, used, limit, False))
    return lines


def cjk_frag_split(frags, max_widths, calc_bounds, encoding="utf8"):
    """ReportLab's cjkFragSplit with the rules above: the same ParaLines(kind=1) out."""
    units = []
    for frag in frags:
        text = frag.text
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if text:
            units.extend(_rl.cjkU(ch, frag, encoding) for ch in text)
        else:
            units.append(_rl.cjkU(text, frag, encoding))
    chars = [str(u) for u in units]
    widths = [_width(u, max_widths[0]) for u in units]
    hard = frozenset(k for k, u in enumerate(units) if hasattr(u.frag, "lineBreak"))
    lines = [_rl.makeCJKParaLine(units[start:end], limit, used, limit - used, hard_break, calc_bounds)
             for start, end, used, limit, hard_break in split_lines(chars, widths, max_widths, hard)]
    return _rl.ParaLines(kind=1, lines=lines)


_CHAR_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def _char_widths(text: str, font_name: str, font_size: float) -> list[float]:
    known = _CHAR_WIDTHS.setdefault((font_name, font_size), {})
    out = []
    for ch in text:
        w = known.get(ch)
        if w is None:
            w = known[ch] = _rl.stringWidth(ch, font_name, font_size)
        out.append(w)
    return out


def _break_lines_cjk(self, max_widths):
    """Paragraph.breakLinesCJK for every CJK paragraph, through split_lines."""
    if not isinstance(max_widths, (list, tuple)):
        max_widths = [max_widths]
    style = self.style
    self.height = 0
    _rl._handleBulletWidth(self.bulletText, style, max_widths)
    frags = self.frags
    if len(frags) == 1 and not hasattr(frags[0], "cbDefn") and not style.endDots:
        # One run of one font (most paragraphs and cells): lines of plain text, as ReportLab's own
        # single-frag path makes them, and much cheaper to draw than per-character frags.
        frag = frags[0]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return frag.clone(kind=0, lines=self.blPara.lines)
        text = frag.text if hasattr(frag, "text") else "".join(getattr(frag, "words", []))
        chars = list(text)
        widths = _char_widths(text, frag.fontName, frag.fontSize)
        lines = [(limit - used, ["".join(chars[start:end])])
                 for start, end, used, limit, _hard in split_lines(chars, widths, max_widths)]
        return frag.clone(kind=0, lines=lines, ascent=frag.fontSize, descent=-0.2 * frag.fontSize)
    if not frags:
        return _rl.ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName, textColor=style.textColor,
                             lines=[], ascent=style.fontSize, descent=-0.2 * style.fontSize)
    if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
        return self.blPara
    auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
    return cjk_frag_split(frags, max_widths, auto_leading not in ("", "off"))


def install() -> None:
    """Make every Paragraph with wordWrap="CJK" in this process break lines by these rules."""
    _rl.Paragraph.breakLinesCJK = _break_lines_cjk
