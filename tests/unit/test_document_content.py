"""The content a signature attests: the shared vectors the phone checks too (tests/e2e/test_pwa_attestation.py)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from inspector.pdf import content as dc

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "document_content.json").read_text("utf-8"))["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_shared_vectors(vector):
    """The server builds the same content and hash as the vectors the phone is held to."""
    contents = dc.document_contents(vector["record"])
    assert contents == vector["contents"]
    assert {k: dc.content_hash(c) for k, c in contents.items()} == vector["hashes"]


def test_canonical_json_sorts_keys_by_utf16_code_units():
    """RFC 8785 orders "😀" (U+D83D…) before "ｚ" (U+FF5A), unlike code-point order."""
    content = {"ｚ": "1", "😀": "2", "a": "\u2028"}
    expected = '{"a":"\u2028","😀":"2","ｚ":"1"}'.encode()
    assert dc.content_hash(content) == hashlib.sha256(expected).hexdigest()


def test_an_edit_of_the_narrative_changes_only_the_on_site_hash():
    record = VECTORS[1]["record"]
    before = dc.document_hashes(record)
    after = dc.document_hashes({**record, "narrative": record["narrative"] + "补充"})
    assert after[dc.ON_SITE] != before[dc.ON_SITE]
    assert {k: v for k, v in after.items() if k != dc.ON_SITE} == {k: v for k, v in before.items() if k != dc.ON_SITE}
