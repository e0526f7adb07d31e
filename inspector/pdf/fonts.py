"""The CJK font every case file is printed in: an embedded TrueType font when one is found, and a
fallback font for the few characters it lacks (subscripts of N+P₂O₅+K₂O), so nothing prints as tofu.

The fallback is applied where text enters a Paragraph (`wording.markup` calls `fallback_markup`):
each run of characters the CJK font lacks and the fallback has is set in the fallback font.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

# Debian/Ubuntu package fonts-arphic-uming: a Ming/Song face; index 0 of the collection is
# "AR PL UMing CN", the simplified-Chinese member.
UMING_PATH = "/usr/share/fonts/truetype/arphic/uming.ttc"
UMING_SUBFONT_INDEX = 0
# Built into ReportLab and every PDF viewer's Adobe-GB1 support, but not embedded: the
# printed glyphs then depend on the reader's fonts. Last resort only.
CID_FALLBACK = "STSong-Light"
# Debian package fonts-dejavu-core: a serif face with the subscripts, superscripts and symbols
# (₂ ₅ ² ℃ ‰ …) that the Ming face lacks.
GLYPH_FALLBACK_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
GLYPH_FALLBACK_NAME = "Fallback-DejaVuSerif"


@dataclass(frozen=True)
class CjkFont:
    """The font that was registered: its ReportLab name, file, and whether it is embedded."""

    name: str
    path: str | None
    embedded: bool
    fallback: str | None = None  # the ReportLab name of the glyph fallback font, when registered


_registered: dict[tuple[str | None, int], CjkFont] = {}
_lock = threading.Lock()
# The code points of the CJK font last registered and of the fallback: what fallback_markup checks.
_coverage: tuple[frozenset[int], str, frozenset[int]] | None = None


def register_cjk_font(path: str | None = None, subfont_index: int = 0) -> CjkFont:
    """Register and return the CJK font: `path`, else AR PL UMing, else STSong-Light (warned)."""
    global _coverage
    key = (path, subfont_index)
    with _lock:
        if key not in _registered:
            font = _register(path, subfont_index)
            fallback = _register_fallback() if font.embedded else None
            _registered[key] = CjkFont(font.name, font.path, font.embedded, fallback)
        font = _registered[key]
        if font.fallback is not None:
            fallback_chars = _registered_chars(font.fallback)
            _coverage = (_registered_chars(font.name), font.fallback, fallback_chars)
        else:
            _coverage = None
        return font


def glyphs(font_name: str) -> frozenset[int]:
    """The code points a registered TrueType font has glyphs for."""
    return _registered_chars(font_name)


_CHARS: dict[str, frozenset[int]] = {}


def _registered_chars(font_name: str) -> frozenset[int]:
    if font_name not in _CHARS:
        _CHARS[font_name] = frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)
    return _CHARS[font_name]


def _register_fallback() -> str | None:
    try:
        pdfmetrics.getFont(GLYPH_FALLBACK_NAME)
    except KeyError:
        try:
            pdfmetrics.registerFont(TTFont(GLYPH_FALLBACK_NAME, GLYPH_FALLBACK_PATH))
        except Exception as exc:  # not installed: characters the CJK font lacks print as empty boxes
            log.warning("glyph fallback font %s not usable: %s", GLYPH_FALLBACK_PATH, exc)
            return None
    return GLYPH_FALLBACK_NAME


def fallback_markup(text: str) -> str:
    """Paragraph markup with each run of characters the CJK font lacks set in the fallback font."""
    if _coverage is None:
        return text
    primary, fallback, secondary = _coverage
    if all(ord(ch) in primary or ch in "\n\r\t" for ch in text):
        return text
    out, run = [], []
    for ch in text:
        if ord(ch) not in primary and ord(ch) in secondary:
            run.append(ch)
            continue
        if run:
            out.append(f'<font name="{fallback}">{"".join(run)}</font>')
            run = []
        out.append(ch)
    if run:
        out.append(f'<font name="{fallback}">{"".join(run)}</font>')
    return "".join(out)


def _register(path: str | None, subfont_index: int) -> CjkFont:
    candidates = [(path, subfont_index)] if path else []
    candidates.append((UMING_PATH, UMING_SUBFONT_INDEX))
    for font_path, index in candidates:
        name = _ttf_name(font_path, index)
        try:
            pdfmetrics.getFont(name)
        except KeyError:
            try:
                pdfmetrics.registerFont(TTFont(name, font_path, subfontIndex=index))
            except Exception as exc:  # missing file, not a TrueType outline font, bad index…
                log.warning("CJK font %s (index %d) not usable: %s", font_path, index, exc)
                continue
        return CjkFont(name=name, path=font_path, embedded=True)
    log.warning("no TrueType CJK font found; PDFs use the non-embedded CID font %s", CID_FALLBACK)
    try:
        pdfmetrics.getFont(CID_FALLBACK)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return CjkFont(name=CID_FALLBACK, path=None, embedded=False)


def _ttf_name(path: str, index: int) -> str:
    # One ReportLab name per file and index, so two configured fonts never shadow each other.
    digest = hashlib.sha1(f"{path}#{index}".encode()).hexdigest()[:8]
    return f"CJK-{digest}"
