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


def test_the_fields_of_the_documents_are_attested_where_they_print():
    """现场负责人 and 通知到场 and the refusal belong to the 现场笔录, a sample's own fields to the
    抽样记录, the 主体类型 and operator's ID to both (the 当事人 block): a change of one changes
    exactly the hashes of the documents that print it."""
    record = VECTORS[1]["record"]
    before = dc.document_hashes(record)

    def changed(edited: dict) -> set[str]:
        after = dc.document_hashes(edited)
        return {k for k in before if after[k] != before[k]}

    assert changed({**record, "onSitePerson": "王建国"}) == {dc.ON_SITE}
    assert changed({**record, "partyNotified": "电话通知"}) == {dc.ON_SITE}
    assert changed({**record, "refusal": {"reason": "不签", "witnessName": "李四"}}) == {dc.ON_SITE}
    assert changed({**record, "party": {**record["party"], "entityType": "individual"}}) == {dc.ON_SITE, dc.SAMPLING}
    samples = [{**record["samples"][0], "labName": "某检验站", "backupSealNumbers": ["B-1"]}, *record["samples"][1:]]
    assert changed({**record, "samples": samples}) == {dc.SAMPLING}
    # Not recorded is the content as before, so hashes older phones sent still match.
    blank = [{**s, "sampleNo": "", "sampledAt": None, "backupSealNumbers": [], "sealedPhotoIDs": []} for s in record["samples"]]
    assert changed({**record, "samples": blank, "onSitePerson": None, "partyNotified": "", "refusal": None}) == set()
    # A refusal's own attestation is held against the record without it.
    refused = {**record, "refusal": {"reason": "不签", "witnessName": "李四"}}
    assert dc.content_hash(dc.on_site_content(dc.without_refusal(refused))) == before[dc.ON_SITE]


def test_each_signer_attests_the_documents_they_sign():
    keys = [dc.ON_SITE, dc.SAMPLING, dc.evidence_key("p1"), dc.evidence_key("p2")]
    assert dc.documents_for("sampled_party", keys) == [dc.SAMPLING]
    assert dc.documents_for("evidence_provider", keys) == keys[2:]
    assert dc.documents_for("inspector", keys) == dc.documents_for("party", keys) == keys


ORDERS = json.loads((Path(__file__).parent.parent / "vectors" / "document_content.json").read_text("utf-8"))["rectification"]


@pytest.mark.parametrize("vector", ORDERS, ids=[v["name"] for v in ORDERS])
def test_shared_rectification_vectors(vector):
    """The 责令改正通知书 the party signs: the server builds the content and hash the phone is held to."""
    content = dc.rectification_content(vector["order"])
    assert content == vector["content"]
    assert dc.content_hash(content) == vector["hash"]


def test_what_the_order_prints_is_what_its_hash_covers():
    order = ORDERS[0]["order"]
    before = dc.content_hash(dc.rectification_content(order))
    for field, value in (("facts", "另一事实"), ("requirements", "另一要求"), ("dueDate", "2026-03-20"),
                         ("basis", "《产品质量法》第二十七条"), ("reportBack", False), ("mode", "immediate"),
                         ("orderId", "another")):
        assert dc.content_hash(dc.rectification_content({**order, field: value})) != before, field
    # 立即改正 has no due date: one typed before the mode changed is not part of it.
    immediate = {**order, "mode": "immediate"}
    assert dc.rectification_content(immediate) == dc.rectification_content({**immediate, "dueDate": None})


def test_the_basis_is_joined_as_the_server_keeps_it():
    assert dc.rectification_basis([" A ", "B", "A", ""], None) == "A；B"
    assert dc.rectification_basis(["A"], "B") == "A；B"
    assert dc.rectification_basis(["A；B"], "B") == "A；B"
    assert dc.rectification_basis([], " C ") == "C"
