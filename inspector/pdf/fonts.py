"""The CJK font every case file is printed in: an embedded TrueType font when one is found."""
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


@dataclass(frozen=True)
class CjkFont:
    """The font that was registered: its ReportLab name, file, and whether it is embedded."""

    name: str
    path: str | None
    embedded: bool


_registered: dict[tuple[str | None, int], CjkFont] = {}
_lock = threading.Lock()


def register_cjk_font(path: str | None = None, subfont_index: int = 0) -> CjkFont:
    """Register and return the CJK font: `path`, else AR PL UMing, else STSong-Light (warned)."""
    key = (path, subfont_index)
    with _lock:
        if key not in _registered:
            _registered[key] = _register(path, subfont_index)
        return _registered[key]


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
