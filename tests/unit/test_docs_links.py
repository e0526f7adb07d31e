"""The README and docs/ stand alone: every link and every relative path they name stays inside the
repository and exists, so a clone (without the project's neighbouring folders) reads whole."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
RELATIVE_PATH = re.compile(r"(?<![\w/])((?:\.\./)+[\w.\-/]*)")
EXTERNAL = ("http://", "https://", "mailto:")


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", path.read_text(encoding="utf-8"), re.M)}


def _inside(path: Path) -> bool:
    return path.resolve().is_relative_to(ROOT)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_stay_inside_the_repository_and_resolve(document: Path):
    text = document.read_text(encoding="utf-8")
    problems = []
    for target in LINK.findall(text):
        if target.startswith(EXTERNAL):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (document.parent / file_part).resolve() if file_part else document
        if file_part.startswith("/") or not _inside(linked):
            problems.append(f"link outside the repository: {target}")
        elif not linked.exists():
            problems.append(f"link to a missing file: {target}")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            problems.append(f"link to a missing heading: {target}")
    for named in RELATIVE_PATH.findall(text):
        if not _inside(document.parent / named):
            problems.append(f"path outside the repository: {named}")
    assert not problems, f"{document.relative_to(ROOT)}: " + "; ".join(problems)


def test_the_readme_links_the_architecture_document():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/architecture.md)" in readme
