"""The pull cursor and the amendment diff: pure functions."""
from __future__ import annotations

import base64

from inspector.services.sync.cursor import Cursor, decode, encode
from inspector.services.sync.revisions import diff


def test_a_cursor_survives_the_round_trip_and_is_opaque():
    cursor = Cursor(version=131, type="rejection", key=(4, 17), scope="ab12cd34ef56ab78", user_id=5,
                    round_start=120)
    text = encode(cursor)
    assert "131" not in text and "=" not in text  # base64url, no padding: safe in JSON and URLs
    assert decode(text) == cursor


def test_a_cursor_inside_a_rounds_case_walk_survives_the_round_trip():
    cursor = Cursor(version=-1, type=None, key=None, scope="s", user_id=1, round_start=120,
                    case=("0f6c1e1a-2b3c-4d5e-8f90-123456789abc", "decision", 12))
    assert decode(encode(cursor)) == cursor


def test_a_round_cursor_from_before_rounds_walked_the_cases_is_unreadable():
    old = base64.urlsafe_b64encode(b'{"v":9,"t":null,"k":null,"s":"s","u":1,"r":8}').decode()
    assert decode(old) is None
    later = base64.urlsafe_b64encode(b'{"v":9,"t":null,"k":null,"s":"s","u":1}').decode()
    assert decode(later) == Cursor(9, None, None, "s", 1)  # a cursor between rounds is read as before


def test_a_cursor_at_the_end_of_a_version_has_no_type():
    cursor = Cursor(version=7, type=None, key=None, scope="s", user_id=1)
    assert decode(encode(cursor)) == cursor


def test_an_unreadable_cursor_is_none():
    infinite = base64.urlsafe_b64encode(b'{"v":Infinity,"t":null,"k":null,"s":"s","u":1}').decode()
    for garbage in (None, "", "not a cursor", "eyJ2Ijoi", encode(Cursor(1, None, None, "s", 1))[:-3], "e30", infinite):
        assert decode(garbage) is None, garbage


def test_the_diff_names_each_changed_leaf_and_whole_rows_added_or_removed():
    old = {"inspection": {"narrative": "旧", "place": "店内"}, "findings": {"G01": {"result": "pass", "note": None}},
           "samples": {"s1": {"name": "复合肥料"}}}
    new = {"inspection": {"narrative": "新", "place": "店内"}, "findings": {"G01": {"result": "fail", "note": "过期"}},
           "samples": {"s2": {"name": "尿素"}}}
    assert diff(old, new) == [
        {"path": "inspection.narrative", "old": "旧", "new": "新"},
        {"path": "findings.G01.result", "old": "pass", "new": "fail"},
        {"path": "findings.G01.note", "old": None, "new": "过期"},
        {"path": "samples.s1", "old": {"name": "复合肥料"}, "new": None},
        {"path": "samples.s2", "old": None, "new": {"name": "尿素"}},
    ]
    assert diff(old, old) == []


def test_a_cursor_keyed_the_wrong_way_is_not_served():
    from inspector.services.sync.pull import _well_formed

    assert _well_formed(Cursor(3, "party", "0190f3a2-8a00-7c00-8000-000000000001", "s", 1))
    assert _well_formed(Cursor(3, "rejection", (4, 17), "s", 1))
    assert _well_formed(Cursor(3, None, None, "s", 1))
    for kind, key in (("party", 5), ("agency", "5"), ("rejection", 5), ("rejection", ("a", 1)), ("teapot", "x"),
                      (None, 3), ("agency", True), ("agency", 10**30), ("party", "a\x00b"),
                      ("rejection", (1, 10**30))):
        assert not _well_formed(Cursor(3, kind, key, "s", 1)), (kind, key)
    assert not _well_formed(Cursor(3, None, None, "s", 1, round_start=10**30))
