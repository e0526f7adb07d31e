"""The JSON API under /api/v1: thin routes, one module per resource."""
from __future__ import annotations

from . import auth, blobs, case_files, devices, inspections, parties, rectifications, reference, sync, uploads  # noqa: F401  (register routes)
from .common import bp

__all__ = ["bp"]
