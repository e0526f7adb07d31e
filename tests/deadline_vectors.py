"""The shared deadline vectors (tests/vectors/deadlines.json), run through the Python module."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from inspector import clock
from inspector.services.calendar import deadlines

VECTORS_FILE = Path(__file__).resolve().parent / "vectors" / "deadlines.json"


def vectors() -> list[dict[str, Any]]:
    return json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]


def outcome(vector: dict[str, Any]) -> Any:
    """What the Python module answers, in the vector's shape."""
    day = date.fromisoformat
    fn = vector["fn"]
    if fn == "is_working_day":
        return deadlines.is_working_day(day(vector["date"]))
    if fn == "working_days_between":
        return deadlines.working_days_between(day(vector["a"]), day(vector["b"]))
    if fn == "cn_date":
        return clock.cn_date(clock.parse_instant(vector["instant"])).isoformat()
    pauses = [(day(a), day(b)) for a, b in vector.get("pauses", [])]
    due = getattr(deadlines, fn)(day(vector["start"]), vector["n"], pauses)
    got = {"date": due.date.isoformat(), "provisional": due.provisional}
    if due.raw is not None:
        got["raw"] = due.raw.isoformat()
    return got


def failures() -> list[tuple[str, Any, Any]]:
    out = []
    for vector in vectors():
        got = outcome(vector)
        expected = vector["expect"]
        if isinstance(expected, dict):
            got = {k: got.get(k) for k in expected} if isinstance(got, dict) else got
        if got != expected:
            out.append((vector["id"], expected, got))
    return out
