"""The draw algorithm `sha256-fisher-yates` v1 as documented: a fixed seed and listing give a fixed,
recomputable order, and any change of the listing changes its hash."""
from __future__ import annotations

import hashlib

from inspector.services.draws import algorithm

SEED = bytes(range(32))


def _listing(names=("甲", "乙", "丙", "丁", "戊")):
    return {"targets": [{"id": f"p{i}", "name": n, "stratum": "normal", "agencyPath": "/150000/150100/150122/",
                         "creditCode": "", "agency": "150122"} for i, n in enumerate(names)],
            "inspectors": [{"id": i, "certNo": f"C{i}", "agency": "150122", "agencyPath": "/150000/150100/150122/"}
                           for i in (11, 12, 13, 14)]}


def _reference_shuffle(items, seed, label):
    """The README's description, written out again independently of the module."""
    out, words, counter = list(items), [], 0

    def next_word():
        nonlocal counter
        if not words:
            block = hashlib.sha256(seed + b"\x00" + label.encode() + b"\x00" + counter.to_bytes(8, "big")).digest()
            words.extend(int.from_bytes(block[k:k + 8], "big") for k in range(0, 32, 8))
            counter += 1
        return words.pop(0)

    for i in range(len(out) - 1, 0, -1):
        n = i + 1
        limit = 2 ** 64 - (2 ** 64 % n)
        while (u := next_word()) >= limit:
            pass
        j = u % n
        out[i], out[j] = out[j], out[i]
    return out


def test_the_shuffle_is_the_documented_fisher_yates_over_the_sha256_stream():
    items = list(range(40))
    assert algorithm.shuffled(items, SEED, "targets/normal") == _reference_shuffle(items, SEED, "targets/normal")
    assert sorted(algorithm.shuffled(items, SEED, "x")) == items
    assert algorithm.shuffled(items, SEED, "x") != algorithm.shuffled(items, SEED, "y")


def test_a_draw_recomputed_from_its_inputs_is_identical_and_a_changed_candidate_changes_the_hash():
    listing = _listing()
    params = {"strata": [{"name": "normal", "count": 3}], "pair": 2}
    first = algorithm.draw_targets(listing, SEED, params)
    assert first == algorithm.draw_targets(_listing(), SEED, params)
    assert len(first) == 3 and all(len(row["inspectors"]) == 2 for row in first)
    assert len({row["party"] for row in first}) == 3
    changed = _listing(("甲", "乙", "丙", "丁", "戊某"))
    assert algorithm.listing_hash(changed) != algorithm.listing_hash(listing)
    assert algorithm.listing_hash(_listing()) == algorithm.listing_hash(listing)


def test_the_hash_is_sha256_of_canonical_json():
    listing = {"b": [1, 2], "a": "农资"}
    assert algorithm.listing_hash(listing) == hashlib.sha256('{"a":"农资","b":[1,2]}'.encode()).hexdigest()


def test_inspectors_are_dealt_so_each_of_an_area_gets_the_same_share():
    listing = _listing(names=tuple("甲乙丙丁戊己"))
    result = algorithm.draw_targets(listing, SEED, {"strata": [{"name": "normal", "count": 6}], "pair": 2})
    dealt = [i for row in result for i in row["inspectors"]]
    assert all(len(set(row["inspectors"])) == 2 for row in result)
    assert sorted(dealt) == sorted([11, 12, 13, 14] * 3)  # 12 places, 4 inspectors: 3 each


def test_a_pair_never_names_one_inspector_twice_across_a_round_end():
    listing = _listing(names=tuple("甲乙丙丁戊己庚辛"))
    listing["inspectors"] = listing["inspectors"][:3]  # 3 inspectors: rounds end mid-pair
    for n in range(20):
        seed = bytes([n]) * 32
        result = algorithm.draw_targets(listing, seed, {"strata": [{"name": "normal", "count": 8}], "pair": 2})
        assert all(len(set(row["inspectors"])) == 2 for row in result)
        dealt = [i for row in result for i in row["inspectors"]]
        assert max(dealt.count(i) for i in (11, 12, 13)) - min(dealt.count(i) for i in (11, 12, 13)) <= 1
