"""Printed case files (案卷): plain data in `data`, one renderer class, bytes out.

    pdf = CaseFileRenderer(case_file, font_path=config["CJK_FONT_PATH"], photo_cache=cache).render()
"""
from __future__ import annotations

from .case_file import CaseFileRenderer
from .documents import DocumentPages
from .fonts import CjkFont, register_cjk_font
from .photos import PhotoCache

__all__ = ["CaseFileRenderer", "CjkFont", "DocumentPages", "PhotoCache", "register_cjk_font"]
