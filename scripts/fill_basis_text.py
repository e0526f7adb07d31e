#!/usr/bin/env python3
"""Rewrite basis_text / basis_version / basis_pending of the shipped checklist templates from a
folder of statute texts, after a citation (legal_basis) was corrected or a law revised.

    .venv/bin/python scripts/fill_basis_text.py STATUTES_DIR

Then bump the template's "version", check with `flask --app inspector check-citations --statutes
STATUTES_DIR`, and list the change in docs/citations.md.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inspector.services.citations import fill_basis, load_statutes  # noqa: E402


def main(folder: str) -> None:
    statutes = load_statutes(folder)
    for path in sorted((ROOT / "inspector" / "refdata" / "templates").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        fill_basis(body, statutes, overwrite=True)
        path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"{path.name}: basis fields rewritten")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
