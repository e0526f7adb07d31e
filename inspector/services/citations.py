"""Checklist citations (《…》第X条第Y款第（Z）项) parsed and checked against statute texts.

The statute texts are Markdown files named `<short title>(<version date>).md`: a `# <full title>`
heading, articles as lines starting with 第…条, paragraphs (款) as the following blank-line-separated
blocks, items (项) as blocks starting with （一）（二）…. They are only read by the checking commands
(`check-citations`, `import-template --statutes`); the running app never needs them: each checklist
item carries the words it relies on in `basis_text` and the law's version date in `basis_version`.
Citations to texts that are not in the folder are listed in the item's `basis_pending` (shown as
待核) until someone checks them against the official text.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

# Statuses of one citation, in the order a report lists them. The first three are errors.
VERIFIED = "verified"
ARTICLE_MISSING = "article missing"
PARAGRAPH_MISSING = "paragraph or item missing"
TEXT_DIFFERS = "quoted text differs"
NOT_AVAILABLE = "text not available"
STATUSES = (VERIFIED, ARTICLE_MISSING, PARAGRAPH_MISSING, TEXT_DIFFERS, NOT_AVAILABLE)
PROBLEMS = (ARTICLE_MISSING, PARAGRAPH_MISSING, TEXT_DIFFERS)

PENDING_MARK = "待核"
COUNTRY_PREFIX = "中华人民共和国"

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "[零一二两三四五六七八九十百千]+"
_ARTICLE_LINE = re.compile(rf"^第({_NUMERAL})条(?:\s+|　)?(.*)$")
_ITEM_BLOCK = re.compile(rf"^（({_NUMERAL})）")
_TITLE = re.compile(r"《([^》]+)》")
# One reference after the title: 第X条, optionally 第Y款, optionally 第（Z）项; later ones in a list
# separated by 、 may leave out the article (and paragraph) they share with the one before.
_REFERENCE = re.compile(rf"(?:第({_NUMERAL})条)?(?:第({_NUMERAL})款)?(?:第（({_NUMERAL})）项)?")
_FILE_NAME = re.compile(r"^(?P<name>.+)\((?P<version>\d{4}-\d{2}-\d{2})\)\.md$")


def chinese_number(text: str) -> int:
    """二十七 → 27, 一百零五 → 105 (the numerals statutes number their articles with)."""
    total, digit = 0, None
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + (digit or 0)


def chinese_numeral(number: int) -> str:
    """27 → 二十七, 105 → 一百零五, 10 → 十 (the inverse of `chinese_number` for 1–9999)."""
    if not 0 < number < 10000:
        raise ValueError(f"out of range: {number}")
    digits = "零一二三四五六七八九"
    parts, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append("零")
            zero = False
        parts.append(("" if digit == 1 and unit == "十" and not parts else digits[digit]) + unit)
    return "".join(parts)


def short_title(title: str) -> str:
    """The title a statute file is named by: 《中华人民共和国产品质量法》 and 《产品质量法》 are one law."""
    return title.removeprefix(COUNTRY_PREFIX)


# ---------------------------------------------------------------------------------- citations
@dataclass(frozen=True)
class Pinpoint:
    article: int
    paragraph: int | None = None
    item: int | None = None

    @property
    def label(self) -> str:
        """第二十七条第一款第（一）项, the way the citation writes it."""
        text = f"第{chinese_numeral(self.article)}条"
        if self.paragraph:
            text += f"第{chinese_numeral(self.paragraph)}款"
        if self.item:
            text += f"第（{chinese_numeral(self.item)}）项"
        return text


@dataclass(frozen=True)
class Citation:
    text: str  # as written in the template, e.g. 《中华人民共和国产品质量法》第三十六条、第二十七条第一款第（一）项
    title: str  # 中华人民共和国产品质量法; the whole text when it names no 《…》 (GB codes, 公告)
    pinpoints: tuple[Pinpoint, ...] = ()
    unparsed: str = ""  # what follows the title and is not an article reference (GB clause numbers…)


def parse_basis(legal_basis: str) -> list[Citation]:
    """Split an item's legal basis into its citations (separated by ；)."""
    citations = []
    for part in re.split(r"[；;]", legal_basis or ""):
        part = part.strip()
        if part:
            citations.append(_parse_citation(part))
    return citations


def _parse_citation(text: str) -> Citation:
    match = _TITLE.search(text)
    if match is None:
        return Citation(text=text, title=text)
    rest = text[match.end():]
    rest = re.sub(r"^（[^）]*）", "", rest)  # the issuing order, e.g. （农业部令2016年第6号）
    pinpoints: list[Pinpoint] = []
    unparsed = ""
    for chunk in rest.split("、") if rest else []:
        found = _REFERENCE.fullmatch(chunk)
        if found is None or not any(found.groups()):
            unparsed = rest
            pinpoints = []
            break
        article, paragraph, item = (chinese_number(g) if g else None for g in found.groups())
        if article is None:  # 、第（二）项 shares the article and paragraph of the reference before
            if not pinpoints:
                unparsed = rest
                break
            before = pinpoints[-1]
            article = before.article
            paragraph = paragraph or (before.paragraph if item else None)
        pinpoints.append(Pinpoint(article, paragraph, item))
    return Citation(text=text, title=match.group(1), pinpoints=tuple(pinpoints), unparsed=unparsed)


# ---------------------------------------------------------------------------------- statutes
@dataclass(frozen=True)
class Paragraph:
    lead: str  # the paragraph's own words (before its items, if it has any)
    items: tuple[str, ...] = ()  # （一）…, （二）…, each with its number as printed

    def text(self) -> str:
        return "\n".join((self.lead, *self.items))


@dataclass
class Statute:
    title: str  # 中华人民共和国产品质量法
    version: str  # 2018-12-29
    articles: dict[int, list[Paragraph]] = field(default_factory=dict)

    def clause(self, pin: Pinpoint) -> tuple[str | None, str | None]:
        """(the words of the clause, None) or (None, the status saying what is missing)."""
        paragraphs = self.articles.get(pin.article)
        if paragraphs is None:
            return None, ARTICLE_MISSING
        if pin.paragraph is None and pin.item is None:
            return "\n".join(p.text() for p in paragraphs), None
        # 第五十七条第（三）项: an article of one paragraph cites its items without naming the 款.
        index = (pin.paragraph or 1) - 1
        if index >= len(paragraphs):
            return None, PARAGRAPH_MISSING
        paragraph = paragraphs[index]
        if pin.item is None:
            return paragraph.text(), None
        if pin.item > len(paragraph.items):
            return None, PARAGRAPH_MISSING
        # An item means nothing without the words that introduce it (…符合下列要求：).
        return f"{paragraph.lead}\n{paragraph.items[pin.item - 1]}", None


def parse_statute(markdown: str, title: str, version: str) -> Statute:
    statute = Statute(title=title, version=version)
    body = markdown.split("<!-- INFO END -->", 1)[-1]
    current: list[Paragraph] | None = None
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            current = None  # a chapter heading ends the article before it
            continue
        article = _ARTICLE_LINE.match(line)
        if article:
            current = [Paragraph(article.group(2).strip())]
            statute.articles[chinese_number(article.group(1))] = current
        elif current is not None:
            if _ITEM_BLOCK.match(line):
                last = current[-1]
                current[-1] = Paragraph(last.lead, (*last.items, line))
            else:
                current.append(Paragraph(line))
    return statute


def load_statutes(folder: str | Path) -> dict[str, Statute]:
    """{short title: statute} of every statute file in `folder`."""
    path = Path(folder)
    if not path.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    statutes: dict[str, Statute] = {}
    for entry in sorted(path.glob("*.md")):
        named = _FILE_NAME.match(entry.name)
        if named is None:
            continue  # README and the like
        text = entry.read_text(encoding="utf-8")
        heading = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), named["name"])
        statute = parse_statute(text, heading, named["version"])
        statutes[short_title(named["name"])] = statute
    if not statutes:
        raise FileNotFoundError(f"{folder} holds no statute file named like 产品质量法(2018-12-29).md")
    return statutes


# ---------------------------------------------------------------------------------- basis text
def _segments(citations: Iterable[Citation], statutes: dict[str, Statute]) -> list[tuple[Citation, str | None, str | None]]:
    """(citation, its words in the basis text, None) or (citation, None, status) for each present citation."""
    present = [c for c in citations if short_title(c.title) in statutes]
    several_laws = len({short_title(c.title) for c in present}) > 1
    out = []
    for citation in present:
        statute = statutes[short_title(citation.title)]
        if not citation.pinpoints:
            out.append((citation, None, ARTICLE_MISSING))
            continue
        parts, problem = [], None
        for pin in citation.pinpoints:
            words, problem = statute.clause(pin)
            if problem:
                break
            parts.append(f"{pin.label} {words}")
        if problem:
            out.append((citation, None, problem))
            continue
        prefix = f"《{statute.title}》" if several_laws else ""
        out.append((citation, "\n".join(prefix + part for part in parts), None))
    return out


def expected_basis(legal_basis: str, statutes: dict[str, Statute]) -> dict[str, Any]:
    """The basis fields an item citing `legal_basis` should carry, from the statute texts at hand."""
    citations = parse_basis(legal_basis)
    segments = _segments(citations, statutes)
    texts = [words for _c, words, _p in segments if words]
    versions = list(dict.fromkeys(statutes[short_title(c.title)].version for c, words, _p in segments if words))
    fields: dict[str, Any] = {}
    if texts:
        fields["basis_text"] = "\n".join(texts)
        fields["basis_version"] = "、".join(versions)
    pending = [c.text for c in citations if short_title(c.title) not in statutes]
    if pending:
        fields["basis_pending"] = pending
    return fields


def fill_basis(body: dict[str, Any], statutes: dict[str, Statute], *, overwrite: bool = False) -> dict[str, Any]:
    """Give every item the basis fields the statutes yield (only where missing unless `overwrite`)."""
    for item in _items(body):
        if not isinstance(item.get("legal_basis"), str):
            continue
        expected = expected_basis(item["legal_basis"], statutes)
        for name in ("basis_text", "basis_version", "basis_pending"):
            if overwrite or name not in item:
                if name in expected:
                    item[name] = expected[name]
                elif overwrite:
                    item.pop(name, None)
    return body


# ---------------------------------------------------------------------------------- checking
@dataclass(frozen=True)
class CitationCheck:
    template: str  # key and version, e.g. fertilizer v2
    item_key: str
    citation: str
    status: str
    detail: str = ""

    @property
    def problem(self) -> bool:
        return self.status in PROBLEMS

    def line(self) -> str:
        text = f"{self.template} {self.item_key}: {self.citation} — {self.status}"
        return f"{text} ({self.detail})" if self.detail else text


def check_template(body: dict[str, Any], statutes: dict[str, Statute]) -> list[CitationCheck]:
    """One result per citation of every item of a template body."""
    name = f"{body.get('key', '?')} v{body.get('version', '?')}"
    results: list[CitationCheck] = []
    for item in _items(body):
        results.extend(_check_item(name, item, statutes))
    return results


def _check_item(name: str, item: dict[str, Any], statutes: dict[str, Statute]) -> Iterator[CitationCheck]:
    citations = parse_basis(item.get("legal_basis") or "")
    segments = {id(c): (words, problem) for c, words, problem in _segments(citations, statutes)}
    expected = expected_basis(item.get("legal_basis") or "", statutes)
    stored_text = item.get("basis_text") or ""
    pending = item.get("basis_pending") or []
    key = item.get("key", "?")
    for citation in citations:
        if id(citation) not in segments:
            detail = f"marked {PENDING_MARK}" if citation.text in pending else f"not marked {PENDING_MARK}"
            yield CitationCheck(name, key, citation.text, NOT_AVAILABLE, detail)
            continue
        words, problem = segments[id(citation)]
        statute = statutes[short_title(citation.title)]
        if problem == ARTICLE_MISSING and not citation.pinpoints:
            yield CitationCheck(name, key, citation.text, ARTICLE_MISSING,
                                citation.unparsed and f"cannot read {citation.unparsed!r}" or "no article is cited")
        elif problem:
            yield CitationCheck(name, key, citation.text, problem, f"not in the {statute.version} text")
        elif words not in stored_text:
            yield CitationCheck(name, key, citation.text, TEXT_DIFFERS,
                                "basis_text is missing" if not stored_text else
                                f"basis_text does not hold the {statute.version} words")
        elif statute.version not in (item.get("basis_version") or ""):
            yield CitationCheck(name, key, citation.text, TEXT_DIFFERS,
                                f"basis_version {item.get('basis_version')!r}, the text at hand is of {statute.version}")
        elif stored_text != expected.get("basis_text"):
            yield CitationCheck(name, key, citation.text, TEXT_DIFFERS, "basis_text holds words no citation asks for")
        else:
            yield CitationCheck(name, key, citation.text, VERIFIED, statute.version)


def citation_problems(body: dict[str, Any], statutes: dict[str, Statute]) -> list[str]:
    """The citation errors of a template about to be imported, after filling in missing basis fields."""
    fill_basis(body, statutes)
    return [r.line() for r in check_template(body, statutes) if r.problem]


def summary(results: list[CitationCheck]) -> Counter:
    return Counter(r.status for r in results)


def _items(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in body.get("sections") or []:
        if isinstance(section, dict):
            for item in section.get("items") or []:
                if isinstance(item, dict):
                    yield item
