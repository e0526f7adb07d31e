"""The pull cursor: opaque to the phone, a position in the server's (version, type, id) order to us."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ...models import User

# Bump when the rules of what a user pulls change: every phone then gets a reset.
# 2: a case's 责令改正通知书 are pulled (orders made before carry version 0: a reset brings them).
SCOPE_RULES = 2


@dataclass(frozen=True)
class Cursor:
    """Everything up to (version, type, key) was sent; type None means all of `version`.

    `round_start` is set on the later pages of a reset: tombstones at or below it are not sent,
    because the phone has just cleared its copy. `span`, the versions the page before covered,
    only guesses how far the next page reaches (a wrong one costs time, never a row). `case` is
    set while a round walks the user's cases: everything up to (case id, type, key) was sent; the
    version walk (from `version`, -1) follows it.
    """

    version: int
    type: str | None
    key: Any
    scope: str
    user_id: int
    round_start: int | None = None
    span: int | None = None
    case: tuple[Any, ...] | None = None

    @property
    def position(self) -> tuple[int, str | None, Any]:
        return self.version, self.type, self.key


START = (-1, None, None)  # before every row
# Rounds (the pages after a reset) send the user's cases whole first (pull.py's case walk); a round
# cursor from before that cannot be continued.
ROUND_FORMAT = 2


def scope_hash(user: User) -> str:
    """What decides a user's pull scope besides their cases: a change answers a reset.

    Leaving a case is sent precisely (ScopeExit); a new agency or role changes too much for that.
    """
    raw = f"{SCOPE_RULES}|{user.id}|{user.agency_id}|{user.role}|{user.active}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def encode(cursor: Cursor) -> str:
    body = {"v": cursor.version, "t": cursor.type, "k": cursor.key, "s": cursor.scope, "u": cursor.user_id}
    if cursor.round_start is not None:
        body["r"] = cursor.round_start
    if cursor.span is not None:
        body["w"] = cursor.span
    if cursor.case is not None:
        body["c"] = list(cursor.case)
    if cursor.round_start is not None:
        body["f"] = ROUND_FORMAT
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(text: str | None) -> Cursor | None:
    """The cursor, or None when there is none or it cannot be read (the phone then gets a reset)."""
    if not text:
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        key = body["k"]
        cursor = Cursor(version=int(body["v"]), type=body["t"], key=tuple(key) if isinstance(key, list) else key,
                        scope=str(body["s"]), user_id=int(body["u"]),
                        round_start=int(body["r"]) if body.get("r") is not None else None,
                        span=int(body["w"]) if body.get("w") is not None else None,
                        case=_case_position(body.get("c")))
    except (binascii.Error, ValueError, KeyError, TypeError, OverflowError, UnicodeDecodeError, RecursionError):
        return None  # RecursionError: JSON nested deeper than the parser goes
    if cursor.type is not None and not isinstance(cursor.type, str):
        return None
    if cursor.round_start is not None and body.get("f") != ROUND_FORMAT:
        return None  # a round begun before rounds walked the cases: it starts again
    return cursor


def _case_position(raw: Any) -> tuple[Any, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 3 or not isinstance(raw[1], str):
        raise ValueError("not a case walk position")
    return raw[0], raw[1], raw[2]
