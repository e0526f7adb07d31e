"""The agency tree and checklist templates that ship with the app are complete and well formed."""

from __future__ import annotations

import copy
import re

import pytest

from inspector.refdata import (
    AUTHORITIES,
    ITEM_KINDS,
    load_divisions,
    load_templates,
    validate_template,
)

GENERAL_KEYS = [f"G{n:02d}" for n in range(1, 14)]


@pytest.fixture(scope="module")
def agencies() -> list[dict]:
    return load_divisions()


@pytest.fixture(scope="module")
def templates() -> list[dict]:
    return load_templates()


def _items(template: dict) -> list[dict]:
    return [item for section in template["sections"] for item in section["items"]]


def _template(templates: list[dict], category: str) -> dict:
    return next(t for t in templates if t["category"] == category)


# --- agencies --------------------------------------------------------------------------------


def test_region_twelve_leagues_and_103_counties(agencies: list[dict]) -> None:
    levels = [a["level"] for a in agencies]
    assert len(agencies) == 116
    assert levels.count("region") == 1
    assert levels.count("league") == 12
    assert levels.count("county") == 103


def test_codes_are_unique_six_digit_inner_mongolia_codes(agencies: list[dict]) -> None:
    codes = [a["code"] for a in agencies]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"15\d{4}", code) for code in codes)


def test_no_development_zone_codes(agencies: list[dict]) -> None:
    assert [a["code"] for a in agencies if a["code"][4] == "7"] == []


def test_tree_region_leagues_counties(agencies: list[dict]) -> None:
    by_code = {a["code"]: a for a in agencies}
    region = by_code["150000"]
    assert region["parent"] is None
    assert region["name"] == "内蒙古自治区市场监督管理局"
    assert region["case_code_word"] == "内市监"
    for agency in agencies:
        if agency["level"] == "league":
            assert agency["parent"] == "150000"
            assert agency["code"].endswith("00")
        if agency["level"] == "county":
            parent = by_code[agency["parent"]]
            assert parent["level"] == "league"
            assert agency["code"][:4] == parent["code"][:4]


def test_every_league_has_counties_and_names_are_bureaus(agencies: list[dict]) -> None:
    parents = {a["parent"] for a in agencies if a["level"] == "county"}
    leagues = {a["code"] for a in agencies if a["level"] == "league"}
    assert parents == leagues
    for agency in agencies:
        assert agency["name"].endswith("市场监督管理局")
        assert agency["division_name"] in agency["name"]
        if agency["level"] != "region":
            assert agency["case_code_word"] is None


def test_examples_from_the_campaign_area(agencies: list[dict]) -> None:
    by_code = {a["code"]: a for a in agencies}
    assert by_code["150122"]["name"] == "托克托县市场监督管理局"
    assert by_code["150122"]["parent"] == "150100"
    assert by_code["152900"]["name"] == "阿拉善盟市场监督管理局"
    # District names repeat across China, so district bureaus carry their city's name.
    assert by_code["150204"]["name"] == "包头市青山区市场监督管理局"


# --- shipped templates -----------------------------------------------------------------------


def test_six_templates_one_per_category(templates: list[dict]) -> None:
    assert [t["category"] for t in templates] == [
        "general", "fertilizer", "pesticide", "film", "seed", "machinery",
    ]
    titles = {t["category"]: t["title"] for t in templates}
    assert titles == {
        "general": "农资经营者通用现场检查表",
        "fertilizer": "化肥经营者现场检查表",
        "pesticide": "农药经营者现场检查表",
        "film": "农膜经营者现场检查表",
        "seed": "种子经营者现场检查表",
        "machinery": "农机具经营者现场检查表",
    }


def test_every_shipped_template_passes_validation(templates: list[dict]) -> None:
    for template in templates:
        assert validate_template(template) == [], template["key"]


def test_item_keys_unique_and_every_item_has_basis_and_authority(templates: list[dict]) -> None:
    for template in templates:
        items = _items(template)
        keys = [item["key"] for item in items]
        assert len(set(keys)) == len(keys), template["key"]
        for item in items:
            assert item["legal_basis"].strip(), item["key"]
            assert item["authority"] in AUTHORITIES, item["key"]
            assert item["kind"] in ITEM_KINDS, item["key"]
            assert "推定" not in item["label"], item["key"]


def test_general_template_holds_only_g01_to_g13(templates: list[dict]) -> None:
    general = _template(templates, "general")
    assert [item["key"] for item in _items(general)] == GENERAL_KEYS


def test_product_templates_start_with_the_same_general_items(templates: list[dict]) -> None:
    general_items = _template(templates, "general")["sections"][0]["items"]
    prefixes = {"fertilizer": "F", "pesticide": "P", "film": "M", "seed": "S", "machinery": "N"}
    for category, prefix in prefixes.items():
        template = _template(templates, category)
        first, *own = template["sections"]
        assert first["key"] == "general"
        assert first["items"] == general_items, category
        assert own, category
        own_keys = [item["key"] for section in own for item in section["items"]]
        assert all(key.startswith(prefix) for key in own_keys), category


def test_film_thickness_is_measured_in_mm_with_the_legal_minimum(templates: list[dict]) -> None:
    thickness = next(i for i in _items(_template(templates, "film")) if i["key"] == "M01")
    assert thickness["kind"] == "number"
    assert thickness["unit"] == "mm"
    assert thickness["min"] == 0.010


def test_business_licence_item_reads_as_printed(templates: list[dict]) -> None:
    g01 = _items(_template(templates, "general"))[0]
    assert g01["label"] == "营业执照是否悬挂，名称、统一社会信用代码、住所与经营场所一致"
    assert g01["photo_required"] is True


# --- validate_template catches each kind of mistake an admin can make ------------------------


def _minimal() -> dict:
    return {
        "key": "demo",
        "version": 1,
        "category": "fertilizer",
        "title": "测试检查表",
        "sections": [
            {
                "key": "general",
                "title": "通用检查项目",
                "items": [
                    {
                        "key": "G01",
                        "label": "营业执照是否悬挂",
                        "kind": "pass_fail_na",
                        "required": True,
                        "photo_required": True,
                        "legal_basis": "《中华人民共和国市场主体登记管理条例》",
                        "authority": "SAMR",
                    }
                ],
            }
        ],
    }


def _first_item(body: dict) -> dict:
    return body["sections"][0]["items"][0]


def test_minimal_template_is_valid() -> None:
    assert validate_template(_minimal()) == []


def test_not_an_object() -> None:
    assert validate_template([]) == ["the template must be a JSON object, not a list"]


@pytest.mark.parametrize("field", ["key", "version", "category", "title", "sections"])
def test_missing_top_level_field(field: str) -> None:
    body = _minimal()
    del body[field]
    assert f"the template has no {field!r}" in validate_template(body)


def test_missing_item_field_names_the_item() -> None:
    body = _minimal()
    del _first_item(body)["legal_basis"]
    assert validate_template(body) == ["section 1 (general), item 1 (G01) has no 'legal_basis'"]


def test_unknown_kind() -> None:
    body = _minimal()
    _first_item(body)["kind"] = "yes_no"
    [problem] = validate_template(body)
    assert "kind 'yes_no' is not one of" in problem and "pass_fail_na" in problem


def test_duplicate_item_keys_across_sections() -> None:
    body = _minimal()
    body["sections"].append(
        {"key": "fertilizer", "title": "肥料标识", "items": [copy.deepcopy(_first_item(body))]}
    )
    [problem] = validate_template(body)
    assert "section 2 (fertilizer), item 1 (G01)" in problem
    assert "'G01' is already used in section 1 (general)" in problem


def test_duplicate_section_keys() -> None:
    body = _minimal()
    second = copy.deepcopy(body["sections"][0])
    _first_item({"sections": [second]})["key"] = "G02"
    body["sections"].append(second)
    assert validate_template(body) == ["section 2 (general): section key 'general' is used twice"]


def test_number_item_without_unit() -> None:
    body = _minimal()
    _first_item(body).update(kind="number", min=0.010)
    [problem] = validate_template(body)
    assert "needs a 'unit'" in problem


def test_number_item_with_min_above_max() -> None:
    body = _minimal()
    _first_item(body).update(kind="number", unit="mm", min=0.03, max=0.01)
    assert validate_template(body) == [
        "section 1 (general), item 1 (G01): min 0.03 is greater than max 0.01"
    ]


def test_number_item_with_text_bound() -> None:
    body = _minimal()
    _first_item(body).update(kind="number", unit="%", min="4")
    [problem] = validate_template(body)
    assert "'min' must be a number" in problem


@pytest.mark.parametrize("choices", [None, [], ["含氯（低氯）", "含氯（低氯）"]])
def test_choice_item_without_usable_choices(choices: list[str] | None) -> None:
    body = _minimal()
    _first_item(body)["kind"] = "choice"
    if choices is not None:
        _first_item(body)["choices"] = choices
    [problem] = validate_template(body)
    assert "'choices'" in problem


def test_choices_on_a_non_choice_item() -> None:
    body = _minimal()
    _first_item(body)["choices"] = ["是", "否"]
    [problem] = validate_template(body)
    assert "'choices' only applies to choice items" in problem


def test_unknown_authority() -> None:
    body = _minimal()
    _first_item(body)["authority"] = "S/A"
    [problem] = validate_template(body)
    assert "authority 'S/A' is not one of SAMR, MARA, both" in problem


def test_misspelt_field_is_reported() -> None:
    body = _minimal()
    _first_item(body)["photo_requried"] = True
    assert validate_template(body) == [
        "section 1 (general), item 1 (G01): unknown field 'photo_requried'"
    ]


def test_required_flag_must_be_boolean() -> None:
    body = _minimal()
    _first_item(body)["required"] = "yes"
    [problem] = validate_template(body)
    assert "'required' must be true or false" in problem


def test_unknown_category_and_bad_version() -> None:
    body = _minimal()
    body.update(category="veterinary", version=0)
    problems = validate_template(body)
    assert any("category 'veterinary'" in p for p in problems)
    assert any("'version' must be a whole number" in p for p in problems)


def test_empty_sections_and_items() -> None:
    body = _minimal()
    body["sections"][0]["items"] = []
    assert validate_template(body) == ["section 1 (general): 'items' must be a non-empty list"]
    body["sections"] = []
    assert validate_template(body) == ["'sections' must be a non-empty list"]


@pytest.mark.parametrize("fields, problem", [
    ({"basis_text": "第三十六条 …", "basis_version": "2021/07/27"},
     "'basis_version' must be a date such as \"2018-12-29\", not '2021/07/27'"),
    ({"basis_text": "第三十六条 …"}, "'basis_text' and 'basis_version' go together"),
    ({"basis_text": " ", "basis_version": "2021-07-27"}, "'basis_text' must be non-empty text"),
    ({"basis_pending": "《农药标签和说明书管理办法》"}, "'basis_pending' must be a non-empty list of citations"),
    ({"basis_pending": ["《农药标签和说明书管理办法》"]},
     "'basis_pending' names a citation that 'legal_basis' does not make"),
])
def test_basis_fields_are_checked(fields: dict, problem: str) -> None:
    body = _minimal()
    _first_item(body).update(fields)
    assert validate_template(body) == [f"section 1 (general), item 1 (G01): {problem}"]


def test_basis_fields_of_two_laws_are_valid() -> None:
    body = _minimal()
    _first_item(body).update(legal_basis="《中华人民共和国市场主体登记管理条例》第三十六条；《别的办法》",
                             basis_text="《甲》第三十六条 …\n《乙》第一条 …", basis_version="2021-07-27、2022-03-29",
                             basis_pending=["《别的办法》"])
    assert validate_template(body) == []


def test_shipped_items_quote_their_basis_or_mark_it_pending() -> None:
    for body in load_templates():
        for section in body["sections"]:
            for item in section["items"]:
                assert item.get("basis_text") or item.get("basis_pending"), (body["key"], item["key"])
