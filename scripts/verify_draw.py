#!/usr/bin/env python3
"""Recompute a 双随机 draw from its downloaded record, with no server and no database.

    .venv/bin/python scripts/verify_draw.py draw-<id>.json

The file comes from the plan's page (下载抽取记录). The check hashes the frozen candidate listing
(SHA-256 of its canonical JSON) and reruns the algorithm named in the file
(`inspector/services/draws/algorithm.py`, whose docstring describes it step by step) from the
stored seed and parameters. Exit status 0: identical; 1: refused, with the reason.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inspector.services.draws import algorithm  # noqa: E402

REASONS = {"hash_mismatch": "名录与其SHA-256不符（名录已被改动）", "result_mismatch": "重新计算的结果与保存的结果不同",
           "unknown_algorithm": "未知的算法版本"}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    data = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    reason = algorithm.refusal(data)
    print(f"{data.get('plan', '')} · {data.get('draw', '')}")
    print(f"SHA-256 {algorithm.listing_hash(data.get('candidates'))}")
    if reason is None:
        print("复核一致：结果完全相同 (identical)")
        return 0
    print(f"复核不通过：{REASONS[reason]} ({reason})")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
