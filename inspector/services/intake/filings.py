"""The one door from intake into the complaints register (helper `complaints` owns the register)."""
from __future__ import annotations

from ...models import User


def known_refs(refs: list[str]) -> set[str]:
    """Which of these 12315 numbers the register already holds."""
    return set()


def register_imported(user: User, fields: dict[str, object]) -> None:
    """Register one imported row (without committing)."""
    raise NotImplementedError
