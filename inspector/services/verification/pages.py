"""One page of a registered document as an image, to hold against the paper.

Drawn from the registered PDF bytes (never from the case as it is now) by poppler's pdftoppm,
the renderer most PDF viewers on Linux share, and cached by the file's SHA-256 and page number.
"""
from __future__ import annotations

import hashlib
import logging
import subprocess
from dataclasses import dataclass
from typing import Any

from ...models import IssuedDocument
from .. import case_file

log = logging.getLogger(__name__)

PAGE_IMAGE_DPI = 110  # an A4 page of about 910 × 1290 pixels: the 5.5 pt footer is still legible
_PDFTOPPM_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class PagePlace:
    """Where a page sits: in the file (`file_page` of `file_pages`) and in its document."""

    file_page: int
    file_pages: int
    title: str | None  # the document (现场笔录, 证据提取单…) it belongs to
    page: int  # 第 N 页 as printed on it
    pages: int  # 共 M 页 as printed on it


def page_place(summary: dict[str, Any], file_page: int) -> PagePlace | None:
    """The page `file_page` of a registered file, from its summary; None when there is no such page."""
    file_pages = int(summary.get("pages") or 0)
    if not 1 <= file_page <= file_pages:
        return None
    for part in summary.get("documents") or []:
        first, last = int(part["firstPage"]), int(part["lastPage"])
        if first <= file_page <= last:
            return PagePlace(file_page, file_pages, part.get("title"), file_page - first + 1, last - first + 1)
    return PagePlace(file_page, file_pages, None, file_page, file_pages)


def page_image(document: IssuedDocument, file_page: int) -> bytes | None:
    """PNG of page `file_page` (from 1) of the document as registered; None when its bytes are gone."""
    cache = case_file.page_image_cache()
    key = f"{document.sha256}:{file_page}:{PAGE_IMAGE_DPI}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    pdf = case_file.registered_pdf(document)
    if pdf is None or hashlib.sha256(pdf).hexdigest() != document.sha256:
        return None
    try:
        done = subprocess.run(
            ["pdftoppm", "-png", "-r", str(PAGE_IMAGE_DPI), "-f", str(file_page), "-l", str(file_page),
             "-singlefile", "-"],
            input=pdf, capture_output=True, timeout=_PDFTOPPM_TIMEOUT_SECONDS, check=True)
    except (OSError, subprocess.SubprocessError) as err:
        log.warning("could not draw page %s of %s: %s", file_page, document.document_no, err)
        return None
    cache.put(key, done.stdout)
    return done.stdout
