"""The draw algorithm `sha256-fisher-yates` v1: anyone can recompute a draw from what it stored.

Pure functions, no database: the inputs are the frozen candidate listing (a JSON object), the
32-byte seed and the parameters; the output is the ordered result.

- **Listing hash**: SHA-256 of the listing serialised as canonical JSON (UTF-8, keys sorted,
  no spaces: `json.dumps(listing, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`).
- **Random stream** for a label (e.g. `targets/flagged`): the concatenation of blocks
  `SHA-256(seed ‖ 0x00 ‖ label (UTF-8) ‖ 0x00 ‖ k as 8 bytes big-endian)` for k = 0, 1, 2, …
- **Uniform integer below n**: take the next 8 bytes of the stream as a big-endian unsigned
  integer u; retry while u ≥ 2^64 − (2^64 mod n) (rejection, so no value is favoured); answer u mod n.
- **Shuffle** (Fisher–Yates, Durstenfeld): for i from len−1 down to 1, j = uniform below i+1,
  swap items i and j. The items enter in listing order (sorted by id).
- **Targets**: for each stratum in the order of `params["strata"]`, the listing's targets of that
  stratum are shuffled with the label `targets/<stratum>`; the first `count` are drawn (a percent
  is turned into a count when the plan is drawn, rounded up, and stored as the count).
- **Inspectors** are dealt, so the work spreads evenly: the inspectors eligible for a target are
  the listing's inspectors whose agency path starts with the target's agency path. Per agency
  path, a deck is that pool shuffled with the label `inspectors/<agency path>/<round>` (round 1,
  2, …; a new round when the deck runs out). For each drawn target in result order, `pair` (2)
  inspectors are taken from the top of its area's deck; one already in the pair (possible only
  across a round's end) is set aside and goes back on top of the deck once the pair is complete.
- **Replacement** (回避): the listing's inspectors are shuffled with `replacement/<target id>`;
  the first one replaces the recused inspector.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

NAME = "sha256-fisher-yates"
VERSION = "v1"
SEED_BYTES = 32
_SPACE = 1 << 64

T = TypeVar("T")


def canonical(listing: Any) -> bytes:
    return json.dumps(listing, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def listing_hash(listing: Any) -> str:
    return hashlib.sha256(canonical(listing)).hexdigest()


def _stream(seed: bytes, label: str) -> Iterator[int]:
    prefix = seed + b"\x00" + label.encode("utf-8") + b"\x00"
    counter = 0
    while True:
        block = hashlib.sha256(prefix + counter.to_bytes(8, "big")).digest()
        for offset in range(0, len(block), 8):
            yield int.from_bytes(block[offset:offset + 8], "big")
        counter += 1


def _below(words: Iterator[int], n: int) -> int:
    limit = _SPACE - (_SPACE % n)
    while True:
        u = next(words)
        if u < limit:
            return u % n


def shuffled(items: Sequence[T], seed: bytes, label: str) -> list[T]:
    """The items in the order the seed gives for this label."""
    out = list(items)
    words = _stream(seed, label)
    for i in range(len(out) - 1, 0, -1):
        j = _below(words, i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def draw_targets(listing: dict[str, Any], seed: bytes, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The ordered result of a plan's draw: [{"party", "stratum", "inspectors": [user ids]}]."""
    result: list[dict[str, Any]] = []
    pair = int(params["pair"])
    for stratum in params["strata"]:
        name, count = stratum["name"], int(stratum["count"])
        pool = [t for t in listing["targets"] if t["stratum"] == name]
        for target in shuffled(pool, seed, f"targets/{name}")[:count]:
            result.append({"party": target["id"], "stratum": name, "agencyPath": target["agencyPath"]})
    decks: dict[str, _Deck] = {}
    for row in result:
        path = row.pop("agencyPath")
        if path not in decks:
            eligible = [i["id"] for i in listing["inspectors"] if i["agencyPath"].startswith(path)]
            decks[path] = _Deck(eligible, seed, f"inspectors/{path}")
        row["inspectors"] = decks[path].deal(pair)
    return result


class _Deck:
    """An area's inspectors, reshuffled each round, dealt a pair at a time."""

    def __init__(self, pool: list[Any], seed: bytes, label: str):
        if not pool:
            raise ValueError(f"no inspector for {label}")
        self.pool, self.seed, self.label = pool, seed, label
        self.round, self.cards = 0, []

    def _next(self) -> Any:
        if not self.cards:
            self.round += 1
            self.cards = shuffled(self.pool, self.seed, f"{self.label}/{self.round}")
        return self.cards.pop(0)

    def deal(self, n: int) -> list[Any]:
        hand: list[Any] = []
        aside: list[Any] = []
        while len(hand) < min(n, len(self.pool)):
            card = self._next()
            (aside if card in hand else hand).append(card)
        self.cards[:0] = aside
        return hand


def draw_replacement(listing: dict[str, Any], seed: bytes, params: dict[str, Any]) -> list[int]:
    """The replacement inspector(s) for a recusal: [user id]."""
    pool = [i["id"] for i in listing["inspectors"]]
    return shuffled(pool, seed, f"replacement/{params['target']}")[:int(params.get("count", 1))]


def refusal(record: dict[str, Any]) -> str | None:
    """The re-run check of a stored draw (keys `kind`, `algorithm`, `algorithmVersion`, `seed` in hex,
    `candidateHash`, `candidates`, `params`, `result`): None when its inputs reproduce its result,
    else why not: `unknown_algorithm`, `hash_mismatch` (the listing was changed) or `result_mismatch`."""
    if record.get("algorithm") != NAME or record.get("algorithmVersion") != VERSION:
        return "unknown_algorithm"
    if listing_hash(record.get("candidates")) != record.get("candidateHash"):
        return "hash_mismatch"
    try:
        seed = bytes.fromhex(str(record["seed"]))
        run = draw_targets if record.get("kind") == "targets" else draw_replacement
        again = run(record["candidates"], seed, record["params"])
    except (KeyError, TypeError, ValueError, AttributeError):  # inputs edited into a shape no draw had
        again = None
    return None if again == record.get("result") else "result_mismatch"
