"""Jurisdiction: who sees which parties and inspections."""
from __future__ import annotations

import pytest

from .. import factories


@pytest.fixture
def cases(app):
    """A party and an inspection in 托克托县 (呼和浩特) and in 东河区 (包头)."""
    tuoketuo = factories.party("150122", "托克托县丰收农资经营部")
    donghe = factories.party("150202", "东河区惠农化肥销售中心")
    return {
        "tuoketuo_party": tuoketuo, "donghe_party": donghe,
        "tuoketuo_case": factories.inspection(tuoketuo, ("tuoketuo.zhang", "tuoketuo.liu"), status="submitted"),
        "donghe_case": factories.inspection(donghe, ("donghe.chen", "donghe.sun"), status="submitted"),
    }


def _sees(api, kind: str, row) -> bool:
    path = {"party": f"/api/v1/parties/{row.id}", "case": f"/api/v1/inspections/{row.id}"}[kind]
    status = api.get(path).status_code
    assert status in (200, 404), status
    return status == 200


MATRIX = [
    # who, sees 托克托县, sees 东河区
    ("tuoketuo.zhang", True, False),
    ("donghe.chen", False, True),
    ("hhht.reviewer", True, False),
    ("baotou.reviewer", False, True),
    ("hq.reviewer", True, True),
    ("xincheng.zhou", False, False),  # another county of the same league
]


@pytest.mark.parametrize("who,sees_tuoketuo,sees_donghe", MATRIX)
def test_party_scope(cases, login_as, who, sees_tuoketuo, sees_donghe):
    api = login_as(who)
    assert _sees(api, "party", cases["tuoketuo_party"]) is sees_tuoketuo
    assert _sees(api, "party", cases["donghe_party"]) is sees_donghe


@pytest.mark.parametrize("who,sees_tuoketuo,sees_donghe", MATRIX)
def test_inspection_scope(cases, login_as, who, sees_tuoketuo, sees_donghe):
    api = login_as(who)
    assert _sees(api, "case", cases["tuoketuo_case"]) is sees_tuoketuo
    assert _sees(api, "case", cases["donghe_case"]) is sees_donghe


def test_search_never_leaks_other_jurisdictions(cases, login_as):
    names = [p["name"] for p in login_as("tuoketuo.zhang").get("/api/v1/parties?q=农").get_json()["parties"]]
    assert "托克托县丰收农资经营部" in names
    assert "东河区惠农化肥销售中心" not in names


def test_co_inspector_from_another_county_sees_the_case(cases, login_as):
    """A 新城区 inspector helping in 托克托县 sees that case, and its party, but nothing else there."""
    helped = factories.inspection(cases["tuoketuo_party"], ("tuoketuo.zhang", "xincheng.zhou"))
    api = login_as("xincheng.zhou")
    assert _sees(api, "case", helped)
    assert _sees(api, "party", cases["tuoketuo_party"])
    assert not _sees(api, "case", cases["tuoketuo_case"])


def test_inspector_cannot_create_party_in_another_county(login_as):
    r = login_as("tuoketuo.zhang").post("/api/v1/parties", json={"name": "越权", "agencyCode": "150202"})
    assert r.status_code == 403
