"""The official working-day calendar and the deadline arithmetic on it (next-capabilities §0).

`deadlines` computes due dates; `source` reads a year (tables or the pinned package, cached);
`notices` lets an admin enter a year's State Council notice; `seed` turns the package into rows;
`wire` is the calendar a phone pulls.
"""
from __future__ import annotations

from .deadlines import (
    Due, is_official, is_working_day, natural_days_after, next_working_day, working_days_after,
    working_days_between,
)

__all__ = ["Due", "is_official", "is_working_day", "natural_days_after", "next_working_day",
           "working_days_after", "working_days_between"]
