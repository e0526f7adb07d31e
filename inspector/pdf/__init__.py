"""Printed case files (案卷): plain data in `data`, one renderer class, bytes out.

    pdf = CaseFileRenderer(case_file, font_path=config["CJK_FONT_PATH"], photo_cache=cache).render()
"""
from __future__ import annotations

from reportlab import rl_config

# ReportLab writes image data ASCII85-encoded by default (a 7-bit-safe habit of the 1990s): it
# costs encoding time and makes every embedded photo 25% larger. Binary streams are standard PDF.
# This setting is process-wide: every PDF this process makes (reports too) gets binary images.
rl_config.useA85 = 0

# Chinese line breaking (禁则, codes kept whole, nothing past the margin) for every paragraph with
# wordWrap="CJK" in this process; ReportLab's own lets punctuation hang and splits codes (linebreak.py).
from . import linebreak  # noqa: E402

linebreak.install()

from .case_file import CaseFileRenderer  # noqa: E402
from .documents import DocumentPages  # noqa: E402
from .fonts import CjkFont, register_cjk_font  # noqa: E402
from .photos import PhotoCache  # noqa: E402

__all__ = ["CaseFileRenderer", "CjkFont", "DocumentPages", "PhotoCache", "register_cjk_font"]
